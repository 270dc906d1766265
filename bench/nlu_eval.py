"""NLU quality of bot/config.yml: grouped cross-validation with per-language accuracy.

Two halves, one per environment (run both through ``bench/nlu_eval.sh``):

    .venv/bin/python     bench/nlu_eval.py prepare OUT [--nlu FILE]  # examples.json: text, intent, group, subset
    .venv-bot/bin/python bench/nlu_eval.py cv OUT [--folds 5] [--config bot/config.yml]

``prepare`` snapshots bot/data/nlu.yml (or --nlu) into OUT/data/, writes the diacritics-free variants
next to it with bot/augment.py's own ``folded_examples`` (OUT/data/nlu_folded.yml), and labels each example: ``vi`` (Vietnamese with diacritics), ``vi_folded`` (generated diacritics-free
copy) or ``en`` (an original example without Vietnamese marks, e.g. "hello", "alo"). The group key is
the folded text, so an example and its diacritics-free copy always land in the same fold: Rasa's own
``--cross-validation`` splits them independently, which lets the folded copy of a training example
be "tested" and flatters the score (``nlu_eval.sh`` runs that too, for comparison).

``cv`` trains one NLU model per fold with Rasa's own training (same config, same Rasa 3.6.21),
parses each held-out example with Rasa's processor, and prints Markdown: macro-F1 (an
``nlu_fallback`` prediction counts as an error), the weakest intents, accuracy per subset, and the
misclassified examples. It writes OUT/grouped_cv.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _examples(nlu_file: Path) -> list[tuple[str, str]]:
    import yaml

    data = yaml.safe_load(nlu_file.read_text(encoding="utf-8"))
    out = []
    for block in data.get("nlu", []):
        if "intent" in block:
            out += [(block["intent"], line[2:].strip()) for line in block["examples"].splitlines() if line.startswith("- ")]
    return out


def prepare(out: Path, nlu_file: Path) -> None:
    """Snapshot the NLU file, generate its folded variants with bot/augment.py's own function, label every example."""
    import importlib.util

    sys.path.insert(0, str(ROOT))
    from knowledge.normalize import fold, has_vietnamese_marks

    spec = importlib.util.spec_from_file_location("augment", ROOT / "bot" / "augment.py")
    assert spec and spec.loader
    augment = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(augment)

    (out / "data").mkdir(parents=True, exist_ok=True)
    snapshot = out / "data" / "nlu.yml"  # another engineer may edit bot/data while this runs
    snapshot.write_bytes(nlu_file.read_bytes())
    lines = ['version: "3.1"', "nlu:"]
    for block in augment.folded_examples(snapshot):
        lines += [f"  - intent: {block['intent']}", "    examples: |"]
        lines += [f"      {line}" for line in block["examples"].splitlines()]
    (out / "data" / "nlu_folded.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    rows = []
    for intent, text in _examples(snapshot):
        subset = "vi" if has_vietnamese_marks(text) else "en"
        rows.append({"text": text, "intent": intent, "group": f"{intent}|{fold(text)}", "subset": subset})
    for intent, text in _examples(out / "data" / "nlu_folded.yml"):
        rows.append({"text": text, "intent": intent, "group": f"{intent}|{fold(text)}", "subset": "vi_folded"})
    (out / "examples.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    counts = Counter(r["subset"] for r in rows)
    print(f"{len(rows)} examples, {len(set(r['intent'] for r in rows))} intents: {dict(counts)}", file=sys.stderr)


def _write_nlu(path: Path, rows: list[dict]) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        by_intent[r["intent"]].append(r["text"])
    lines = ['version: "3.1"', "nlu:"]
    for intent, texts in by_intent.items():
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {t}" for t in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def _parse_all(agent, texts: list[str]) -> list[dict]:
    return [await agent.parse_message(t) for t in texts]


def cv(out: Path, folds: int, config: Path, seed: int) -> None:
    import asyncio
    import logging
    import time

    import numpy as np
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu
    from sklearn.metrics import f1_score, precision_recall_fscore_support
    from sklearn.model_selection import StratifiedGroupKFold

    logging.disable(logging.WARNING)
    rows = json.loads((out / "examples.json").read_text(encoding="utf-8"))
    intents = [r["intent"] for r in rows]
    groups = [r["group"] for r in rows]
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    predictions: list[dict] = []
    t0 = time.monotonic()
    for k, (train_idx, test_idx) in enumerate(splitter.split(rows, intents, groups)):
        fold_dir = out / f"fold{k}"
        fold_dir.mkdir(parents=True, exist_ok=True)
        _write_nlu(fold_dir / "nlu.yml", [rows[i] for i in train_idx])
        model = train_nlu(str(config), str(fold_dir / "nlu.yml"), str(fold_dir), fixed_model_name="nlu")
        agent = Agent.load(model)

        parsed = asyncio.run(_parse_all(agent, [rows[i]["text"] for i in test_idx]))
        for i, p in zip(test_idx, parsed, strict=True):
            ranking = [x for x in p.get("intent_ranking", []) if x["name"] != "nlu_fallback"]
            predictions.append(
                {**rows[i], "fold": k, "predicted": p["intent"]["name"], "confidence": round(p["intent"]["confidence"], 3),
                 "top_non_fallback": ranking[0]["name"] if ranking else None}
            )  # fmt: skip
        print(f"fold {k}: {len(train_idx)} train / {len(test_idx)} test ({time.monotonic() - t0:.0f}s)", file=sys.stderr)

    y_true = [p["intent"] for p in predictions]
    y_pred = [p["predicted"] for p in predictions]
    y_top = [p["top_non_fallback"] for p in predictions]
    labels = sorted(set(y_true))
    macro = f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
    macro_top = f1_score(y_true, y_top, labels=labels, average="macro", zero_division=0)
    weighted = f1_score(y_true, y_pred, labels=labels, average="weighted", zero_division=0)
    acc = float(np.mean([a == b for a, b in zip(y_true, y_pred, strict=True)]))
    prec, rec, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per_intent = sorted(zip(labels, prec, rec, f1, support, strict=True), key=lambda r: r[3])
    fallback = sum(p == "nlu_fallback" for p in y_pred)

    print(f"\n### Grouped {folds}-fold cross-validation ({config}, {len(rows)} examples, seed {seed})\n")
    print("| metric | value |\n|---|---|")
    print(f"| intent macro-F1 (nlu_fallback counts as an error) | **{macro:.3f}** |")
    print(f"| intent macro-F1 of the top non-fallback intent | {macro_top:.3f} |")
    print(f"| weighted F1 | {weighted:.3f} |")
    print(f"| accuracy | {acc:.3f} |")
    print(f"| predicted nlu_fallback | {fallback} of {len(y_pred)} |")
    print("\n| subset | examples | accuracy | macro-F1 |\n|---|---|---|---|")
    subsets = {}
    for subset in ("vi", "vi_folded", "en"):
        sel = [p for p in predictions if p["subset"] == subset]
        if not sel:
            continue
        s_acc = float(np.mean([p["intent"] == p["predicted"] for p in sel]))
        s_f1 = f1_score(
            [p["intent"] for p in sel],
            [p["predicted"] for p in sel],
            labels=sorted({p["intent"] for p in sel}),
            average="macro",
            zero_division=0,
        )
        subsets[subset] = {"n": len(sel), "accuracy": s_acc, "macro_f1": s_f1}
        print(f"| {subset} | {len(sel)} | {s_acc:.3f} | {s_f1:.3f} |")
    print("\n| intent (weakest first) | precision | recall | F1 | support |\n|---|---|---|---|---|")
    for name, p_, r_, f_, s_ in per_intent:
        print(f"| {name} | {p_:.2f} | {r_:.2f} | {f_:.2f} | {s_} |")
    errors = [p for p in predictions if p["intent"] != p["predicted"]]
    print(f"\n{len(errors)} misclassified:\n\n| text | subset | expected | predicted | conf |\n|---|---|---|---|---|")
    for p in sorted(errors, key=lambda p: (p["intent"], p["text"])):
        print(f"| {p['text']} | {p['subset']} | {p['intent']} | {p['predicted']} | {p['confidence']} |")
    (out / "grouped_cv.json").write_text(
        json.dumps(
            {"config": str(config), "folds": folds, "seed": seed, "macro_f1": macro, "macro_f1_top_non_fallback": macro_top,
             "weighted_f1": weighted, "accuracy": acc, "fallback": fallback, "subsets": subsets,
             "per_intent": {n: {"precision": p_, "recall": r_, "f1": f_, "support": int(s_)} for n, p_, r_, f_, s_ in per_intent},
             "predictions": predictions},
            ensure_ascii=False, indent=1, default=float,
        ),
        encoding="utf-8",
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["prepare", "cv"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--config", type=Path, default=ROOT / "bot" / "config.yml")
    parser.add_argument("--nlu", type=Path, default=ROOT / "bot" / "data" / "nlu.yml", help="prepare: the NLU file to snapshot")
    args = parser.parse_args()
    if args.step == "prepare":
        prepare(args.out, args.nlu)
    else:
        cv(args.out, args.folds, args.config, args.seed)


if __name__ == "__main__":
    main()

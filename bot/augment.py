"""Build-time training data: diacritics-free variants of the Vietnamese NLU examples.

Run with the app environment: ``python bot/augment.py OUT_DIR``. Writes
``OUT_DIR/nlu_folded.yml`` from every ``bot/data/nlu*.yml``; `rasa train --data bot/data OUT_DIR`
then sees both. Entity annotations fold with their text: "[Đà Nẵng](province)" → "[da nang](province)".
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.normalize import fold, has_vietnamese_marks  # noqa: E402


def folded_examples(nlu_file: Path) -> list[dict[str, str]]:
    data = yaml.safe_load(nlu_file.read_text(encoding="utf-8"))
    out = []
    for block in data.get("nlu", []):
        if "intent" not in block:
            continue
        examples = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
        folded = sorted({fold(e) for e in examples if has_vietnamese_marks(e)} - set(examples))
        if folded:
            out.append({"intent": block["intent"], "examples": "".join(f"- {e}\n" for e in folded)})
    return out


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = ['version: "3.1"', "nlu:"]
    for path in sorted((ROOT / "bot" / "data").glob("nlu*.yml")):
        for block in folded_examples(path):
            lines += [f"  - intent: {block['intent']}", "    examples: |"]
            lines += [f"      {line}" for line in block["examples"].splitlines()]
    (out_dir / "nlu_folded.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

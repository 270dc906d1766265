"""Evaluation questions: loading, language variants and the train/validation split.

    questions = load_questions([Path("data/eval/team/public_security.jsonl")], split="validation")

Files are JSON lines with ``question``, ``relevant`` (codes, any of which counts as a hit),
``primary``, ``in_kb`` and optionally ``lang``, ``kind``, ``facts``. Without ``lang``, a file
whose name contains ``en_`` holds English questions, any other Vietnamese. Every Vietnamese
question is also asked with its diacritics stripped (``knowledge.normalize.fold``).

The team's own questions (``data/eval/team/``) are split into train and validation **grouped
by procedure**: every question about one procedure falls on the same side, so validation
measures procedures the learned ranker never saw. The split is a pure function of the
question (its smallest relevant code, or its id when the guides do not answer it), so adding
questions never moves old ones across. The dev set is never split: it is only a check.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from knowledge.normalize import fold

Split = Literal["train", "validation"]
VALIDATION_SHARE = 0.3
ROOT = Path(__file__).resolve().parent.parent
TEAM_DIR = ROOT / "data" / "eval" / "team"


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    relevant: tuple[str, ...]
    in_kb: bool
    lang: str  # vi | en
    variant: str  # vi | vi-folded | en
    kind: str = ""
    facts: tuple[str, ...] = field(default=())
    split: str = ""  # train | validation | "" (not split: the dev set)


def split_of(item: dict) -> Split:
    """Train or validation, grouped by procedure (see the module docstring)."""
    relevant = item.get("relevant") or []
    group = min(relevant) if relevant else f"id:{item['id']}"
    bucket = int(hashlib.sha1(group.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "validation" if bucket < VALIDATION_SHARE else "train"


def team_files() -> list[Path]:
    return sorted(TEAM_DIR.glob("*.jsonl"))


def load_questions(paths: Sequence[Path], split: Split | None = None, folded: bool = True) -> list[Question]:
    """Questions from JSON-lines files (each Vietnamese one also folded); `split` keeps one side of team files."""
    out: list[Question] = []
    for path in paths:
        team = path.parent.name == "team"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            item = json.loads(line)
            item.setdefault("id", f"{path.name}:{n}")
            side = split_of(item) if team else ""
            if split is not None and side != split:
                continue
            lang = item.get("lang") or ("en" if "en_" in path.name else "vi")
            relevant = tuple(item.get("relevant") or ([item["primary"]] if item.get("primary") else []))
            common = {
                "id": str(item["id"]),
                "relevant": relevant,
                "in_kb": bool(item.get("in_kb", True)),
                "lang": lang,
                "kind": item.get("kind") or "",
                "facts": tuple(item.get("facts") or ()),
                "split": side,
            }
            out.append(Question(text=item["question"], variant=lang, **common))
            if lang == "vi" and folded and fold(item["question"]) != item["question"]:
                out.append(Question(text=fold(item["question"]), variant="vi-folded", **common))
    return out

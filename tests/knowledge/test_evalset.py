"""Evaluation questions: language variants and a train/validation split grouped by procedure."""

import json
from pathlib import Path

from knowledge.evalset import load_questions, split_of


def _write(path: Path, items: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items), encoding="utf-8")
    return path


def test_questions_about_one_procedure_share_a_side() -> None:
    sides = {split_of({"id": str(n), "relevant": ["1.004222", f"9.{n:06d}"]}) for n in range(50)}
    assert len(sides) == 1  # the smallest code decides


def test_both_sides_are_used() -> None:
    sides = [split_of({"id": str(n), "relevant": [f"1.{n:06d}"]}) for n in range(200)]
    assert 0.15 < sides.count("validation") / len(sides) < 0.45


def test_team_files_are_split_and_others_are_not(tmp_path: Path) -> None:
    items = [{"id": f"q{n}", "question": "Đăng ký thường trú", "relevant": [f"1.{n:06d}"], "in_kb": True} for n in range(40)]
    team = _write(tmp_path / "team" / "a.jsonl", items)
    dev = _write(tmp_path / "dev.jsonl", items)
    train, validation = load_questions([team], "train"), load_questions([team], "validation")
    assert train and validation and not {q.id for q in train} & {q.id for q in validation}
    assert {q.split for q in load_questions([dev])} == {""}


def test_lang_field_and_folded_twins(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "q.jsonl",
        [
            {"id": "1", "question": "How do I register?", "lang": "en", "relevant": ["1"], "in_kb": True, "facts": ["10.000 đồng"]},
            {"id": "2", "question": "dang ky tam tru", "relevant": ["2"], "in_kb": True},
            {"id": "3", "question": "Đăng ký tạm trú", "relevant": ["2"], "in_kb": True},
        ],
    )
    questions = load_questions([path])
    assert [(q.id, q.variant) for q in questions] == [("1", "en"), ("2", "vi"), ("3", "vi"), ("3", "vi-folded")]
    assert questions[0].facts == ("10.000 đồng",)

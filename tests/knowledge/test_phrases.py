"""The phrase matcher shared by the term list and the synonym list."""

import pytest

from knowledge.phrases import PhraseMatcher

MATCHER = PhraseMatcher(
    [
        ("hộ khẩu", "residence"),
        ("sổ hộ khẩu", "residence book"),
        ("sổ đỏ", "land"),
        ("VAT", "tax"),
        ("ủy ban", "committee"),
        ("adopt a child", "adoption"),
        ("child", "child"),
    ]
)


def values(text: str) -> list[str]:
    return MATCHER.scan(text).values()


@pytest.mark.parametrize("text", ["hộ khẩu", "ho khau", "HỘ KHẨU", "Hộ Khẩu!", "ho khẩu"])
def test_folded_or_accented_text_matches(text: str) -> None:
    assert values(text) == ["residence"]


def test_the_longest_phrase_wins_and_claims_its_words() -> None:
    assert values("làm lại sổ hộ khẩu") == ["residence book"]
    assert values("how to adopt a child") == ["adoption"]


def test_whole_words_only() -> None:
    assert values("vatican") == [] and values("sổ hộ khẩux") == []


@pytest.mark.parametrize("text", ["vật liệu nổ", "sơ đồ thửa đất"])
def test_typed_diacritics_must_agree(text: str) -> None:
    assert values(text) == []


@pytest.mark.parametrize("text", ["so do", "sổ do", "uỷ ban", "ủy ban", "uy ban"])
def test_missing_marks_or_moved_tones_still_match(text: str) -> None:
    assert values(text)


def test_spans_index_the_nfc_text_and_replace_in_order() -> None:
    scan = MATCHER.scan("sổ đỏ và  hộ khẩu?")
    assert [scan.text[s.start : s.end] for s in scan.spans] == ["sổ đỏ", "hộ khẩu"]
    assert scan.replaced(lambda span: span.value.upper()) == "LAND và RESIDENCE ?"


def test_equally_long_phrases_go_to_the_first_listed() -> None:
    assert PhraseMatcher([("fee", 1), ("fee", 2)]).scan("fee").values() == [1]

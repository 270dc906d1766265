"""The synonym list: old names and abbreviations bring the records' official phrases."""

import json
from pathlib import Path

import pytest

from knowledge.normalize import fold, name_key
from knowledge.synonyms import Synonym, SynonymFileError, SynonymList
from tests.conftest import ROOT, SHARED, require_shared

SYNONYMS_FILE = ROOT / "data" / "synonyms.yaml"
SYNONYMS = SynonymList.load(SYNONYMS_FILE)


def test_the_file_has_a_useful_number_of_entries() -> None:
    assert 60 <= len(SYNONYMS.entries) <= 100


@pytest.mark.parametrize("entry", SYNONYMS.entries, ids=lambda e: e.canonical)
def test_every_variant_expands_and_rewrites_to_its_canonical_phrase(entry: Synonym) -> None:
    for variant in entry.variants:
        assert SYNONYMS.expand(variant) == entry.canonical, variant
        assert SYNONYMS.rewrite(variant) == entry.canonical, variant
        # Typed without diacritics it still reaches the canonical phrase, folded or as written.
        assert fold(SYNONYMS.rewrite(fold(variant))) == fold(entry.canonical), variant
    assert SYNONYMS.expand(entry.canonical) == ""
    assert SYNONYMS.rewrite(entry.canonical) == entry.canonical


@pytest.mark.parametrize(
    ("query", "official"),
    [
        ("thủ tục cắt hộ khẩu", "xóa đăng ký thường trú"),
        ("thu tuc cat ho khau", "xóa đăng ký thường trú"),
        ("Làm lại CMND bị mất ở đâu?", "thẻ căn cước"),
        ("lam lai cmnd bi mat o dau", "thẻ căn cước"),
        ("CÀ VẸT XE bị mất", "chứng nhận đăng ký xe"),
    ],
)
def test_folded_and_accented_questions_expand_alike(query: str, official: str) -> None:
    assert SYNONYMS.expand(query) == official


def test_rewrite_keeps_the_rest_of_the_question_as_typed() -> None:
    assert SYNONYMS.rewrite("Cách làm sổ đỏ cho đất thổ cư?") == "Cách làm giấy chứng nhận quyền sử dụng đất cho đất ở ?"
    assert SYNONYMS.rewrite("dang ky ho khau o dau") == "đăng ký thường trú o dau"


def test_whole_words_only() -> None:
    assert SYNONYMS.expand("cmndx bhxhvn") == ""
    assert SYNONYMS.expand("mã số mstx") == ""


def test_the_longest_variant_wins() -> None:
    assert SYNONYMS.rewrite("làm sổ hộ khẩu") == "làm thường trú"  # not "làm sổ thường trú"
    assert SYNONYMS.expand("nhập hộ khẩu cho con") == "đăng ký thường trú"  # not "thường trú"
    assert SYNONYMS.expand("nhập hộ khẩu và đổi CMND") == "đăng ký thường trú thẻ căn cước"


def test_a_variant_inside_a_longer_record_phrase_is_left_alone() -> None:
    assert SYNONYMS.expand("đăng ký xe máy chuyên dùng") == ""
    assert SYNONYMS.expand("đăng ký xe máy") == "xe mô tô, xe gắn máy"


def test_an_official_phrase_already_asked_adds_nothing() -> None:
    assert SYNONYMS.expand("đăng ký thường trú hay nhập hộ khẩu") == ""


def test_words_typed_with_other_diacritics_are_other_words() -> None:
    assert SYNONYMS.expand("giấy phép vận chuyển vật liệu nổ") == ""  # "vật" is not VAT
    assert SYNONYMS.expand("sơ đồ thửa đất") == ""  # "sơ đồ" is not "sổ đỏ"
    assert SYNONYMS.expand("so do") == "giấy chứng nhận quyền sử dụng đất"


def test_a_missing_file_is_an_empty_list(tmp_path: Path) -> None:
    assert SynonymList.load(tmp_path / "none.yaml").expand("hộ khẩu") == ""


@pytest.mark.parametrize(
    "text",
    [
        "- {canonical: thường trú, variants: [hộ khẩu]}\n- {canonical: tạm trú, variants: [ho khau]}",
        "- {canonical: thường trú, variants: [hộ khẩu, hộ khẩu]}",
        "- {variants: [hộ khẩu]}",
    ],
)
def test_a_phrase_in_two_places_or_a_missing_canonical_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SynonymFileError, match="synonyms.yaml"):
        SynonymList.load(path)


def test_spellings_that_differ_only_in_diacritics_may_share_an_entry(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text("- {canonical: chứng nhận đăng ký xe, variants: [cà vẹt, cà vét]}", encoding="utf-8")
    assert SynonymList.load(path).expand("mất cà vét") == "chứng nhận đăng ký xe"


@pytest.mark.shared
def test_every_canonical_phrase_occurs_in_a_national_record() -> None:
    tthc = require_shared(SHARED / "data" / "tthc")
    records = []
    for path in sorted(tthc.glob("*/*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        records.append(" " + name_key(" ".join(v for v in record.values() if isinstance(v, str))) + " ")
    corpus = "\n".join(records)
    assert len(records) > 2000
    missing = [e.canonical for e in SYNONYMS.entries if f" {name_key(e.canonical)} " not in corpus]
    assert missing == []

from pathlib import Path

from knowledge.guides import load_guide_file
from knowledge.mentions import names_procedure, procedure_names, without_mentions

GUIDES = Path(__file__).resolve().parents[2] / "data" / "guides"


def test_names_are_titles_and_aliases_in_both_languages() -> None:
    guide = load_guide_file(GUIDES / "1.004194-dang-ky-tam-tru.yaml")
    names = procedure_names(guide)
    assert names[0] == "Đăng ký tạm trú"
    assert {"khai báo tạm trú", "đăng ký KT3", "Temporary residence registration", "tạm trú"} <= set(names)
    assert "đăng ký tạm trú" not in names  # the same name as the title, once


def test_a_bracketed_qualifier_is_not_part_of_the_name() -> None:
    guide = load_guide_file(GUIDES / "2.001159-thong-bao-luu-tru.yaml")
    assert "Notice of stay" in procedure_names(guide)
    assert not any("(" in name for name in procedure_names(guide))


def test_a_mention_names_the_procedure_typed_any_way() -> None:
    guide = load_guide_file(GUIDES / "1.004194-dang-ky-tam-tru.yaml")
    assert names_procedure("dang ky tam tru", guide)
    assert names_procedure("ĐĂNG KÝ TẠM TRÚ", guide)
    assert names_procedure("temporary residence registration", guide)
    assert not names_procedure("tạm trú nhà", guide)
    assert not names_procedure("", guide)


def test_without_mentions_leaves_what_else_is_said() -> None:
    assert without_mentions("lệ phí làm tạm trú thì sao", ["làm tạm trú"]).split() == ["lệ", "phí", "thì", "sao"]
    assert without_mentions("lệ phí", []) == "lệ phí"

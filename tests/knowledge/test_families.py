"""One procedure at several levels is one family; the level a question names picks the member."""

import pytest

from knowledge.families import family_key, group_families, level_asked, serves_level


@pytest.mark.parametrize(
    "title",
    [
        "Cấp lại thẻ căn cước",
        "Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)",
        "Cấp lại thẻ căn cước (thực hiện tại cấp trung ương)",
        "CẤP LẠI THẺ CĂN CƯỚC (cấp xã)",
    ],
)
def test_level_qualifiers_are_not_part_of_the_family(title: str) -> None:
    assert family_key(title) == "cap lai the can cuoc"


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Cấp thẻ tạm trú cho người nước ngoài tại Việt Nam tại Công an cấp tỉnh", "cap the tam tru cho nguoi nuoc ngoai tai viet nam"),
        ("Bổ nhiệm và cấp thẻ giám định viên tư pháp cấp tỉnh", "bo nhiem va cap the giam dinh vien tu phap"),
        ("Xác nhận đăng ký thu hồi khoáng sản (cấp Xã)", "xac nhan dang ky thu hoi khoang san"),
    ],
)
def test_trailing_and_bracketed_levels(title: str, key: str) -> None:
    assert family_key(title) == key


def test_issuing_is_not_a_level() -> None:
    """ "Cấp" at the start means "issue": "Cấp hộ chiếu" and "Cấp lại hộ chiếu" stay two procedures."""
    assert family_key("Cấp hộ chiếu phổ thông") != family_key("Cấp lại hộ chiếu phổ thông")
    assert family_key("Cấp hộ chiếu phổ thông") == "cap ho chieu pho thong"


def test_group_families_names_each_family_by_its_smallest_code() -> None:
    families = group_families(
        [
            ("2.001194", "Cấp lại thẻ căn cước (thực hiện tại cấp tỉnh)"),
            ("1.014064", "Cấp lại thẻ căn cước"),
            ("1.004222", "Đăng ký thường trú"),
        ]
    )
    assert families == {"2.001194": "1.014064", "1.014064": "1.014064", "1.004222": "1.004222"}


@pytest.mark.parametrize(
    ("question", "level"),
    [
        ("nộp ở công an xã được không", "xa"),
        ("UBND phường có làm không", "xa"),
        ("làm ở cấp tỉnh mất bao lâu", "tinh"),
        ("nộp tại Bộ Công an", "bo"),
        ("làm căn cước mất bao lâu", None),
    ],
)
def test_level_asked(question: str, level: str | None) -> None:
    assert level_asked(question) == level


def test_serves_level_reads_the_level_field_and_the_title() -> None:
    assert serves_level("Cấp tỉnh, Cấp xã", "Đăng ký xe", "xa")
    assert serves_level("", "Cấp lại thẻ căn cước (thực hiện tại cấp trung ương)", "bo")
    assert not serves_level("Cấp bộ", "Cấp lại thẻ căn cước (thực hiện tại cấp trung ương)", "tinh")

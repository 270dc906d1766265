import pytest

from api.privacy import redact


def test_redacts_personal_numbers_and_emails() -> None:
    text = redact("CCCD 001203004567, ĐT 0912 345 678 hoặc +84912345678, mail an.nguyen@example.vn")
    assert "001203004567" not in text and "0912" not in text and "84912345678" not in text and "example.vn" not in text
    assert "[số định danh]" in text and "[email]" in text


def test_keeps_ordinary_numbers() -> None:
    assert redact("lệ phí 20.000 đồng trong 7 ngày") == "lệ phí 20.000 đồng trong 7 ngày"


def test_redacts_id_numbers_typed_in_groups() -> None:
    assert redact("số CCCD 0012 0300 4567 nhé") == "số CCCD [số định danh] nhé"
    assert redact("001 203 004 567") == "[số định danh]"


def test_keeps_money_written_with_dots() -> None:
    assert redact("lệ phí 100.000.000.000 đồng") == "lệ phí 100.000.000.000 đồng"


@pytest.mark.parametrize(
    "written",
    ["0912 345 678", "+84 912 345 678", "0912.345.678", "024 3825 1234", "(024) 3825-1234", "84912345678", "0168 123 4567"],
)
def test_redacts_phone_numbers_as_typed(written: str) -> None:
    assert redact(f"gọi {written} giúp tôi") == "gọi [số điện thoại] giúp tôi"


def test_redacts_a_phone_the_library_matcher_reads_as_part_of_a_date() -> None:
    assert redact("ngày 05/03/2024 0912345678") == "ngày 05/03/2024 [số điện thoại]"
    assert redact("sinh năm 1990 0912 345 678") == "sinh năm 1990 [số điện thoại]"


def test_id_numbers_go_first_and_money_and_hotlines_stay() -> None:
    assert redact("CCCD 001203004567 lệ phí 100.000.000 đồng") == "CCCD [số định danh] lệ phí 100.000.000 đồng"
    assert redact("tổng đài 1900 1234, thủ tục 1.004194") == "tổng đài 1900 1234, thủ tục 1.004194"
    assert redact("CMND 123456789") == "CMND [số CMND]"


def test_keeps_the_products_own_identifiers_whose_digits_look_like_an_id_number() -> None:
    payload = '/submit_application{"application_id":"4a814ae61d354b9ba123456789a3aeed"} CMND 123456789'
    assert redact(payload) == '/submit_application{"application_id":"4a814ae61d354b9ba123456789a3aeed"} CMND [số CMND]'
    assert redact("001203004567abcd") == "[số định danh]abcd"  # a real number typed against letters still goes

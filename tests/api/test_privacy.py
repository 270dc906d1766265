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

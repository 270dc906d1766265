import pytest

from knowledge.language import detect_language
from knowledge.normalize import fold, index_terms


def test_fold_removes_diacritics_and_d_stroke() -> None:
    assert fold("Đăng ký Thường trú") == "dang ky thuong tru"


def test_folded_and_accented_queries_share_terms() -> None:
    assert index_terms("đăng ký thường trú") == index_terms("dang ky thuong tru")
    assert "thuong_tru" in index_terms("Đăng ký thường trú")


def test_nfd_input_is_normalised() -> None:
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "hộ chiếu")) == "ho chieu"


def test_language_detection() -> None:
    assert detect_language("Đăng ký tạm trú ở đâu?") == "vi"
    assert detect_language("dang ky tam tru o dau") == "vi"
    assert detect_language("where do I register temporary residence") == "en"
    assert detect_language("🙂", default="en") == "en"


@pytest.mark.parametrize("text", ["that helped", "this answer was wrong", "how long will it take", "passport fee?"])
def test_short_english_is_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", ["cam on ban", "le phi ho chieu", "mat bao lau", "ok cam on nhe", "me toi muon lam cccd"])
def test_short_folded_vietnamese_stays_vietnamese(text: str) -> None:
    assert detect_language(text) == "vi"

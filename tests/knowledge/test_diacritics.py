"""Diacritics put back from the titles' spellings, pairs before single syllables."""

from knowledge.diacritics import Restorer

RESTORER = Restorer.of_texts(["Đăng ký tạm trú", "Đăng ký thường trú", "Cấp đổi thẻ căn cước", "Thủ tục cấp lại thẻ căn cước", "Tạm dừng"])


def test_a_folded_question_gets_the_titles_spelling() -> None:
    assert RESTORER.restore("thu tuc dang ky tam tru") == "thủ tục đăng ký tạm trú"
    assert RESTORER.restore("Cap doi the can cuoc o dau") == "cấp đổi thẻ căn cước o dau"  # words no title holds stay


def test_a_pair_settles_what_a_single_syllable_cannot() -> None:
    # "tam" alone is "tạm" in these titles, and so is it in "tam tru"; "thuong tru" is read as one pair.
    assert RESTORER.restore("thuong tru") == "thường trú" and RESTORER.restore("tam") == "tạm"


def test_nothing_known_is_left_as_typed() -> None:
    assert RESTORER.restore("hello world") == "hello world"
    assert Restorer.of_texts([]).restore("dang ky") == "dang ky"

"""The bilingual term list: English phrases bring their Vietnamese equivalents."""

from pathlib import Path

import pytest

from knowledge.terms import TermList
from tests.conftest import ROOT

TERMS = TermList(
    (
        (("child", "my son"), ("trẻ em", "con")),
        (("adopt", "adopt a child"), ("nuôi con nuôi",)),
        (("vat", "value added tax"), ("thuế giá trị gia tăng",)),
        (("online",), ("trực tuyến",)),
    )
)


def test_expand_lists_the_equivalents_of_the_phrases_found() -> None:
    assert TERMS.expand("Can I apply ONLINE for my son?") == "trẻ em con trực tuyến"


def test_the_longest_phrase_wins() -> None:
    assert TERMS.expand("how do I adopt a child") == "nuôi con nuôi"


def test_translate_keeps_the_words_the_list_does_not_know() -> None:
    assert TERMS.translate("museum tickets online") == "trực tuyến museum tickets"


def test_whole_words_only() -> None:
    assert TERMS.expand("childhood vaccination") == ""


def test_vietnamese_words_with_diacritics_are_not_english() -> None:
    # "vật" folds to "vat"; the citizen who typed the mark meant "vật liệu", not VAT.
    assert TERMS.expand("giấy phép vận chuyển vật liệu nổ") == ""
    assert TERMS.expand("hoan thue vat") == "thuế giá trị gia tăng"


def test_a_missing_file_is_an_empty_list(tmp_path: Path) -> None:
    assert TermList.load(tmp_path / "none.yaml").expand("online") == ""


@pytest.mark.parametrize(
    ("question", "vietnamese"),
    [
        ("How do I register my permanent residence?", "thường trú"),
        ("I lost my passport", "hộ chiếu"),
        ("how much is the fee", "lệ phí"),
        ("How do I register a mortgage on my red book?", "đăng ký biện pháp bảo đảm"),
        ("Can I split my land into two plots?", "tách thửa"),
        ("Can I renounce my Vietnamese citizenship?", "thôi quốc tịch việt nam"),
        ("How do I apply for an e-visa?", "thị thực điện tử"),
        ("I want to withdraw my social insurance in one go", "bảo hiểm xã hội một lần"),
        ("Our building permit will expire, can we extend the building permit?", "gia hạn giấy phép xây dựng"),
        ("How do I become a currency exchange agent?", "đại lý đổi ngoại tệ"),
        ("Who issues the quarantine certificate for my dog?", "kiểm dịch động vật"),
        ("Do I need a permit to fly a drone?", "tàu bay không người lái"),
        ("How long does customs clearance take?", "thủ tục hải quan"),
    ],
)
def test_the_real_list(question: str, vietnamese: str) -> None:
    assert vietnamese in TermList.load(ROOT / "data" / "terms.yaml").expand(question)


def test_a_longer_new_phrase_keeps_the_meaning_of_the_shorter_one_it_covers() -> None:
    # "renounce my Vietnamese citizenship" must not be read as "Vietnamese citizenship"
    # (naturalisation), and a pet's health certificate is not a medical check-up.
    terms = TermList.load(ROOT / "data" / "terms.yaml")
    assert "nhập quốc tịch" not in terms.expand("Can I renounce my Vietnamese citizenship?")
    assert "giấy khám sức khỏe" not in terms.expand("I need a pet health certificate for my cat")


@pytest.mark.parametrize(
    ("question", "vietnamese"),
    [
        # One question per heading added from the national records' titles (issue 11).
        ("Can we temporarily import machines for re export?", "tạm nhập"),
        ("Who approves dredging in the port water area?", "nạo vét"),
        ("Where do I report counterfeit money?", "tiền giả"),
        ("Can a shop exchange Chinese yuan near the border?", "tiền của nước có chung biên giới"),
        ("How do we buy tax stamps for imported cigarettes?", "tem điện tử"),
        ("How is a no fly zone set up?", "khu vực cấm bay"),
        ("How do I register a tender offer for a listed company?", "chào mua công khai"),
        ("How do I get an AB stamp?", "tem ab"),
        ("Who approves the mine closure plan?", "đóng cửa mỏ"),
        ("How do I get a cross border transport permit to Laos?", "giấy phép liên vận"),
        ("How do I register a field trial for a new livestock breed?", "khảo nghiệm"),
        ("Who can open a new fishing port?", "cảng cá"),
        ("Can I build inside the irrigation works protection zone?", "phạm vi bảo vệ công trình thủy lợi"),
        ("What do insurers need to sell microinsurance?", "bảo hiểm vi mô"),
        ("Who approves the investor for a project in an industrial park?", "khu công nghiệp"),
        ("Who can rent official residence housing?", "nhà ở công vụ"),
        ("Can a shooting club own sports weapons?", "vũ khí thể thao"),
        ("How do I get a FLEGT licence for timber exports?", "flegt"),
        ("Who issues a permit for dumping at sea?", "nhận chìm ở biển"),
        ("How do I register an SMS brandname?", "tên định danh"),
        ("My father was exposed to Agent Orange, what support is there?", "chất độc hóa học"),
        ("What licence does a lottery business need?", "xổ số"),
        ("How do I become a legal consultant at a legal consulting centre?", "tư vấn pháp luật"),
        ("Do I need a permit to cut down trees in the city?", "chặt hạ"),
        ("Which train driver licence do I need?", "giấy phép lái tàu"),
    ],
)
def test_the_domains_added_from_the_records_titles(question: str, vietnamese: str) -> None:
    assert vietnamese in TermList.load(ROOT / "data" / "terms.yaml").expand(question)


@pytest.mark.parametrize(
    "question",
    [
        "Where is the bus station in Hanoi?",
        "What are the best parks to visit in Da Nang?",
        "Which beer is popular in Vietnam?",
        "Is the statue in the square worth a visit?",
    ],
)
def test_everyday_words_near_the_new_domains_bring_nothing(question: str) -> None:
    assert TermList.load(ROOT / "data" / "terms.yaml").expand(question) == ""

"""Retrieval over the curated guides (deterministic hash embedder; the real model is benchmarked)."""

from pathlib import Path

import pytest

from knowledge.aspects import detect_aspect, mentions_topic, topic_words
from knowledge.index import load_index
from knowledge.search import Searcher
from knowledge.service import KnowledgeService
from knowledge.synonyms import SynonymList
from knowledge.terms import TermList
from tests.conftest import ROOT, TEST_EMBEDDER

RESIDENCE = "1.004222"


@pytest.fixture(scope="module")
def service(index_dir: Path) -> KnowledgeService:
    index = load_index(index_dir, expected_model=TEST_EMBEDDER.name)
    synonyms = SynonymList.load(ROOT / "data" / "synonyms.yaml")
    return KnowledgeService(Searcher(index, TEST_EMBEDDER, TermList.load(ROOT / "data" / "terms.yaml"), synonyms=synonyms), index_dir)


@pytest.mark.parametrize(
    "question",
    ["Thủ tục đăng ký thường trú như thế nào?", "thu tuc dang ky thuong tru nhu the nao", "How do I register my permanent residence?"],
)
def test_residence_questions_find_the_residence_guide(service: KnowledgeService, question: str) -> None:
    outcome = service.search(question)
    assert outcome.hits[0].code == RESIDENCE
    # Answered, or offered first: the verdict was trained with the national records in the index, and over the
    # 31 curated guides alone a question without diacritics falls just under the bar to answer outright.
    assert outcome.status == "answered" or (outcome.status == "clarify" and question.isascii())


@pytest.mark.parametrize("question", ["giá vàng hôm nay", "who won the football match yesterday", "🙂🙂🙂", "!!!"])
def test_out_of_scope_is_unanswerable(service: KnowledgeService, question: str) -> None:
    assert service.search(question).status == "unanswerable"


@pytest.mark.parametrize(("question", "status"), [("đăng ký", "clarify"), ("căn cước", "clarify"), ("hộ chiếu", "answered")])
def test_a_bare_topic_that_several_titles_contain_asks_which(service: KnowledgeService, question: str, status: str) -> None:
    assert service.search(question).status == status


def test_long_queries_are_cut_with_a_notice(service: KnowledgeService) -> None:
    outcome = service.search("đăng ký thường trú " * 100)
    assert outcome.notices and "cut" in outcome.notices[0]


def test_answer_cites_the_guide_and_answers_the_aspect(service: KnowledgeService) -> None:
    reply = service.answer_for(RESIDENCE, "vi", "fee")
    assert reply.answer["status"] == "answered"
    assert reply.answer["procedures"][0]["code"] == RESIDENCE
    card = reply.answer["guide"]
    assert card["channels"] and card["steps"] is None
    assert "10.000" in reply.text and card["source_url"].startswith("https://")


def test_a_fee_question_states_the_fee_whether_answered_or_offered_first(service: KnowledgeService) -> None:
    reply = service.ask("đăng ký thường trú hết bao nhiêu tiền")
    assert reply.answer["status"] in ("answered", "clarify") and reply.answer["procedures"][0]["code"] == RESIDENCE
    assert "10.000" in reply.text  # in the answer, or on the residence option's line of the choice


def test_follow_up_uses_the_current_procedure(service: KnowledgeService) -> None:
    reply = service.ask("còn lệ phí thì sao?", current_code=RESIDENCE)
    assert reply.guide_code == RESIDENCE and reply.answer["aspect"] == "fee"


def test_a_new_topic_replaces_the_current_procedure(service: KnowledgeService) -> None:
    reply = service.ask("làm hộ chiếu mất bao lâu", current_code=RESIDENCE)
    assert reply.guide_code != RESIDENCE


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("lệ phí bao nhiêu", "fee"),
        ("cần giấy tờ gì", "documents"),
        ("how long does it take", "time"),
        ("nộp ở đâu", "where"),
        ("hello", "overview"),
    ],
)
def test_aspect_detection(question: str, aspect: str) -> None:
    assert detect_aspect(question) == aspect


@pytest.mark.parametrize(
    "follow_up",
    ["còn lệ phí thì sao?", "and the fee?", "nộp hồ sơ ở đâu", "hồ sơ gồm những gì", "cần chuẩn bị giấy tờ gì", "các bước thực hiện",
     "where do I submit", "where do I apply"],
)  # fmt: skip
def test_follow_ups_name_no_topic(follow_up: str) -> None:
    assert not mentions_topic(follow_up)


@pytest.mark.parametrize("question", ["đăng ký tạm trú mất bao lâu", "làm hộ chiếu ở đâu", "where do I apply for a passport"])
def test_new_topics_are_seen(question: str) -> None:
    assert mentions_topic(question)


def test_a_question_mixing_two_procedures_offers_both(service: KnowledgeService) -> None:
    outcome = service.search("làm giấy khai sinh và đăng ký thường trú cho con mới sinh")
    codes = [h.code for h in outcome.hits[:4]]
    assert outcome.status == "clarify" and "1.001193" in codes and RESIDENCE in codes


@pytest.mark.parametrize("question", ["GPLX", "đổi GPLX", "gplx het han"])
def test_a_question_of_abbreviations_reaches_the_family_they_stand_for(service: KnowledgeService, question: str) -> None:
    outcome = service.search(question)
    assert outcome.status != "unanswerable" and outcome.hits[0].code in {"3.000347", "3.000348"}


def test_a_long_message_is_answered_from_its_asking_sentence(service: KnowledgeService) -> None:
    noise = "Nhà tôi ở gần chợ, hôm nay trời nắng và đường rất đông xe cộ qua lại. " * 25
    outcome = service.search(noise + "Cho tôi hỏi đăng ký thường trú cần giấy tờ gì? " + "Cảm ơn cán bộ nhiều ạ. " * 10)
    assert len(noise) > 1500 and outcome.hits[0].code == RESIDENCE and outcome.status == "answered"
    assert "thường trú" in outcome.asked and len(outcome.asked) < 400


@pytest.mark.parametrize(
    "question", ["Không đăng ký tạm trú thì bị phạt bao nhiêu tiền?", "mức đóng bảo hiểm xã hội tự nguyện là bao nhiêu phần trăm"]
)
def test_questions_about_the_law_are_marked(service: KnowledgeService, question: str) -> None:
    assert service.search(question).question_kind == "law"


@pytest.mark.parametrize(("question", "words"), [("lệ phí hộ chiếu là bao nhiêu", ["ho", "chieu"]), ("còn lệ phí thì sao?", [])])
def test_topic_words_leave_out_what_is_asked_and_filler(question: str, words: list[str]) -> None:
    assert topic_words(question) == words


def test_a_bare_topic_with_an_aspect_is_not_refused(service: KnowledgeService) -> None:
    assert service.search("lệ phí căn cước").status == "clarify"  # four card procedures: which one?


def test_an_english_question_is_also_matched_in_its_vietnamese_rendering(index_dir: Path) -> None:
    index = load_index(index_dir, expected_model=TEST_EMBEDDER.name)
    searcher = Searcher(index, TEST_EMBEDDER, TermList.load(ROOT / "data" / "terms.yaml"))
    english = searcher.explain("How do I register my permanent residence?").signals
    vietnamese = searcher.explain("Đăng ký thường trú như thế nào?").signals
    family = searcher.family_of(RESIDENCE)
    assert english[family].rendered_dense > 0.5 and english[family].rendered_rank < 3
    assert all(s.rendered_dense == 0.0 for s in vietnamese.values())


def test_a_question_naming_one_procedure_is_answered_however_unsure_the_model_is(index_dir: Path) -> None:
    from dataclasses import replace

    from knowledge.ranker import load_model

    never_sure = replace(load_model(), answer_above=1.01)  # p(first right) never clears the bar
    index = load_index(index_dir, expected_model=TEST_EMBEDDER.name)
    searcher = Searcher(index, TEST_EMBEDDER, TermList(()), model=never_sure)
    named = searcher.search("khai tử cần giấy tờ gì")  # its topic words are in one title only
    assert (named.status, named.hits[0].code) == ("answered", "1.000656")
    assert searcher.search("thủ tục đăng ký cho con cần giấy tờ gì").status == "clarify"  # "đăng ký" is in many titles

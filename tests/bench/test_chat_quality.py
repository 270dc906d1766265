"""Scoring one chat turn and the benchmark's tables (the runner itself needs the real product)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.chat_quality import (
    ReplySummary,
    fact_table,
    in_kb_outcome,
    misses_table,
    out_kb_outcome,
    outcome_table,
    report,
    score,
    summarise_reply,
    with_reference_facts,
)
from knowledge.evalset import Question, load_questions

FALLBACK = frozenset({"Sorry, I can only help with administrative procedures and public services. Which procedure are you asking about?"})


def bot(kind: str, text: str, answer: dict | None = None, buttons: list[dict] | None = None) -> dict:
    return {"id": "1", "sender": "bot", "kind": kind, "text": text, "created_at": "", "buttons": buttons or [], "answer": answer}


def card(status: str, codes: list[str], aspect: str = "overview", guide: dict | None = None) -> dict:
    procedures = [{"code": c, "title": f"T{c}", "url": ""} for c in codes]
    return {"status": status, "procedures": procedures, "aspect": aspect, "guide": guide}


def choose(code: str) -> dict:
    return {"title": code, "payload": f'/choose_procedure{{"procedure_code":"{code}"}}'}


def question(in_kb: bool = True, variant: str = "vi", kind: str = "fee", facts: tuple[str, ...] = (), qid: str = "q1") -> Question:
    return Question(
        id=qid, text="?", relevant=("1.1",) if in_kb else (), in_kb=in_kb, lang=variant[:2], variant=variant, kind=kind, facts=facts
    )


def test_an_answer_card_gives_status_codes_and_every_string() -> None:
    guide = {"title": "Đăng ký", "channels": [{"kind": "online", "fee": "10.000 đồng", "time": "3 ngày làm việc"}]}
    reply = summarise_reply([bot("answer", "Lệ phí Đăng ký: ...", card("answered", ["1.1"], "fee", guide))], fallback_texts=FALLBACK)
    assert (reply.status, reply.codes, reply.not_said) == ("answered", ("1.1",), False)
    assert "10.000 đồng" in reply.strings and "Lệ phí Đăng ký: ..." in reply.strings


def test_clarify_codes_come_from_procedures_and_buttons() -> None:
    message = bot("answer", "Bạn muốn hỏi về thủ tục nào?", card("clarify", ["1.1", "1.2"]), [choose("1.2"), choose("1.3")])
    assert summarise_reply([message], fallback_texts=FALLBACK).codes == ("1.1", "1.2", "1.3")


def test_the_guide_not_saying_is_noticed() -> None:
    missing = bot(
        "answer", "The guide for Passport does not say; see the source below or ask a person.", card("answered", ["1.1"], "conditions")
    )
    assert summarise_reply([missing], fallback_texts=FALLBACK).not_said
    no_fee = bot("answer", "Hướng dẫn Đăng ký khai tử không ghi lệ phí. Xem trang thủ tục.", card("answered", ["1.1"], "fee"))
    assert summarise_reply([no_fee], fallback_texts=FALLBACK).not_said
    empty_fee = card("answered", ["1.1"], "fee", {"channels": [{"kind": "online", "fee": None, "time": "3 days"}]})
    assert summarise_reply([bot("answer", "Fee for X: Online: the guide states no fee.", empty_fee)], fallback_texts=FALLBACK).not_said


def test_replies_without_a_card() -> None:
    def status(*messages: dict) -> str:
        return summarise_reply(list(messages), fallback_texts=FALLBACK).status

    assert status(bot("text", "Xin chào! Tôi là trợ lý ảo")) == "small-talk"
    assert status(bot("text", next(iter(FALLBACK)))) == "fallback"
    assert status(bot("handoff", "I am passing you to a call-center agent.")) == "handoff"
    assert status({"sender": "system", "kind": "notice", "text": "unavailable"}) == "other"
    assert status() == "other"


def test_in_kb_outcomes() -> None:
    relevant = ("1.1", "1.1b")
    assert in_kb_outcome(ReplySummary("answered", ("1.1b",)), relevant) == "right-first"
    assert in_kb_outcome(ReplySummary("answered", ("9.9", "1.1")), relevant) == "wrong"
    assert in_kb_outcome(ReplySummary("clarify", ("9.9", "1.1")), relevant) == "right-in-buttons"
    assert in_kb_outcome(ReplySummary("clarify", ("9.9",)), relevant) == "buttons-without"
    assert in_kb_outcome(ReplySummary("unanswerable"), relevant) == "refused"
    assert in_kb_outcome(ReplySummary("fallback"), relevant) == "fallback"


def test_out_of_kb_outcomes() -> None:
    assert out_kb_outcome(ReplySummary("unanswerable")) == "refused"
    assert out_kb_outcome(ReplySummary("answered", ("1.1",), not_said=True)) == "refused"
    assert out_kb_outcome(ReplySummary("answered", ("1.1",))) == "answered"
    assert out_kb_outcome(ReplySummary("clarify", ("1.1",))) == "buttons"
    assert out_kb_outcome(ReplySummary("small-talk")) == "small-talk"


def test_score_checks_each_fact_in_the_reply() -> None:
    reply = ReplySummary("answered", ("1.1",), strings=("Fee: Online: 70,000 VND",))
    result = score(question(facts=("70.000 đồng", "miễn phí")), "f.jsonl", reply)
    assert (result.outcome, result.stated) == ("right-first", (True, False))


def test_outcome_table_counts_per_variant_with_an_all_row() -> None:
    results = [
        score(question(variant="vi"), "f", ReplySummary("answered", ("1.1",))),
        score(question(variant="vi-folded"), "f", ReplySummary("unanswerable")),
        score(question(in_kb=False, variant="en"), "f", ReplySummary("unanswerable")),
    ]
    table = outcome_table(results, scope="in-kb").splitlines()
    assert table[0].startswith("| variant | n | right-first | right-in-buttons |")
    assert table[2].startswith("| vi | 1 | 1 (100 %) | 0 (0 %) |")
    assert table[3].startswith("| vi-folded | 1 | 0 (0 %) |")
    assert table[4].startswith("| all | 2 | 1 (50 %) |")
    assert outcome_table(results, scope="out-of-kb").splitlines()[2].startswith("| en | 1 | 1 (100 %) |")


def test_a_question_whose_guide_is_not_served_is_scored_like_out_of_kb() -> None:
    refused, answered = ReplySummary("unanswerable"), ReplySummary("answered", ("9.9",))
    assert (score(question(), "f", refused, served={"1.1"}).scope, score(question(), "f", refused).scope) == ("in-kb", "in-kb")
    not_served = score(question(), "f", refused, served={"9.9"})
    assert (not_served.scope, not_served.outcome) == ("not-served", "refused")
    assert score(question(), "f", answered, served={"9.9"}).outcome == "answered"
    assert "not served" in report([not_served]) and "not served" not in report([score(question(), "f", refused)])


def test_fact_table_counts_all_some_and_right_first() -> None:
    results = [
        score(question(facts=("70.000 đồng",), qid="a"), "f", ReplySummary("answered", ("1.1",), strings=("70.000 đồng",))),
        score(question(facts=("70.000 đồng", "5 ngày"), qid="b"), "f", ReplySummary("answered", ("9.9",), strings=("70.000 đồng",))),
        score(question(kind="steps", facts=("x",), qid="c"), "f", ReplySummary("answered", ("1.1",))),  # not a fact kind
    ]
    rows = {tuple(c.strip() for c in line.split("|")[1:3]): line for line in fact_table(results).splitlines()[2:]}
    assert rows[("fee", "vi")] == "| fee | vi | 2 | 1 (50 %) | 2 (100 %) | 1 | 1 (100 %) | 0 | – |"
    assert ("time", "vi") not in rows  # no time question: no row, rather than a row of dashes
    assert rows[("all", "vi")].startswith("| all | vi | 2 |")


def test_a_choice_states_a_fact_only_on_a_right_options_line() -> None:
    choice = ReplySummary("clarify", ("9.9", "1.1"), strings=("70.000 đồng", "5 ngày"), values={"9.9": "70.000 đồng", "1.1": "5 ngày"})
    right = score(question(facts=("5 ngày",), qid="a"), "f", choice)
    other = score(question(facts=("70.000 đồng",), qid="b"), "f", choice)  # only the wrong option's fee

    assert right.outcome == "right-in-buttons" and right.stated == (True,)
    assert other.stated == (False,)
    assert fact_table([right, other]).splitlines()[2].endswith("| 0 | – | 2 | 1 (50 %) |")  # fee, vi


def test_misses_name_ids_not_question_texts() -> None:
    q = Question(id="dev-7", text="a private question", relevant=("1.1",), in_kb=True, lang="vi", variant="vi")
    table = misses_table([score(q, "f", ReplySummary("answered", ("9.9",)), intent="ask_fee")])
    assert "| dev-7 | vi | wrong | 1.1 | 9.9 | ask_fee |" in table
    assert "private" not in table


def test_report_has_every_section() -> None:
    text = report([score(question(), "f", ReplySummary("answered", ("1.1",)))], header="Chat quality: 1 question")
    for title in ("Chat quality", "In-KB questions", "Out-of-KB questions", "Fact accuracy", "by NLU intent", "In-KB misses"):
        assert title in text


def test_dev_style_files_get_facts_from_their_answers(tmp_path: Path) -> None:
    path = tmp_path / "dev.jsonl"
    rows = [
        {
            "id": "d1",
            "question": "Làm thẻ mất bao lâu?",
            "relevant": ["1.1"],
            "in_kb": True,
            "kind": "time",
            "answer": "Trong 7 ngày làm việc.",
        },
        {"id": "d2", "question": "Phí bao nhiêu?", "relevant": ["1.1"], "in_kb": True, "kind": "fee", "facts": ["10.000 đồng"]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    questions = with_reference_facts(load_questions([path]), path)
    assert {(q.id, q.variant): q.facts for q in questions} == {
        ("d1", "vi"): ("7 ngày làm việc",),
        ("d1", "vi-folded"): ("7 ngày làm việc",),
        ("d2", "vi"): ("10.000 đồng",),
        ("d2", "vi-folded"): ("10.000 đồng",),
    }

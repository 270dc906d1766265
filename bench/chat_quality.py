"""Quality through the chat: every question sent to `POST /api/chat/messages`, one new conversation each.

    .venv/bin/python -m bench.chat_quality FILES... [--split validation] [--database-url URL] [--index-dir DIR]
        [--out docs/chat-quality.md] [--details /tmp/chat-quality/results.jsonl] [--send-lang]
        [--against http://127.0.0.1:8000 [--rasa-url URL --rasa-token TOKEN]]

Where `python -m knowledge.eval` measures retrieval alone, this measures what a citizen meets: the
NLU's intent, small talk, the fallback, clarify buttons and the answer card, through the real Rasa
server and the app, started like the end-to-end tests (bench/product.py: free ports, a scratch
database under --work). `--against URL` uses a product already running instead.

Question files are read by `knowledge.evalset` (JSON lines; Vietnamese questions are also asked
with their diacritics stripped; `--split` keeps one side of the team's files and drops files that
are not split). Reference facts are a question's `facts`, or for a file with free-text `answer`s
(the dev set) the fees, durations and "miễn phí" found in the answer (bench/facts.py).

The index served is --index-dir (default var/index). With --database-url the index is first
(re)built there from that database's published guides when it is missing or stale, as
`knowledge.eval` does (default directory then var/eval-index, so var/index is never rebuilt);
the conversations still go to the scratch database.

Prints Markdown tables (in-KB outcomes, out-of-KB outcomes, fact accuracy, the in-KB misses by id);
--out writes them to a file too; --details writes one JSON line per question (with the question's text,
so keep it out of the repository).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from bench.facts import facts_for_question, flatten_strings, states_fact
from knowledge.answer import phrases
from knowledge.evalset import Question, load_questions

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ("vi", "vi-folded", "en")
IN_KB_OUTCOMES = ("right-first", "right-in-buttons", "wrong", "buttons-without", "refused", "small-talk", "fallback", "handoff", "other")
OUT_KB_OUTCOMES = ("refused", "answered", "buttons", "small-talk", "fallback", "handoff", "other")
FACT_KINDS = ("fee", "time", "documents")
# A question's scope: the served guides answer it; nothing does; or a national record does, but it is
# not served (curated guides only), so refusing is right and it is scored like an out-of-KB question.
SCOPES = ("in-kb", "out-of-kb", "not-served")


# --- one reply -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplySummary:
    """What one turn's replies amount to, for scoring."""

    status: str  # answered | clarify | unanswerable (an answer card) | small-talk | fallback | handoff | other
    codes: tuple[str, ...] = ()  # the cited procedure first, or the offered ones in order
    not_said: bool = False  # answered with "the guide does not say"
    strings: tuple[str, ...] = ()  # every string of the replies' text and answer cards
    values: Mapping[str, str] = field(default_factory=dict)  # a choice's fee or time per offered code


# The composer's sentences for "the guide does not say" (a template with the guide's title in it).
NOT_SAID_PHRASES = ("missing", "no_fee_at_all", "no_time_at_all")


def _template_pattern(template: str) -> re.Pattern[str]:
    return re.compile(".+".join(re.escape(part) for part in template.split("{title}")), re.DOTALL)


_MISSING = tuple(_template_pattern(phrases(lang)[key]) for lang in ("vi", "en") for key in NOT_SAID_PHRASES if key in phrases(lang))
_CHOSEN_CODE = re.compile(r'"procedure_code"\s*:\s*"([^"]+)"')


def _says_nothing(message: Mapping[str, Any]) -> bool:
    """The composer's honest "the guide does not say", or a fee/time card whose channels all leave it empty."""
    if any(p.search(message.get("text") or "") for p in _MISSING):
        return True
    answer = message.get("answer") or {}
    aspect, channels = answer.get("aspect"), ((answer.get("guide") or {}).get("channels") or [])
    return aspect in ("fee", "time") and bool(channels) and not any(c.get(aspect) for c in channels)


def summarise_reply(messages: Sequence[Mapping[str, Any]], *, fallback_texts: Collection[str]) -> ReplySummary:
    """Summarise one turn: the first answer card decides; otherwise the kind of the first bot message.

    `fallback_texts` are the assistant's "I can only help with procedures" and "talk to a person?"
    replies, which arrive as plain text like small talk does.
    """
    strings = tuple(s for m in messages for s in [m.get("text") or "", *flatten_strings(m.get("answer") or {})] if s)
    card = next((m for m in messages if m.get("answer")), None)
    if card is not None:
        answer = card["answer"]
        codes = [p["code"] for p in answer.get("procedures") or []]
        for button in card.get("buttons") or []:
            chosen = _CHOSEN_CODE.search(button.get("payload") or "")
            if chosen and chosen[1] not in codes:
                codes.append(chosen[1])
        status = answer.get("status") or "other"
        return ReplySummary(status, tuple(codes), status == "answered" and _says_nothing(card), strings, answer.get("values") or {})
    bot = [m for m in messages if m.get("sender") == "bot"]
    if not bot:
        return ReplySummary("other", strings=strings)  # no reply, or the system's "assistant unavailable"
    kinds = {m.get("kind") for m in bot}
    if "handoff" in kinds:
        return ReplySummary("handoff", strings=strings)
    if any((m.get("text") or "").strip() in fallback_texts for m in bot):
        return ReplySummary("fallback", strings=strings)
    return ReplySummary("small-talk" if kinds <= {"text", "buttons"} else "other", strings=strings)


def in_kb_outcome(reply: ReplySummary, relevant: Collection[str]) -> str:
    """One of IN_KB_OUTCOMES for a question the guides answer (any of `relevant` is right)."""
    if reply.status == "answered":
        return "right-first" if reply.codes and reply.codes[0] in relevant else "wrong"
    if reply.status == "clarify":
        return "right-in-buttons" if set(reply.codes) & set(relevant) else "buttons-without"
    if reply.status == "unanswerable":
        return "refused"
    return reply.status if reply.status in IN_KB_OUTCOMES else "other"


def out_kb_outcome(reply: ReplySummary) -> str:
    """One of OUT_KB_OUTCOMES for a question the guides do not answer: refusing, or saying so, is right."""
    if reply.status == "unanswerable" or reply.status == "answered" and reply.not_said:
        return "refused"
    if reply.status == "answered":
        return "answered"
    if reply.status == "clarify":
        return "buttons"
    return reply.status if reply.status in OUT_KB_OUTCOMES else "other"


def facts_stated(facts: Iterable[str], reply: ReplySummary, relevant: Collection[str] = ()) -> tuple[bool, ...]:
    """Each fact, stated by the reply? A choice states it only on a right option's line: another procedure's fee is no answer."""
    text = "\n".join(v for code, v in reply.values.items() if code in relevant) if reply.status == "clarify" else "\n".join(reply.strings)
    return tuple(states_fact(fact, text) for fact in facts)


# --- results and tables --------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    question: Question
    file: str
    reply: ReplySummary
    outcome: str
    scope: str = "in-kb"  # one of SCOPES
    stated: tuple[bool, ...] = ()  # one per question.facts
    intent: str | None = None  # the NLU's intent, when the Rasa server could be asked
    ms: float = 0.0


def scope_of(question: Question, served: Collection[str] | None) -> str:
    """In-KB only if a relevant guide is served (when the served codes are known)."""
    if not question.in_kb:
        return "out-of-kb"
    return "in-kb" if served is None or set(question.relevant) & set(served) else "not-served"


def score(
    question: Question, file: str, reply: ReplySummary, *, served: Collection[str] | None = None, intent: str | None = None, ms: float = 0.0
) -> Result:
    scope = scope_of(question, served)
    outcome = in_kb_outcome(reply, question.relevant) if scope == "in-kb" else out_kb_outcome(reply)
    return Result(question, file, reply, outcome, scope, facts_stated(question.facts, reply, question.relevant), intent, ms)


def _cell(count: int, total: int) -> str:
    return f"{count} ({100 * count / total:.0f} %)" if total else "–"


def _groups(results: Sequence[Result]) -> list[tuple[str, list[Result]]]:
    present = [v for v in VARIANTS if any(r.question.variant == v for r in results)]
    return [(v, [r for r in results if r.question.variant == v]) for v in present] + ([("all", list(results))] if len(present) > 1 else [])


def outcome_table(results: Sequence[Result], *, scope: str) -> str:
    """Counts (and shares) of each outcome per language variant, for the questions of one scope."""
    outcomes = IN_KB_OUTCOMES if scope == "in-kb" else OUT_KB_OUTCOMES
    chosen = [r for r in results if r.scope == scope]
    lines = [f"| variant | n | {' | '.join(outcomes)} |", "|---|---:|" + "---:|" * len(outcomes)]
    for name, group in _groups(chosen):
        counts = Counter(r.outcome for r in group)
        lines.append(f"| {name} | {len(group)} | " + " | ".join(_cell(counts[o], len(group)) for o in outcomes) + " |")
    return "\n".join(lines)


def fact_table(results: Sequence[Result]) -> str:
    """Per kind and variant: replies stating every reference fact, at least one, and the same among right-first answers."""
    lines = [
        "| kind | variant | n with facts | all facts stated | some fact stated | right-first n | right-first, all stated "
        "| right-in-buttons n | right-in-buttons, all stated on its option |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    with_facts = [r for r in results if r.question.kind in FACT_KINDS and r.question.facts and r.scope == "in-kb"]
    for kind in [*FACT_KINDS, "all"]:
        of_kind = [r for r in with_facts if kind in ("all", r.question.kind)]
        for name, group in _groups(of_kind):
            right = [r for r in group if r.outcome == "right-first"]
            chosen = [r for r in group if r.outcome == "right-in-buttons"]
            lines.append(
                f"| {kind} | {name} | {len(group)} | {_cell(sum(all(r.stated) for r in group), len(group))} | "
                f"{_cell(sum(any(r.stated) for r in group), len(group))} | {len(right)} | {_cell(sum(all(r.stated) for r in right), len(right))} | "
                f"{len(chosen)} | {_cell(sum(all(r.stated) for r in chosen), len(chosen))} |"
            )
    return "\n".join(lines)


def misses_table(results: Sequence[Result]) -> str:
    """The in-KB questions not answered right first, by id (the question's text stays out of reports)."""
    lines = ["| id | variant | outcome | relevant | got | intent |", "|---|---|---|---|---|---|"]
    for r in results:
        if r.scope == "in-kb" and r.outcome != "right-first":
            got = ", ".join(r.reply.codes[:4]) or "–"
            lines.append(
                f"| {r.question.id} | {r.question.variant} | {r.outcome} | {', '.join(r.question.relevant)} | {got} | {r.intent or '–'} |"
            )
    return "\n".join(lines)


def intent_table(results: Sequence[Result]) -> str:
    """The NLU intents behind replies without an answer card (small talk, fallback, handoff, other)."""
    counts = Counter((r.intent or "?", r.reply.status) for r in results if r.reply.status not in ("answered", "clarify", "unanswerable"))
    lines = ["| intent | reply | questions |", "|---|---|---:|"]
    lines += [f"| {intent} | {status} | {n} |" for (intent, status), n in counts.most_common()]
    return "\n".join(lines)


def report(results: Sequence[Result], *, header: str = "") -> str:
    sections = [
        header,
        "### In-KB questions (a relevant guide is served)\n\n" + outcome_table(results, scope="in-kb"),
        "### Out-of-KB questions\n\n" + outcome_table(results, scope="out-of-kb"),
        *(
            ["### In the national records but not served (refusing is right)\n\n" + outcome_table(results, scope="not-served")]
            if any(r.scope == "not-served" for r in results)
            else []
        ),
        "### Fact accuracy (fee / time / documents questions with a reference fact)\n\n" + fact_table(results),
        "### No answer card, by NLU intent\n\n" + intent_table(results),
        "### In-KB misses\n\n" + misses_table(results),
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


# --- running the questions -----------------------------------------------------------------------


def with_reference_facts(questions: Sequence[Question], path: Path) -> list[Question]:
    """Questions of `path` with facts taken from the file's free-text `answer` where they have none."""
    raw = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            item = json.loads(line)
            raw[str(item.get("id") or f"{path.name}:{n}")] = item
    return [q if q.facts else replace(q, facts=facts_for_question(raw.get(q.id, {}))) for q in questions]


def fallback_texts() -> frozenset[str]:
    """The assistant's own "out of scope" and "talk to a person?" replies (imported here: rasa-sdk is heavy)."""
    from actions.fallback import OFFER
    from actions.smalltalk import TEXTS

    return frozenset([*TEXTS["out_of_scope"].values(), *OFFER.values()])


def intent_of(client: httpx.Client, rasa_url: str, token: str, conversation_id: str) -> str | None:
    response = client.get(f"{rasa_url}/conversations/{conversation_id}/tracker", params={"token": token, "include_events": "NONE"})
    response.raise_for_status()
    return ((response.json().get("latest_message") or {}).get("intent") or {}).get("name")


def ask_all(
    questions: Sequence[tuple[Question, str]],
    *,
    app_url: str,
    rasa: tuple[str, str] | None,
    served: Collection[str] | None,
    send_lang: bool,
    fallback: Collection[str],
    log=print,
) -> list[Result]:
    """Each question in a new conversation, one after the other (the machine is shared)."""
    results = []
    with httpx.Client(timeout=60) as client:
        for n, (question, file) in enumerate(questions, start=1):
            body = {"conversation_id": None, "text": question.text, "lang": question.lang if send_lang else None}
            started = time.perf_counter()
            response = client.post(f"{app_url}/api/chat/messages", json=body)
            ms = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            turn = response.json()
            intent = intent_of(client, *rasa, turn["conversation_id"]) if rasa else None
            reply = summarise_reply(turn["messages"], fallback_texts=fallback)
            results.append(score(question, file, reply, served=served, intent=intent, ms=ms))
            if n % 25 == 0 or n == len(questions):
                log(f"{n}/{len(questions)} questions")
    return results


def served_codes(index_dir: Path) -> frozenset[str]:
    """The procedure codes of the build `index_dir` serves (its manifest lists them, whatever the index format)."""
    from knowledge.index import read_manifest

    return frozenset(read_manifest(index_dir)["guide_versions"])


def ensure_index(index_dir: Path, database_url: str, log) -> None:
    from api.settings import get_settings
    from knowledge.dense import make_embedder
    from knowledge.eval import open_or_build_index

    open_or_build_index(index_dir, make_embedder(get_settings().embedding_model), database_url, log)


def run_own_product(
    questions: Sequence[tuple[Question, str]], args: argparse.Namespace, fallback: Collection[str], log
) -> tuple[list[Result], str]:
    """Start Rasa and the app like the end-to-end tests, ask everything, stop them. Returns (results, what was served)."""
    from bench.product import INDEX, MODEL, running_product

    index_dir = args.index_dir or (ROOT / "var" / "eval-index" if args.database_url else INDEX)
    if args.database_url:
        ensure_index(index_dir, args.database_url, log)
    work = args.work or Path(tempfile.mkdtemp(prefix="chat-quality-"))
    work.mkdir(parents=True, exist_ok=True)
    model = work / "model.tar.gz"  # a copy: a retrain elsewhere must not swap the model under Rasa
    shutil.copyfile(MODEL.resolve(), model)
    log(f"starting Rasa and the app (logs in {work}) ...")
    env = {"HELPDESK_INDEX_DIR": str(index_dir.resolve()), "HELPDESK_LIMITS__ENABLED": "false"}  # hundreds of questions from one address
    with running_product(work, env=env, model=model) as product:
        served = served_codes(index_dir)  # read after the start: the build the app loaded
        rasa = (product.rasa_url, product.rasa_token)
        results = ask_all(
            questions, app_url=product.app_url, rasa=rasa, served=served, send_lang=args.send_lang, fallback=fallback, log=log
        )
    build = (index_dir / "CURRENT").read_text().strip()
    return results, f"index {index_dir.name}/{build} ({len(served)} guides), model {MODEL.resolve().name}"


def write_details(path: Path, results: Sequence[Result]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for r in results:
            row = {**asdict(r.question), "file": r.file, "scope": r.scope, "outcome": r.outcome, "stated": r.stated, "intent": r.intent}
            row |= {"ms": round(r.ms, 1), "reply": {"status": r.reply.status, "codes": r.reply.codes, "not_said": r.reply.not_said}}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chat_quality", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", type=Path, nargs="+", help="question files (JSON lines)")
    parser.add_argument("--split", choices=("train", "validation"), help="keep one side of the team's files (drops unsplit files)")
    parser.add_argument("--database-url", help="(re)build --index-dir from this database's published guides when stale")
    parser.add_argument("--index-dir", type=Path, help="index the app serves (default var/index; var/eval-index with --database-url)")
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    parser.add_argument("--details", type=Path, help="one JSON line per question (includes the question text)")
    parser.add_argument("--work", type=Path, help="scratch directory for the processes' database and logs (default: a new one in /tmp)")
    parser.add_argument("--send-lang", action="store_true", help="send each question's language, as the page's toggle does")
    parser.add_argument("--against", help="URL of a product already running (nothing is started)")
    parser.add_argument("--rasa-url", help="with --against: its Rasa server, to read the NLU intent of each question")
    parser.add_argument("--rasa-token", default="", help="with --rasa-url: Rasa's --auth-token")
    args = parser.parse_args(argv)
    log = lambda *a: print(*a, file=sys.stderr)  # noqa: E731

    questions = [(q, path.name) for path in args.files for q in with_reference_facts(load_questions([path], split=args.split), path)]
    if not questions:
        sys.exit("no questions: check the files and --split (unsplit files such as the dev set are dropped by --split)")
    log(f"{len(questions)} question variants from {len(args.files)} files")
    fallback = fallback_texts()
    started = time.perf_counter()
    if args.against:
        rasa = (args.rasa_url, args.rasa_token) if args.rasa_url else None
        served = served_codes(args.index_dir) if args.index_dir else None  # unknown: every in-KB question counts as served
        url = args.against.rstrip("/")
        results = ask_all(questions, app_url=url, rasa=rasa, served=served, send_lang=args.send_lang, fallback=fallback, log=log)
        where = f"the product at {url}"
    else:
        results, where = run_own_product(questions, args, fallback, log)
    latencies = [r.ms for r in results]
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
    header = (
        f"Chat quality: {len(results)} question variants ({', '.join(dict.fromkeys(p.name for p in args.files))}"
        f"{', split ' + args.split if args.split else ''}), {where}; language {'sent' if args.send_lang else 'detected'}; "
        f"turn median {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, {time.perf_counter() - started:.0f} s in all."
    )
    text = report(results, header=header)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    if args.details:
        write_details(args.details, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

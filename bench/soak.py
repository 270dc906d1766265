"""Soak: a bounded mixed load at a steady open-loop rate against the real product, on loopback.

    .venv/bin/python -m bench.soak [--duration 600] [--warmup 30] [--chat-rate 4] [--search-rate 2]
        [--feedback-share 0.3] [--handoff-every 20] [--think 2] [--work /tmp/soak] [--out FILE]

Starts Rasa and the app with `bench/product.py` (demo staff seeded, abuse limits off, the call centre
always open, the curated index `var/index`), then for --warmup + --duration seconds:
  * opens conversations at a fixed rate so that the turns come at --chat-rate a second: scripted
    2-4 turn conversations (vi with and without diacritics, en), --think seconds between turns;
  * sends --search-rate searches a second (`GET /api/search`);
  * gives feedback on --feedback-share of the answers (helpful, or at most once per conversation not);
  * every --handoff-th conversation asks for a person; a scripted agent (the demo supervisor, bearer
    token from `POST /api/auth/token`) claims it (`POST /api/agent/tickets/next`), reads the assist
    snippets, replies and resolves; the citizen reads the reply, rates it and asks the bot once more.
Arrivals are open loop: a slow answer does not delay the next arrival. Every request is recorded
with its kind, status and latency; only the measured window (after the warm-up) is reported.
Resident memory (RSS) of the app and of Rasa is sampled every --sample-every seconds, CPU seconds
at the start and the end of the measured window. Prints Markdown tables and writes JSON.

Errors: any status outside 2xx, a transport error or time-out, and a 2xx whose content is wrong
(a chat turn with the "assistant briefly unavailable" notice, a bot that stays silent in a chat it
owns, a handoff that does not leave the chat waiting, an agent reply the citizen cannot read). No
non-2xx status is expected: the limits are off and every request is valid. `POST /api/agent/tickets/next`
answers 204 when nothing waits; the agent only asks after a handoff, so a 204 is counted as an error too.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import random
import shutil
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from api.chat.turns import UNAVAILABLE
from bench.product import MODEL, Product, running_product
from bench.soak_report import Sample, change_pct, error_counts, log_levels, per_window, report, summarize

CONVERSATIONS: list[list[str]] = [
    ["xin chào", "thủ tục đăng ký thường trú như thế nào", "còn lệ phí thì sao?", "cảm ơn"],
    ["chao ban", "lam ho chieu can giay to gi", "mat bao lau", "tam biet"],
    ["hello", "how do I get an ID card", "how much does it cost", "thanks"],
    ["tôi muốn đăng ký khai sinh cho con", "nộp hồ sơ ở đâu", "có làm online được không"],
    ["dang ky tam tru", "ho so gom nhung gi", "cam on"],
    ["I want to apply for a passport", "what documents do I need", "where do I submit", "bye"],
    ["bạn là ai", "thủ tục đăng ký kết hôn cần gì", "mất bao lâu thì xong"],
    ["doi giay phep lai xe", "le phi bao nhieu", "co lam online duoc khong"],
]
# Handoff conversations: a question, the request for a person; after the agent resolves, one more question.
HANDOFFS: list[tuple[str, str, str]] = [
    ("Lệ phí đăng ký thường trú là bao nhiêu?", "tôi muốn gặp tổng đài viên", "Đăng ký tạm trú cần giấy tờ gì?"),
    ("How do I register a birth?", "I want to talk to a person", "how long does it take"),
    ("cap lai can cuoc cong dan", "gap tong dai vien", "le phi bao nhieu"),
]
SEARCHES = [
    "đăng ký thường trú",
    "cap ho chieu",
    "lệ phí làm căn cước",
    "birth registration documents",
    "đăng ký kết hôn cần giấy tờ gì",
    "tam tru online",
    "passport fee",
    "khai sinh cho con",
]
AGENT = ("supervisor", "supervisor-demo")  # data/demo/staff.yaml: every skill, vi and en
AGENT_REPLY = "Chào bạn, tôi là tổng đài viên. Tôi đã xem câu hỏi của bạn và gửi hướng dẫn ngay."
NOTICES = set(UNAVAILABLE.values())


# ---- recording ----------------------------------------------------------------------------------------------


Check = Callable[[httpx.Response], str | None]  # what is wrong with a 2xx response, or None


@dataclass
class Recorder:
    client: httpx.AsyncClient
    t0: float = field(default_factory=time.perf_counter)
    samples: list[Sample] = field(default_factory=list)

    def now(self) -> float:
        return time.perf_counter() - self.t0

    async def call(self, kind: str, method: str, url: str, check: Check | None = None, **request: Any) -> httpx.Response | None:
        """Sends one request and records it; returns the response when it is a 2xx that passes `check`.

        No response, a status outside 2xx, or what `check` finds wrong with a 2xx is the sample's error.
        """
        at, start = self.now(), time.perf_counter()
        try:
            response = await self.client.request(method, url, **request)
        except httpx.HTTPError as exc:
            self.samples.append(Sample(kind, 0, (time.perf_counter() - start) * 1000, at, type(exc).__name__))
            return None
        ms = (time.perf_counter() - start) * 1000
        error = (check(response) if check else None) if response.is_success else f"HTTP {response.status_code}"
        self.samples.append(Sample(kind, response.status_code, ms, at, error))
        return None if error else response

    def failed(self, kind: str, error: str) -> None:
        """Something that should have happened did not (no request of its own)."""
        self.samples.append(Sample(kind, 0, 0.0, self.now(), error))


def turn_error(out: dict, expect: str) -> str | None:
    """What is wrong with a chat turn's 200 answer, if anything; `expect` is the state it should leave."""
    if any(m["text"] in NOTICES for m in out["messages"]):
        return "assistant unavailable notice"
    if out["state"] != expect:
        return f"state {out['state']}, expected {expect}"
    if expect == "bot" and not out["messages"]:
        return "no reply in a chat the bot owns"
    return None


def no_handoff(response: httpx.Response) -> str | None:
    return "feedback handed the chat to a person" if response.json().get("handoff") else None


def has_agent_reply(response: httpx.Response) -> str | None:
    replies = [m for m in response.json()["messages"] if m["sender"] == "agent" and m["text"] == AGENT_REPLY]
    return None if replies else "the agent's reply is not in the conversation"


def has_results(response: httpx.Response) -> str | None:
    return None if response.json()["results"] else "no results"


def something_claimed(response: httpx.Response) -> str | None:
    return "nothing to claim after a handoff" if response.status_code == 204 else None


# ---- the processes ------------------------------------------------------------------------------------------


def family(pid: int) -> list[psutil.Process]:
    process = psutil.Process(pid)
    return [process, *process.children(recursive=True)]


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants, MiB."""
    total = 0
    for process in family(pid):
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants."""
    total = 0.0
    for process in family(pid):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


async def sample_memory(pids: dict[str, int], recorder: Recorder, every: float, until: float, out: list[dict[str, float]]) -> None:
    while True:
        out.append({"at": recorder.now(), **{name: rss_mib(pid) for name, pid in pids.items()}, "load1": os.getloadavg()[0]})
        if recorder.now() + every > until:
            return
        await asyncio.sleep(every)


# ---- the load -----------------------------------------------------------------------------------------------


@dataclass
class Handoff:
    conversation_id: str
    done: asyncio.Event = field(default_factory=asyncio.Event)  # set once the agent has resolved it


class Load:
    """The citizens, the searches and the scripted agent, all on one client."""

    def __init__(self, recorder: Recorder, args: argparse.Namespace) -> None:
        self.rec, self.args = recorder, args
        self.rng = random.Random(13)
        self.token = ""
        self.waiting: asyncio.Queue[Handoff] = asyncio.Queue()
        self.handoffs: dict[str, Handoff] = {}

    # -- citizens
    async def turn(self, conversation_id: str | None, text: str, expect: str = "bot") -> dict | None:
        """One chat turn; `expect` is the state the chat should be in afterwards ("bot" wants a reply)."""
        body = {"conversation_id": conversation_id, "text": text, "lang": None}
        response = await self.rec.call("chat turn", "POST", "/api/chat/messages", lambda r: turn_error(r.json(), expect), json=body)
        return response.json() if response is not None else None

    async def feedback(self, conversation_id: str, messages: list[dict], complained: bool) -> bool:
        """Feedback on the turn's answer with probability --feedback-share; returns whether it was "not helpful"."""
        answers = [m for m in messages if m["kind"] == "answer"]
        if not answers or self.rng.random() >= self.args.feedback_share:
            return False
        unhelpful = not complained and self.rng.random() < 0.25  # a second one would hand the chat to a person
        body = {"helpful": not unhelpful, "reason": "thiếu thông tin về lệ phí" if unhelpful else None}
        url = f"/api/chat/{conversation_id}/messages/{answers[-1]['id']}/feedback"
        await self.rec.call("feedback", "POST", url, no_handoff, json=body)
        return unhelpful

    async def conversation(self, index: int) -> None:
        if self.args.handoff_every and index % self.args.handoff_every == self.args.handoff_every - 1:
            return await self.handoff_conversation(index // self.args.handoff_every)
        conversation_id, complained = None, False
        for n, text in enumerate(CONVERSATIONS[index % len(CONVERSATIONS)]):
            if n:
                await asyncio.sleep(self.args.think)
            out = await self.turn(conversation_id, text)
            if out is None:
                return
            conversation_id = out["conversation_id"]
            complained |= await self.feedback(conversation_id, out["messages"], complained)

    async def handoff_conversation(self, index: int) -> None:
        question, ask_person, follow_up = HANDOFFS[index % len(HANDOFFS)]
        out = await self.turn(None, question)
        if out is None:
            return
        conversation_id = out["conversation_id"]
        await asyncio.sleep(self.args.think)
        if await self.turn(conversation_id, ask_person, expect="waiting") is None:
            return
        await self.rec.call("queue view", "GET", f"/api/chat/{conversation_id}/queue")
        handoff = self.handoffs[conversation_id] = Handoff(conversation_id)
        self.waiting.put_nowait(handoff)
        try:
            await asyncio.wait_for(handoff.done.wait(), timeout=self.args.agent_timeout)
        except TimeoutError:
            return self.rec.failed("handoff", "not resolved in time")
        await self.rec.call("read messages", "GET", f"/api/chat/{conversation_id}/messages", has_agent_reply)
        await self.rec.call("rating", "POST", f"/api/chat/{conversation_id}/satisfaction", json={"rating": 5})
        await asyncio.sleep(self.args.think)
        await self.turn(conversation_id, follow_up)  # Rasa was resumed: the bot answers again

    async def search(self, index: int) -> None:
        params = {"q": SEARCHES[index % len(SEARCHES)]}
        await self.rec.call("search", "GET", "/api/search", has_results, params=params)

    # -- the agent
    async def sign_in(self) -> None:
        form = {"username": AGENT[0], "password": AGENT[1]}
        response = await self.rec.call("sign-in", "POST", "/api/auth/token", data=form)
        if response is None:
            raise SystemExit(f"the agent could not sign in: {self.rec.samples[-1]}")
        self.token = response.json()["access_token"]

    async def agent(self) -> None:
        """Claims what waits, one ticket at a time: assist, reply, resolve (--think between steps)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        while True:
            await self.waiting.get()
            claimed = await self.rec.call("agent claim", "POST", "/api/agent/tickets/next", something_claimed, headers=headers)
            if claimed is None:
                continue
            ticket = claimed.json()
            base = f"/api/agent/tickets/{ticket['id']}"
            await self.rec.call("agent assist", "GET", f"{base}/assist", headers=headers)
            await asyncio.sleep(self.args.think)
            await self.rec.call("agent reply", "POST", f"{base}/messages", json={"text": AGENT_REPLY}, headers=headers)
            await asyncio.sleep(self.args.think)
            await self.rec.call("agent resolve", "POST", f"{base}/resolve", json={"disposition": "answered"}, headers=headers)
            handoff = self.handoffs.get(ticket["conversation_id"])
            if handoff is None:
                self.rec.failed("handoff", "claimed a ticket nobody asked for")
            else:
                handoff.done.set()


async def paced(rate: float, until: float, recorder: Recorder, start: Callable[[int], Awaitable[None]], tasks: set[asyncio.Task]) -> None:
    """Starts `start(i)` at i / rate seconds (open loop: a slow answer does not delay the next arrival)."""
    if rate <= 0:
        return
    for i in itertools.count():
        at = i / rate
        if at >= until:
            return
        await asyncio.sleep(max(0.0, at - recorder.now()))
        task = asyncio.create_task(start(i))
        tasks.add(task)
        task.add_done_callback(tasks.discard)


def turns_per_conversation(handoff_every: int) -> float:
    normal = sum(map(len, CONVERSATIONS)) / len(CONVERSATIONS)
    if not handoff_every:
        return normal
    return (normal * (handoff_every - 1) + 3) / handoff_every  # a handoff conversation has three turns


async def soak(product: Product, args: argparse.Namespace) -> dict:
    pids = {name: process.pid for name, process in product.processes.running.items()}  # type: ignore[union-attr]
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
    async with httpx.AsyncClient(base_url=product.app_url, timeout=args.timeout, limits=limits) as client:
        recorder = Recorder(client)
        load = Load(recorder, args)
        await load.sign_in()
        begin, until = args.warmup, args.warmup + args.duration
        tasks: set[asyncio.Task] = set()
        memory: list[dict[str, float]] = []
        agent = asyncio.create_task(load.agent())
        sampler = asyncio.create_task(sample_memory(pids, recorder, args.sample_every, until, memory))
        conversation_rate = args.chat_rate / turns_per_conversation(args.handoff_every)
        measured: dict[str, dict[str, float]] = {}

        async def mark_start() -> None:
            await asyncio.sleep(begin)
            measured["start"] = {"at": recorder.now(), **{name: cpu_s(pid) for name, pid in pids.items()}}
            measured["rss_start"] = {name: rss_mib(pid) for name, pid in pids.items()}

        marker = asyncio.create_task(mark_start())
        await asyncio.gather(
            paced(conversation_rate, until, recorder, load.conversation, tasks),
            paced(args.search_rate, until, recorder, load.search, tasks),
            marker,
        )
        arrivals_end = recorder.now()
        if tasks:  # the conversations under way finish (bounded)
            await asyncio.wait(set(tasks), timeout=args.agent_timeout + 10 * args.think)
        measured["end"] = {"at": recorder.now(), **{name: cpu_s(pid) for name, pid in pids.items()}}
        measured["rss_end"] = {name: rss_mib(pid) for name, pid in pids.items()}
        await sampler
        agent.cancel()
        for task in tasks:
            task.cancel()

    window = [s for s in recorder.samples if s.at >= begin]  # the conversations that finish after `until` included
    seconds = measured["end"]["at"] - measured["start"]["at"]
    turns = sum(s.kind == "chat turn" for s in window)
    cpu = {
        name: {
            "cpu_s": measured["end"][name] - measured["start"][name],
            "ms_per_chat_turn": (measured["end"][name] - measured["start"][name]) * 1000 / turns if turns else float("nan"),
        }
        for name in pids
    }
    rss = {
        name: {
            "start_mib": measured["rss_start"][name],
            "end_mib": measured["rss_end"][name],
            "max_mib": max([row[name] for row in memory if row["at"] >= begin] + [measured["rss_start"][name], measured["rss_end"][name]]),
            "change_pct": change_pct(measured["rss_start"][name], measured["rss_end"][name]),
        }
        for name in pids
    }
    return {
        "config": {k: v for k, v in vars(args).items() if k not in ("work", "out")} | {"conversations_per_s": conversation_rate},
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "measured_s": seconds,
        "drained_s": measured["end"]["at"] - arrivals_end,
        "summary": summarize(window, seconds),
        "errors": [{"kind": k, "error": e, "count": n} for (k, e), n in error_counts(window).most_common()],
        "warmup_errors": [
            {"kind": k, "error": e, "count": n} for (k, e), n in error_counts(s for s in recorder.samples if s.at < begin).items()
        ],
        "rss": rss,
        "cpu": cpu,
        "memory_timeline": memory,
        "chat_turns": turns,
        "chat_turn_per_minute": per_window(window, "chat turn", begin),
        "log_levels": log_levels(args.work / "app.log"),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600, help="measured seconds (after the warm-up)")
    parser.add_argument("--warmup", type=float, default=30, help="seconds of the same load before measuring")
    parser.add_argument("--chat-rate", type=float, default=4.0, help="chat turns a second")
    parser.add_argument("--search-rate", type=float, default=2.0, help="searches a second")
    parser.add_argument("--feedback-share", type=float, default=0.3, help="share of answers given feedback")
    parser.add_argument("--handoff-every", type=int, default=20, help="every n-th conversation asks for a person (0: none)")
    parser.add_argument("--think", type=float, default=2.0, help="seconds between a citizen's (or the agent's) steps")
    parser.add_argument("--sample-every", type=float, default=10.0, help="seconds between memory samples")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as failed")
    parser.add_argument("--agent-timeout", type=float, default=120.0, help="seconds a handoff may wait for the agent")
    parser.add_argument("--work", type=Path, default=Path("/tmp/soak"), help="scratch directory (database, logs, model copy)")
    parser.add_argument("--out", type=Path, default=None, help="JSON results (default WORK/soak.json)")
    args = parser.parse_args(argv)
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    model = args.work / "model.tar.gz"  # a copy: a retrain elsewhere cannot swap the model mid-run
    shutil.copyfile(MODEL.resolve(), model)
    env = {"HELPDESK_LIMITS__ENABLED": "false", "HELPDESK_HANDOFF__ALWAYS_OPEN": "true", "TF_CPP_MIN_LOG_LEVEL": "2"}
    load_before = os.getloadavg()
    with running_product(args.work, env=env, seed_demo=True, model=model) as product:
        result = asyncio.run(soak(product, args))
    result["machine"]["load_average_before"] = load_before
    result["machine"]["load_average_after"] = os.getloadavg()
    out = args.out or args.work / "soak.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(report(result))
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()

"""The dashboard's figures: pure functions from `Data` (api/analytics/data.py) to tables.

Every definition is in docs/analytics.md. Conversations are counted in the period they started
(Vietnam dates); hours and weeks are Vietnam time. Each table keeps exact numbers and the number of
conversations behind each row; `tables.suppress` hides small cells before anything is shown.

    data = load(session=session, period=period, filters=filters)
    for table in containment(data) + answers(data): ...
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from api.analytics.data import VN, Data, aware
from api.analytics.tables import Column, Table
from api.handoff.config import HandoffConfig
from api.handoff.hours import holiday_name

STATUSES = ("answered", "clarify", "unanswerable")
REASONS = ("requested", "repeated_failure", "negative_feedback", "complaint", "urgent")
TOP = 10


def c(key: str, kind: str, vi: str, en: str) -> Column:
    return Column(key, kind, vi, en)  # type: ignore[arg-type]


def rate(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: the ceil(p·n)-th smallest value (p50 of 1..4 is 2, p90 of 1..10 is 9)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p * len(ordered)), 1) - 1]


def week(at: dt.datetime) -> str:
    year, number, _ = aware(at).astimezone(VN).isocalendar()
    return f"{year}-W{number:02d}"


def retained(data: Data, metric: str) -> Counter[tuple[str | None, str]]:
    """Counts of purged conversations for (procedure, key) of `metric` (empty when a filter is set)."""
    counts: Counter[tuple[str | None, str]] = Counter()
    for r in data.retained:
        if r.metric == metric:
            counts[(r.procedure, r.key)] += r.count
    return counts


def by_key(counts: Counter[tuple[str | None, str]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for (_procedure, key), n in counts.items():
        out[key] += n
    return out


# --- containment ------------------------------------------------------------------------------


def containment(data: Data) -> list[Table]:
    """Conversations that ended without a person (no ticket) and with one; handoffs by reason."""
    with_person = {t.conversation_id for t in data.tickets}
    old_conversations = sum(by_key(retained(data, "conversations")).values())
    old_handoffs = by_key(retained(data, "handoffs"))
    total = len(data.conversations) + old_conversations
    person = len(with_person) + sum(old_handoffs.values())
    rows = [("without_person", total - person), ("with_person", person)]
    outcome = Table("containment", "Giải quyết không cần người", "Contained without a person",
                    (c("outcome", "label", "Kết quả", "Outcome"), c("conversations", "count", "Cuộc trò chuyện", "Conversations"),
                     c("share", "rate", "Tỷ lệ", "Share")),
                    [{"outcome": k, "conversations": n, "share": rate(n, total)} for k, n in rows], [n for _k, n in rows])  # fmt: skip
    reasons = Counter(t.reason for t in data.tickets) + old_handoffs
    keys = [*REASONS, *sorted(set(reasons) - set(REASONS))]
    table = Table("handoff_reasons", "Chuyển tổng đài viên theo lý do", "Handoffs by reason",
                  (c("reason", "label", "Lý do", "Reason"), c("handoffs", "count", "Lượt chuyển", "Handoffs"),
                   c("rate", "rate", "Tỷ lệ trên cuộc trò chuyện", "Rate per conversation")),
                  [{"reason": k, "handoffs": reasons[k], "rate": rate(reasons[k], total)} for k in keys],
                  [reasons[k] for k in keys])  # fmt: skip
    return [outcome, table]


# --- answers ------------------------------------------------------------------------------------


def answers(data: Data) -> list[Table]:
    """Answer status mix, and per procedure: status mix, helpful rate and the guide versions cited."""
    old = retained(data, "answers")
    status = Counter(a.status for a in data.answers) + by_key(old)
    conversations: dict[str, set[str]] = defaultdict(set)
    for a in data.answers:
        conversations[a.status].add(a.conversation_id)
    total = sum(status.values())
    keys = [*STATUSES, *sorted(set(status) - set(STATUSES))]
    mix = Table("answer_status", "Trạng thái câu trả lời", "Answer status",
                (c("status", "label", "Trạng thái", "Status"), c("answers", "count", "Câu trả lời", "Answers"), c("share", "rate", "Tỷ lệ", "Share")),
                [{"status": k, "answers": status[k], "share": rate(status[k], total)} for k in keys],
                [len(conversations[k]) + by_key(old)[k] for k in keys])  # fmt: skip
    return [mix, helpful_overall(data), procedures(data)]


def helpful_overall(data: Data) -> Table:
    old = by_key(retained(data, "feedback"))
    rated = [a for a in data.answers if a.helpful is not None]
    helpful = sum(1 for a in rated if a.helpful) + old["helpful"]
    count = len(rated) + old["helpful"] + old["not_helpful"]
    base = len({a.conversation_id for a in rated}) + old["helpful"] + old["not_helpful"]
    return Table("helpful", "Đánh giá hữu ích", "Helpful rate",
                 (c("rated", "count", "Câu trả lời được đánh giá", "Answers rated"), c("helpful", "count", "Hữu ích", "Helpful"),
                  c("helpful_rate", "rate", "Tỷ lệ hữu ích", "Helpful rate")),
                 [{"rated": count, "helpful": helpful, "helpful_rate": rate(helpful, count)}], [base])  # fmt: skip


def procedures(data: Data) -> Table:
    old_answers, old_feedback = retained(data, "answers"), retained(data, "feedback")
    per: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for a in data.answers:
        if a.guide_code:
            per[a.guide_code].append(a)
    codes = set(per) | {p for p, _k in old_answers if p} | {p for p, _k in old_feedback if p}
    rows, bases = [], []
    for code in codes:
        items = per.get(code, [])
        status = Counter(a.status for a in items) + Counter({k: n for (p, k), n in old_answers.items() if p == code})
        helpful = sum(1 for a in items if a.helpful) + old_feedback[(code, "helpful")]
        rated = sum(1 for a in items if a.helpful is not None) + old_feedback[(code, "helpful")] + old_feedback[(code, "not_helpful")]
        count = sum(status.values())
        versions = ", ".join(str(v) for v in sorted({a.guide_version for a in items if a.guide_version is not None}))
        rows.append({"procedure": code, "title": data.guides.get(code, ("", ""))[0], "versions": versions or "—", "answers": count,
                     **{s: rate(status[s], count) for s in STATUSES}, "rated": rated, "helpful_rate": rate(helpful, rated)})  # fmt: skip
        bases.append(len({a.conversation_id for a in items}) + sum(n for (p, _k), n in old_answers.items() if p == code))
    order = sorted(range(len(rows)), key=lambda i: (-rows[i]["answers"], rows[i]["procedure"]))
    return Table("procedures", "Theo thủ tục", "By procedure",
                 (c("procedure", "label", "Mã thủ tục", "Procedure"), c("title", "label", "Tên", "Title"),
                  c("versions", "label", "Phiên bản trích dẫn", "Guide versions cited"), c("answers", "count", "Câu trả lời", "Answers"),
                  c("answered", "rate", "Đã trả lời", "Answered"), c("clarify", "rate", "Hỏi lại", "Clarify"),
                  c("unanswerable", "rate", "Không trả lời được", "Unanswerable"), c("rated", "count", "Được đánh giá", "Rated"),
                  c("helpful_rate", "rate", "Tỷ lệ hữu ích", "Helpful rate")),
                 [rows[i] for i in order], [bases[i] for i in order])  # fmt: skip


# --- satisfaction ---------------------------------------------------------------------------------


def satisfaction(data: Data) -> list[Table]:
    """1–5 distribution, satisfaction index (share of 4–5) per queue, agent, language and week; response rate."""
    old = by_key(retained(data, "ratings"))
    counts = Counter(r.rating for r in data.ratings) + Counter({int(k): n for k, n in old.items() if k.isdigit()})
    total = sum(counts.values())
    distribution = Table("ratings", "Phân bố đánh giá 1–5", "Ratings 1–5",
                         (c("rating", "label", "Điểm", "Rating"), c("ratings", "count", "Lượt đánh giá", "Ratings"), c("share", "rate", "Tỷ lệ", "Share")),
                         [{"rating": str(k), "ratings": counts[k], "share": rate(counts[k], total)} for k in range(1, 6)],
                         [counts[k] for k in range(1, 6)])  # fmt: skip
    tickets = {t.id: t for t in data.tickets}
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in data.ratings:
        t = tickets.get(r.ticket_id)
        if t is None:
            continue
        agent = data.agents.get(t.agent_id or -1, ("—", 0))[0]
        for dimension, value in (("queue", t.skill), ("agent", agent), ("language", t.lang), ("week", week(t.created))):
            groups[(dimension, value)].append(r.rating)
    if data.ratings or old:
        groups[("all", "all")] = [r.rating for r in data.ratings] + [int(k) for k, n in old.items() if k.isdigit() for _ in range(n)]
    order = sorted(groups, key=lambda g: (("all", "queue", "agent", "language", "week").index(g[0]), g[1]))
    index = Table("satisfaction_index", "Chỉ số hài lòng (tỷ lệ 4–5)", "Satisfaction index (share of 4–5)",
                  (c("dimension", "label", "Theo", "By"), c("group", "label", "Nhóm", "Group"), c("ratings", "count", "Lượt đánh giá", "Ratings"),
                   c("index", "rate", "Chỉ số hài lòng", "Satisfaction index"), c("mean", "number", "Điểm trung bình", "Mean rating")),
                  [{"dimension": d, "group": g, "ratings": len(groups[(d, g)]), "index": rate(sum(1 for x in groups[(d, g)] if x >= 4), len(groups[(d, g)])),
                    "mean": sum(groups[(d, g)]) / len(groups[(d, g)])} for d, g in order],
                  [len(groups[k]) for k in order])  # fmt: skip
    prompted = len({p[0] for p in data.prompts})
    answered = len({r.ticket_id for r in data.ratings if r.ticket_id in {p[0] for p in data.prompts}})
    response = Table("rating_response", "Tỷ lệ phản hồi lời mời đánh giá", "Rating prompt response rate",
                     (c("prompts", "count", "Lời mời đánh giá", "Prompts"), c("ratings", "count", "Được đánh giá", "Rated"),
                      c("response_rate", "rate", "Tỷ lệ phản hồi", "Response rate")),
                     [{"prompts": prompted, "ratings": answered, "response_rate": rate(answered, prompted)}], [prompted])  # fmt: skip
    return [distribution, index, response]


# --- queue --------------------------------------------------------------------------------------


def service_hours(data: Data, config: HandoffConfig) -> float:
    """Hours the call center was open in the period, up to now (open weekdays that are not holidays)."""
    today = data.now.astimezone(VN).date()
    day, hours = data.period.start, 0.0
    span = (dt.datetime.combine(day, config.closes_at) - dt.datetime.combine(day, config.opens_at)).total_seconds() / 3600
    while day <= min(data.period.end, today):
        if config.always_open:
            hours += 24
        elif day.weekday() in config.open_days and not holiday_name(day, config.holidays_country):
            hours += span
        day += dt.timedelta(days=1)
    return hours


def queue(data: Data, config: HandoffConfig) -> list[Table]:
    """Waits p50/p90 to the first agent reply, SLA attainment, abandoned while waiting; callbacks kept; agent occupancy."""
    target = dt.timedelta(seconds=config.sla_answer_s)
    per: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for t in data.tickets:
        per[t.skill].append(t)
        per["all"].append(t)
    rows, bases = [], []
    for skill in sorted(per, key=lambda s: (s != "all", s)):
        items = per[skill]
        waits = [(t.first_response - t.created).total_seconds() for t in items if t.first_response]
        abandoned = [t for t in items if abandoned_while_waiting(t, data.now, config)]
        due = [t for t in items if t.claimed] + abandoned
        within = sum(1 for t in items if t.claimed and t.claimed - t.created <= target)
        rows.append({"queue": skill, "tickets": len(items), "wait_p50": percentile(waits, 0.5), "wait_p90": percentile(waits, 0.9),
                     "sla": rate(within, len(due)), "abandoned": len(abandoned)})  # fmt: skip
        bases.append(len({t.conversation_id for t in items}))
    waits_table = Table("waits", "Thời gian chờ và SLA", "Waits and SLA",
                        (c("queue", "label", "Nhóm", "Queue"), c("tickets", "count", "Phiếu", "Tickets"),
                         c("wait_p50", "seconds", "Chờ trả lời đầu (p50, giây)", "Wait to first reply p50 (s)"),
                         c("wait_p90", "seconds", "Chờ trả lời đầu (p90, giây)", "Wait to first reply p90 (s)"),
                         c("sla", "rate", f"Nhận trong {config.sla_answer_s:g} giây", f"Claimed within {config.sla_answer_s:g} s"),
                         c("abandoned", "count", "Bỏ đi khi chờ", "Abandoned while waiting")), rows, bases)  # fmt: skip
    states = Counter(state for _cid, state in data.callbacks) + by_key(retained(data, "callbacks"))
    done = states["reached"] + states["no_answer"]
    callbacks = Table("callbacks", "Gọi lại", "Callbacks",
                      (c("requested", "count", "Yêu cầu", "Requested"), c("reached", "count", "Đã gọi được", "Reached"),
                       c("no_answer", "count", "Không nghe máy", "No answer"), c("pending", "count", "Đang chờ", "Pending"),
                       c("kept", "rate", "Tỷ lệ giữ hẹn", "Kept")),
                      [{"requested": sum(states.values()), "reached": states["reached"], "no_answer": states["no_answer"],
                        "pending": states["pending"], "kept": rate(states["reached"], done)}], [done])  # fmt: skip
    return [waits_table, callbacks, occupancy(data, config)]


def abandoned_while_waiting(t, now: dt.datetime, config: HandoffConfig) -> bool:  # type: ignore[no-untyped-def]
    """Never claimed by an agent and not turned into a callback: closed, or still queued past the stats window."""
    if t.claimed is not None or t.disposition == "callback":
        return False
    return t.resolved is not None or now - t.created >= config.stats_window


def occupancy(data: Data, config: HandoffConfig) -> Table:
    """Per agent: chat time handled (claim to resolve) ÷ (capacity × the service hours of the period)."""
    hours = service_hours(data, config)
    handled: dict[int, list[float]] = defaultdict(list)
    for t in data.tickets:
        if t.agent_id is not None and t.claimed and t.resolved:
            handled[t.agent_id].append((t.resolved - t.claimed).total_seconds())
    rows, bases = [], []
    for agent_id in sorted(handled, key=lambda i: data.agents.get(i, ("", 0))[0]):
        name, capacity = data.agents.get(agent_id, (str(agent_id), 1))
        seconds = sum(handled[agent_id])
        rows.append({"agent": name, "tickets": len(handled[agent_id]), "handled_h": seconds / 3600,
                     "occupancy": rate(seconds / 3600, capacity * hours)})  # fmt: skip
        bases.append(len(handled[agent_id]))
    return Table("occupancy", "Mức bận của nhân viên", "Agent occupancy",
                 (c("agent", "label", "Nhân viên", "Agent"), c("tickets", "count", "Phiếu đã xử lý", "Tickets handled"),
                  c("handled_h", "number", "Giờ xử lý", "Hours handling"), c("occupancy", "rate", "Mức bận", "Occupancy")),
                 rows, bases, note=f"{hours:g} h")  # fmt: skip


# --- demand -------------------------------------------------------------------------------------


def demand(data: Data) -> list[Table]:
    """Top procedures asked, busiest hours (Vietnam time), languages, typed without diacritics; answer quality by group."""
    asked: dict[str, set[str]] = defaultdict(set)
    for a in data.answers:
        if a.guide_code and a.status != "unanswerable":
            asked[a.guide_code].add(a.conversation_id)
    old = Counter({p: n for (p, _k), n in retained(data, "answers").items() if p})
    counts = Counter({code: len(ids) for code, ids in asked.items()}) + old
    top = sorted(counts, key=lambda code: (-counts[code], code))[:TOP]
    procedures_table = Table("top_procedures", "Thủ tục được hỏi nhiều nhất", "Top procedures asked",
                             (c("procedure", "label", "Mã thủ tục", "Procedure"), c("title", "label", "Tên", "Title"),
                              c("conversations", "count", "Cuộc trò chuyện", "Conversations")),
                             [{"procedure": code, "title": data.guides.get(code, ("", ""))[0], "conversations": counts[code]} for code in top],
                             [counts[code] for code in top])  # fmt: skip
    messages, talkers = Counter[int](), defaultdict(set)
    for cid, at in data.turns:
        hour = at.astimezone(VN).hour
        messages[hour] += 1
        talkers[hour].add(cid)
    hours = Table("hours", "Giờ cao điểm (giờ Việt Nam)", "Busiest hours (Vietnam time)",
                  (c("hour", "label", "Giờ", "Hour"), c("messages", "count", "Tin nhắn của công dân", "Citizen messages"),
                   c("conversations", "count", "Cuộc trò chuyện", "Conversations")),
                  [{"hour": f"{h:02d}:00", "messages": messages[h], "conversations": len(talkers[h])} for h in range(24)],
                  [len(talkers[h]) for h in range(24)])  # fmt: skip
    langs = Counter(conv.lang for conv in data.conversations.values()) + by_key(retained(data, "conversations"))
    total = sum(langs.values())
    languages = Table("languages", "Ngôn ngữ", "Languages",
                      (c("language", "label", "Ngôn ngữ", "Language"), c("conversations", "count", "Cuộc trò chuyện", "Conversations"),
                       c("share", "rate", "Tỷ lệ", "Share")),
                      [{"language": k, "conversations": n, "share": rate(n, total)} for k, n in sorted(langs.items())],
                      [n for _k, n in sorted(langs.items())])  # fmt: skip
    typed = [conv.plain for conv in data.conversations.values() if conv.plain is not None]
    plain = sum(1 for p in typed if p)
    diacritics = Table("diacritics", "Gõ không dấu (tiếng Việt)", "Typed without diacritics (Vietnamese)",
                       (c("group", "label", "Nhóm", "Group"), c("conversations", "count", "Cuộc trò chuyện", "Conversations"),
                        c("share", "rate", "Tỷ lệ", "Share")),
                       [{"group": "without_diacritics", "conversations": plain, "share": rate(plain, len(typed))},
                        {"group": "with_diacritics", "conversations": len(typed) - plain, "share": rate(len(typed) - plain, len(typed))}],
                       [plain, len(typed) - plain])  # fmt: skip
    return [procedures_table, hours, languages, diacritics, answer_quality(data)]


def answer_quality(data: Data) -> Table:
    """Answer status mix and helpful rate for all conversations, by language and by diacritics (live data only)."""
    convs = data.conversations
    groups: list[tuple[str, str, Iterable[str]]] = [("all", "all", convs)]
    for lang in sorted({conv.lang for conv in convs.values()}):
        groups.append(("language", lang, [cid for cid, conv in convs.items() if conv.lang == lang]))
    groups.append(("diacritics", "without_diacritics", [cid for cid, conv in convs.items() if conv.plain is True]))
    groups.append(("diacritics", "with_diacritics", [cid for cid, conv in convs.items() if conv.plain is False]))
    by_conversation: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
    for a in data.answers:
        by_conversation[a.conversation_id].append(a)
    rows, bases = [], []
    for dimension, group, ids in groups:
        items = [a for cid in ids for a in by_conversation.get(cid, [])]
        status = Counter(a.status for a in items)
        rated = [a for a in items if a.helpful is not None]
        rows.append({"dimension": dimension, "group": group, "answers": len(items), **{s: rate(status[s], len(items)) for s in STATUSES},
                     "rated": len(rated), "helpful_rate": rate(sum(1 for a in rated if a.helpful), len(rated))})  # fmt: skip
        bases.append(len({a.conversation_id for a in items}))
    return Table("answer_quality", "Chất lượng trả lời theo ngôn ngữ và dấu", "Answer quality by language and diacritics",
                 (c("dimension", "label", "Theo", "By"), c("group", "label", "Nhóm", "Group"), c("answers", "count", "Câu trả lời", "Answers"),
                  c("answered", "rate", "Đã trả lời", "Answered"), c("clarify", "rate", "Hỏi lại", "Clarify"),
                  c("unanswerable", "rate", "Không trả lời được", "Unanswerable"), c("rated", "count", "Được đánh giá", "Rated"),
                  c("helpful_rate", "rate", "Tỷ lệ hữu ích", "Helpful rate")), rows, bases)  # fmt: skip


# --- forms ------------------------------------------------------------------------------------


def forms(data: Data) -> list[Table]:
    """Per form: started, prefilled, completed, in progress, abandoned; the identity fields citizens corrected most."""
    per: dict[str, Counter[str]] = defaultdict(Counter)
    corrected: Counter[tuple[str, str, str]] = Counter()
    for f in data.forms:
        per[f.form_code]["started"] += 1
        per[f.form_code][f.state] += 1
        per[f.form_code]["prefilled"] += f.prefilled
        for field_id, label in f.corrected:
            corrected[(f.form_code, field_id, label)] += 1
    codes = sorted(per)
    table = Table("forms", "Điền sẵn biểu mẫu", "Form prefill",
                  (c("form", "label", "Biểu mẫu", "Form"), c("started", "count", "Bắt đầu", "Started"),
                   c("prefilled", "count", "Có điền sẵn", "Prefilled"), c("completed", "count", "Hoàn thành", "Completed"),
                   c("in_progress", "count", "Đang điền", "In progress"), c("abandoned", "count", "Bỏ dở", "Abandoned"),
                   c("completion", "rate", "Tỷ lệ hoàn thành", "Completion rate")),
                  [{"form": code, **{k: per[code][k] for k in ("started", "prefilled", "completed", "in_progress", "abandoned")},
                    "completion": rate(per[code]["completed"], per[code]["started"])} for code in codes],
                  [per[code]["started"] for code in codes])  # fmt: skip
    order = sorted(corrected, key=lambda k: (-corrected[k], k))[:TOP]
    fields_table = Table("corrected_fields", "Trường hay bị sửa", "Fields most often corrected",
                         (c("form", "label", "Biểu mẫu", "Form"), c("field", "label", "Trường", "Field"), c("label", "label", "Tên trường", "Label"),
                          c("corrections", "count", "Lượt sửa", "Corrections")),
                         [{"form": f, "field": i, "label": lb, "corrections": corrected[(f, i, lb)]} for f, i, lb in order],
                         [corrected[k] for k in order])  # fmt: skip
    return [table, fields_table]


SECTIONS = {  # section → (vi, en) titles; "knowledge" sections are open to editors
    "containment": ("Giải quyết và chuyển tổng đài viên", "Containment and handoffs"),
    "answers": ("Chất lượng câu trả lời", "Answer quality"),
    "satisfaction": ("Mức độ hài lòng", "Satisfaction"),
    "queue": ("Hàng chờ", "Queue"),
    "demand": ("Nhu cầu", "Demand"),
    "forms": ("Biểu mẫu", "Forms"),
}
KNOWLEDGE = ("answers", "demand")
TABLE_SECTIONS = {  # table → its section
    **dict.fromkeys(("containment", "handoff_reasons"), "containment"),
    **dict.fromkeys(("answer_status", "helpful", "procedures"), "answers"),
    **dict.fromkeys(("ratings", "satisfaction_index", "rating_response"), "satisfaction"),
    **dict.fromkeys(("waits", "callbacks", "occupancy"), "queue"),
    **dict.fromkeys(("top_procedures", "hours", "languages", "diacritics", "answer_quality"), "demand"),
    **dict.fromkeys(("forms", "corrected_fields"), "forms"),
}


def section(name: str, data: Data, config: HandoffConfig) -> list[Table]:
    """The tables of one section of the dashboard."""
    if name == "queue":
        return queue(data, config)
    return {"containment": containment, "answers": answers, "satisfaction": satisfaction, "demand": demand, "forms": forms}[name](data)

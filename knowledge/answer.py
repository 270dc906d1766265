"""Compose the assistant's reply from a guide: extractive, shaped by what was asked.

Every sentence of an answer is taken from the cited guide version; the composer
only chooses which sections to show and adds fixed connective phrases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from knowledge.aspects import Aspect
from knowledge.guides import Guide, GuideContent
from knowledge.search import SearchOutcome

CHANNEL_LABELS = {
    "vi": {"online": "Trực tuyến", "in_person": "Trực tiếp", "post": "Qua bưu chính"},
    "en": {"online": "Online", "in_person": "In person", "post": "By post"},
}

_PHRASES = {
    "vi": {
        "fee": "Lệ phí {title}",
        "time": "Thời gian giải quyết {title}",
        "documents": "Hồ sơ {title} gồm",
        "steps": "Các bước thực hiện {title}",
        "where": "Nơi thực hiện {title}",
        "online": "{title} có thể nộp theo các cách sau",
        "conditions": "Điều kiện {title}",
        "result": "Kết quả {title}",
        "overview": "{title}",
        "no_fee": "hướng dẫn không ghi lệ phí",
        "no_time": "hướng dẫn không ghi thời hạn",
        "no_fee_at_all": "Hướng dẫn {title} không ghi lệ phí.",
        "no_time_at_all": "Hướng dẫn {title} không ghi thời hạn giải quyết.",
        "no_unit": "{value} (không ghi đơn vị)",
        "check_both": "Bạn xem trang thủ tục {url} hoặc hỏi {agency} khi nộp hồ sơ.",
        "check_page": "Bạn xem trang thủ tục {url}.",
        "check_agency": "Bạn hỏi {agency} khi nộp hồ sơ.",
        "check_person": "Bạn có thể hỏi tổng đài viên.",
        "more_cases": "Còn {n} trường hợp khác: {names}.",
        "more_items": "… và {n} giấy tờ khác.",
        "more_steps": "… còn {n} bước nữa.",
        "more": "Xem đầy đủ trong thẻ bên dưới hoặc trang nguồn.",
        "online_at": "Nộp trực tuyến tại {url}",
        "note": "Lưu ý: {text}",
        "missing": "Hướng dẫn {title} chưa có thông tin này; bạn xem nguồn bên dưới hoặc hỏi tổng đài viên.",
        "clarify": "Bạn muốn hỏi về thủ tục nào?",
        "fee_each": "Lệ phí của từng thủ tục:",
        "time_each": "Thời gian giải quyết của từng thủ tục:",
        "human": "Gặp tổng đài viên",
    },
    "en": {
        "fee": "Fee for {title}",
        "time": "Processing time for {title}",
        "documents": "Documents for {title}",
        "steps": "Steps for {title}",
        "where": "Where to do {title}",
        "online": "Ways to apply for {title}",
        "conditions": "Conditions for {title}",
        "result": "Result of {title}",
        "overview": "{title}",
        "no_fee": "the guide states no fee",
        "no_time": "the guide states no time",
        "no_fee_at_all": "The guide for {title} states no fee.",
        "no_time_at_all": "The guide for {title} states no processing time.",
        "no_unit": "{value} (no unit given)",
        "check_both": "Check the procedure page {url}, or ask {agency} when you apply.",
        "check_page": "Check the procedure page {url}.",
        "check_agency": "Ask {agency} when you apply.",
        "check_person": "You can ask a person.",
        "more_cases": "{n} more cases: {names}.",
        "more_items": "… and {n} more documents.",
        "more_steps": "… {n} more steps.",
        "more": "See the card below or the source page for the rest.",
        "online_at": "Apply online at {url}",
        "note": "Note: {text}",
        "missing": "The guide for {title} does not say; see the source below or ask a person.",
        "clarify": "Which procedure do you mean?",
        "fee_each": "The fee of each:",
        "time_each": "The processing time of each:",
        "human": "Talk to a person",
    },
}


def phrases(lang: str) -> dict[str, str]:
    return _PHRASES["en" if lang == "en" else "vi"]


def human_button(lang: str) -> dict[str, str]:
    """The button that asks for a person (the payload the handoff rules listen for)."""
    return {"title": phrases(lang)["human"], "payload": "/request_human"}


def guide_card(guide: Guide, version: int, lang: str, aspect: Aspect) -> dict[str, Any]:
    """The structured card the chat page renders; sections not asked about are None."""
    content = guide.content_for(lang)
    labels = CHANNEL_LABELS["en" if lang == "en" else "vi"]
    show = {
        "overview": {"steps", "documents", "channels", "where"},
        "fee": {"channels"},
        "time": {"channels"},
        "documents": {"documents"},
        "steps": {"steps"},
        "where": {"where", "channels"},
        "online": {"channels"},
        "conditions": {"conditions"},
        "result": {"result"},
    }[aspect]
    return {
        "code": guide.code,
        "title": content.title,
        "summary": content.summary,
        "updated_at": guide.updated_at.isoformat() if guide.updated_at else None,
        "version": version,
        "lang": lang if lang in guide.content else "vi",
        "source_url": guide.source_url,
        "online_url": guide.online_url,
        "steps": content.steps if "steps" in show else None,
        "documents": [{"case": d.case, "items": d.items} for d in content.documents] if "documents" in show else None,
        "channels": [{"kind": c.kind, "label": labels[c.kind], "time": c.time, "fee": c.fee, "note": c.note} for c in content.channels]
        if "channels" in show
        else None,
        "where": (content.where or guide.agency) if "where" in show else None,
        "conditions": content.conditions if "conditions" in show else None,
        "result": content.result if "result" in show else None,
        "legal_basis": [{"number": r.number, "title": r.title} for r in guide.legal_basis],
    }


def answer_text(guide: Guide, lang: str, aspect: Aspect) -> str:
    """The chat bubble's text: the answer itself, so a channel that shows only text still answers.

    Documents come as the list (the first cases in full, the rest counted), steps numbered, fee
    and time per channel, "where" as the place. About `MAX_TEXT` characters at most; what is cut
    is pointed to the card and the source page. Every value is taken from the guide.
    """
    content = guide.content_for(lang)
    p = phrases(lang)
    title = content.title
    if aspect in ("fee", "time"):
        return _channel_text(guide, lang, aspect)
    if aspect == "documents":
        return _documents_text(content, p) if content.documents else p["missing"].format(title=title)
    if aspect == "steps":
        return _steps_text(p[aspect].format(title=title), content.steps, p) if content.steps else p["missing"].format(title=title)
    if aspect == "where":
        place = content.where or guide.agency
        return _fitted(f"{p[aspect].format(title=title)}: {place}", p) if place else p["missing"].format(title=title)
    if aspect == "online":
        return _online_text(guide, lang) if content.channels else p["missing"].format(title=title)
    if aspect in ("conditions", "result"):
        value = getattr(content, aspect)
        return _fitted(f"{p[aspect].format(title=title)}: {value}", p) if value else p["missing"].format(title=title)
    if content.summary:
        return _fitted(content.summary, p)
    return _steps_text(f"{title}.\n{p['steps'].format(title=title)}", content.steps, p) if content.steps else title


MAX_TEXT = 900  # characters of a chat bubble; the card and the source page hold the rest
_VALUE = 240  # one fee, time, step or document, at most
_SHORT_NOTE = 90  # a note short enough to name its row
_DEADLINE = re.compile(
    r"(?<!\w)(?:trong|trước|chậm nhất|không quá|within|before|no later than)(?!\w)[^.;]{0,60}?"
    r"(?:\d+\s*(?:ngày|giờ|tháng|năm|working days?|days?|hours?|months?|years?)(?!\w)|\d{1,2}:\d{2})"
    r"|\d+\s*(?:ngày|days) (?:trở lên|or more)",
    re.I,
)
_UNITLESS = re.compile(r"\d+(?:[.,]\d+)?")
_DURATION = re.compile(r"\d+\s*(?:ngày|giờ|tháng|năm|tuần|phút|working days?|days?|hours?|months?|weeks?)(?!\w)", re.I)


def _channel_text(guide: Guide, lang: str, aspect: Aspect) -> str:
    """Fee or time per channel, channels with the same value said once; an empty value says so."""
    content = guide.content_for(lang)
    p = phrases(lang)
    labels = CHANNEL_LABELS["en" if lang == "en" else "vi"]
    if not content.channels:
        return p["missing"].format(title=content.title)
    if not any(getattr(c, aspect) for c in content.channels):
        # The guide says nothing: say so, and where to find out.
        notes = [n for c in content.channels if aspect == "time" and (n := _sentence_with(c.note, _DURATION))]
        if notes:
            return _fitted(f"{p[aspect].format(title=content.title)}: " + "; ".join(dict.fromkeys(notes)), p)
        return p[f"no_{aspect}_at_all"].format(title=content.title) + " " + _where_to_check(guide, lang)
    values: dict[str, list[str]] = {}
    kinds = [c.kind for c in content.channels]
    for channel in content.channels:
        value = _cut(getattr(channel, aspect)) or p[f"no_{aspect}"]
        if aspect == "time" and _UNITLESS.fullmatch(channel.time):
            value = p["no_unit"].format(value=channel.time)
        if aspect == "time" and (note := _sentence_with(channel.note, _DURATION)) and _adds_to(channel.time, note):
            value = f"{value} ({note})"  # "60 Ngày làm việc (… lần đầu không quá 30 ngày …)"
        label = labels[channel.kind]
        first = re.split(r"(?<=[.;])\s", channel.note, maxsplit=1)[0].rstrip(".;")
        if kinds.count(channel.kind) > 1 and 0 < len(first) <= _SHORT_NOTE:
            label = first  # two in-person rows: "Tại UBND cấp xã", "Tại cơ quan đại diện ở nước ngoài"
        values.setdefault(value, [])
        if label not in values[value]:
            values[value].append(label)
    head = p[aspect].format(title=content.title)
    if len(values) == 1:
        text = f"{head}: {next(iter(values)).rstrip('.')}."
    else:
        if len({frozenset(names) for names in values.values()}) == 1:
            # Every channel has every value (cases, not channels, differ): the values alone.
            rows = list(values)
        else:
            rows = [f"{', '.join(names)}: {value}" for value, names in values.items()]
        text = f"{head}:\n" + "\n".join(f"- {row}" for row in rows)
    if aspect == "time" and (deadlines := _deadlines(content.conditions)):
        # "How long" is also asked of a deadline the citizen must meet ("báo mất trong bao lâu?").
        text += "\n" + p["note"].format(text=" ".join(deadlines))
    return _fitted(text, p)


_OPTION_VALUE = 160  # a fee or time on one clarify option's line


def option_value(guide: Guide, lang: str, aspect: Aspect) -> str:
    """The fee or time asked about, in one line for a clarify option; "" when not asked or not stated.

    A citizen choosing between procedures (or levels of one) sees what each costs or takes before
    choosing: "Trực tiếp: 20.000 đồng; Trực tuyến: 10.000 đồng". Values are the guide's own.
    """
    if aspect not in ("fee", "time"):
        return ""
    labels = CHANNEL_LABELS["en" if lang == "en" else "vi"]
    values: dict[str, list[str]] = {}
    for channel in guide.content_for(lang).channels:
        if value := " ".join(getattr(channel, aspect).split()):
            names = values.setdefault(value, [])
            if labels[channel.kind] not in names:
                names.append(labels[channel.kind])
    if len(values) < 2:
        return _cut(next(iter(values), ""), _OPTION_VALUE)
    return _cut("; ".join(f"{', '.join(names)}: {value}" for value, names in values.items()), _OPTION_VALUE)


def clarify_text(prompt: str, values: dict[str, str], titles: dict[str, str], lang: str, aspect: Aspect) -> str:
    """The clarify question, then each option's fee or time when the question asked for one."""
    if not values:
        return prompt
    p = phrases(lang)
    rows = [f"- {titles[code]}: {value}" for code, value in values.items()]
    return _fitted("\n".join([prompt, p[f"{aspect}_each"], *rows]), p)


def _adds_to(time: str, note: str) -> bool:
    """Whether the description's durations say more than the time column (none, no unit, other numbers)."""
    if not time or _UNITLESS.fullmatch(time):
        return True
    numbers = {int(n) for n in re.findall(r"\d+", time)}
    return any(int(re.findall(r"\d+", d)[0]) not in numbers for d in _DURATION.findall(note))


def _deadlines(conditions: str, limit: int = 2) -> list[str]:
    """Sentences of the conditions that set a deadline ("trong 15 ngày trước …", "before 23:00")."""
    found: list[str] = []
    for sentence in re.split(r"(?<=\.)\s+|\n", conditions):
        if _DEADLINE.search(sentence) and len(found) < limit:
            found.append(_cut(sentence.strip(), 2 * _VALUE))
    return found


def _where_to_check(guide: Guide, lang: str) -> str:
    p = phrases(lang)
    agency = guide.agency or guide.content_for(lang).where
    url = guide.source_url or guide.online_url
    if url and agency:
        return p["check_both"].format(url=url, agency=agency)
    if url:
        return p["check_page"].format(url=url)
    return p["check_agency"].format(agency=agency) if agency else p["check_person"]


def _documents_text(content: GuideContent, p: dict[str, str]) -> str:
    """The documents per case: whole cases while they fit, then how many cases are left."""
    lines = [p["documents"].format(title=content.title) + ":"]
    budget = MAX_TEXT - len(lines[0]) - 160  # room for the closing lines
    shown = 0
    for case in content.documents:
        block = ([f"{case.case}:"] if case.case else []) + [f"- {_cut(item)}" for item in case.items]
        size = sum(len(line) + 1 for line in block)
        if shown and size > budget:
            break
        if size > budget:  # the first case alone is longer than the bubble: its first items
            kept = [line for line, total in _running(block) if total <= budget]
            left = len(block) - len(kept)
            lines += [*kept, p["more_items"].format(n=left)]
            budget = 0
        else:
            lines += block
            budget -= size
        shown += 1
    rest = content.documents[shown:]
    if rest:
        names = "; ".join(_cut(case.case, 60) or "…" for case in rest)
        lines.append(p["more_cases"].format(n=len(rest), names=names))
    if rest or budget <= 0 or any(item != _cut(item) for case in content.documents[:shown] for item in case.items):
        lines.append(p["more"])
    return "\n".join(lines)


def _steps_text(head: str, steps: list[str], p: dict[str, str]) -> str:
    """Numbered steps, each cut to `_VALUE` characters, while they fit."""
    lines = [f"{head}:" if not head.endswith(":") else head]
    budget = MAX_TEXT - len(lines[0]) - 120
    for number, step in enumerate(steps, start=1):
        line = f"{number}. {_cut(' '.join(step.split()))}"
        if len(line) + 1 > budget and number > 1:
            lines += [p["more_steps"].format(n=len(steps) - number + 1), p["more"]]
            return "\n".join(lines)
        lines.append(line)
        budget -= len(line) + 1
    if any(step != _cut(step) for step in steps):
        lines.append(p["more"])
    return "\n".join(lines)


def _online_text(guide: Guide, lang: str) -> str:
    content = guide.content_for(lang)
    p = phrases(lang)
    labels = CHANNEL_LABELS["en" if lang == "en" else "vi"]
    kinds: dict[str, list[str]] = {}  # note → the channels it describes, so a shared note is said once
    for channel in content.channels:
        names = kinds.setdefault(_cut(channel.note), [])
        if labels[channel.kind] not in names:
            names.append(labels[channel.kind])
    rows = [f"- {', '.join(names)}" + (f": {note}" if note else "") for note, names in kinds.items()]
    text = p["online"].format(title=content.title) + ":\n" + "\n".join(rows)
    if guide.online_url and any(c.kind == "online" for c in content.channels):
        text += "\n" + p["online_at"].format(url=guide.online_url)
    return _fitted(text, p)


def _sentence_with(text: str, pattern: re.Pattern[str]) -> str:
    """The first sentence or line of `text` that `pattern` matches, cut to `_VALUE` characters."""
    for sentence in re.split(r"\n|(?<=[.;])\s+", text):
        sentence = sentence.strip(" -+*•;")
        if sentence and pattern.search(sentence):
            return _cut(sentence.rstrip("."))
    return ""


def _cut(text: str, limit: int = _VALUE) -> str:
    """`text` whole, or cut at a word before `limit` characters with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:(") + "…"


def _fitted(text: str, p: dict[str, str]) -> str:
    """`text` within `MAX_TEXT` characters; a cut text points to the card and the source page."""
    if len(text) <= MAX_TEXT:
        return text
    return _cut(text, MAX_TEXT - len(p["more"]) - 1) + "\n" + p["more"]


def _running(lines: list[str]) -> Iterator[tuple[str, int]]:
    total = 0
    for line in lines:
        total += len(line) + 1
        yield line, total


def procedures(outcome: SearchOutcome, limit: int = 4) -> list[dict[str, str]]:
    return [{"code": h.code, "title": h.title, "url": h.url} for h in outcome.hits[:limit]]

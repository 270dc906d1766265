"""Reference facts in a reply: fees, durations and "free", compared by value rather than by spelling.

    extract_facts("Lệ phí 70.000 đồng, trả kết quả trong 07 ngày làm việc.")  # ["70.000 đồng", "07 ngày làm việc"]
    states_fact("07 ngày làm việc", "Processing time: 7 working days.")      # True

A fact that names a quantity is stated when the reply names the same quantity: numbers are
compared as values (leading zeros and thousands separators dropped, "2,5 triệu" = 2500000) and
units after folding and mapping synonyms (đồng = VND = đ, ngày làm việc = working days, giờ = hours).
A bare number ("200.000") is stated when the reply has that number; any other fact ("Tờ khai CT01",
"48/2022/TT-BTC") when its folded words occur in the reply in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from knowledge.normalize import fold, nfc

# Unit spellings (folded) → canonical unit. Longer spellings first so "ngay lam viec" beats "ngay".
_UNITS: list[tuple[str, str]] = [
    (r"ngay lam viec|working days?|business days?", "working_day"),
    (r"ngay|days?", "day"),
    (r"gio|tieng|hours?|h", "hour"),
    (r"phut|minutes?", "minute"),
    (r"tuan|weeks?", "week"),
    (r"thang|months?", "month"),
    (r"nam|years?", "year"),
    (r"viet nam dong|dong|vnd|d", "dong"),
]
_UNIT_OF = [(re.compile(rf"(?:{pattern})$"), unit) for pattern, unit in _UNITS]
_MULTIPLIERS = {"trieu": 1_000_000, "million": 1_000_000, "nghin": 1000, "ngan": 1000, "thousand": 1000}

_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?![.,]?\d)|\d+(?:[.,]\d+)?"
# A number not inside a code or a date ("123/2015", "31/12", "ngày 15 tháng 5 năm 2025"), an optional
# range end, multiplier and unit.
_QUANTITY = re.compile(
    rf"(?<![\w/.,-])(?<!ngay )(?<!thang )(?P<num>{_NUMBER})"
    rf"(?:\s*(?:-|–|den|toi|to)\s*(?P<num2>{_NUMBER}))?"
    rf"\s*(?P<mult>{'|'.join(_MULTIPLIERS)})?"
    rf"\s*(?P<unit>{'|'.join(p for p, _ in _UNITS)})(?!\w)"
)
_CURRENCY_FIRST = re.compile(rf"(?<!\w)vnd\s*(?P<num>{_NUMBER})(?!\w)")
_FREE = re.compile(
    r"(?<!\w)(?:mien (?:phi|le phi)|khong (?:mat|thu|ton|phai nop|phai tra) (?:phi|le phi|tien)"
    r"|free of charge|free|no fee|no charge|without charge)(?!\w)"
)
FEE_KINDS = frozenset({"amount", "free"})
TIME_KINDS = frozenset({"duration"})
ALL_KINDS = FEE_KINDS | TIME_KINDS
# Which facts a reference answer is read for, by question kind: a time question's answer may also
# quote a fee, which the reply need not repeat. Document lists are not quantities: those facts are
# written by hand (the team's files), never extracted.
KINDS_FOR_QUESTION: Mapping[str, frozenset[str]] = {"fee": FEE_KINDS, "time": TIME_KINDS, "documents": frozenset()}


@dataclass(frozen=True)
class Quantity:
    kind: str  # amount | duration | free
    value: str = ""  # canonical number: "70000", "2.5"
    unit: str = ""  # dong | working_day | day | hour | ...


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    quantities: tuple[Quantity, ...]


def _folded_same_length(text: str) -> str:
    """`fold` applied letter by letter, so positions in the result are positions in `text` (NFC)."""
    out = []
    for ch in text:
        folded = fold(ch)
        out.append(folded if len(folded) == 1 else ch.lower()[:1] or " ")
    return "".join(out)


def parse_number(text: str) -> Decimal:
    """ "07" → 7, "70.000" and "70,000" → 70000, "2,5" and "2.5" → 2.5 (groups of three digits are thousands)."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
        return Decimal(re.sub(r"[.,]", "", text))
    return Decimal(text.replace(",", "."))


def _canonical(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))


def _unit(spelling: str) -> str:
    spelling = re.sub(r"\s+", " ", spelling)
    return next(unit for pattern, unit in _UNIT_OF if pattern.match(spelling))


def _scan(text: str) -> Iterator[_Found]:
    folded = _folded_same_length(nfc(text))
    for m in _QUANTITY.finditer(folded):
        unit = _unit(m["unit"])
        factor = _MULTIPLIERS.get(m["mult"] or "", 1)
        kind = "amount" if unit == "dong" else "duration"
        if unit == "dong" and m["unit"] == "d" and factor == 1 and parse_number(m["num"]) < 1000:
            continue  # "5 d" is not a fee; "50.000đ" is
        values = [m["num"], *([m["num2"]] if m["num2"] else [])]
        yield _Found(m.start(), m.end(), tuple(Quantity(kind, _canonical(parse_number(v) * factor), unit) for v in values))
    for m in _CURRENCY_FIRST.finditer(folded):
        yield _Found(m.start(), m.end(), (Quantity("amount", _canonical(parse_number(m["num"])), "dong"),))
    for m in _FREE.finditer(folded):
        yield _Found(m.start(), m.end(), (Quantity("free"),))


def quantities(text: str) -> set[Quantity]:
    """Every fee, duration and "free" the text states."""
    return {q for found in _scan(text) for q in found.quantities}


def extract_facts(answer: str, kinds: Iterable[str] = ALL_KINDS) -> list[str]:
    """The amounts, durations and "miễn phí" of a reference answer, as written, in order, each value once."""
    wanted = set(kinds)
    text = nfc(answer)
    seen: set[Quantity] = set()
    facts = []
    for found in sorted(_scan(text), key=lambda f: f.start):
        fresh = [q for q in found.quantities if q.kind in wanted and q not in seen]
        if fresh:
            seen.update(found.quantities)
            facts.append(text[found.start : found.end].strip())
    return facts


def facts_for_question(item: Mapping[str, object]) -> tuple[str, ...]:
    """A question's reference facts: its own `facts`, else the ones its free-text `answer` states."""
    own = item.get("facts")
    if isinstance(own, list | tuple) and own:
        return tuple(str(f) for f in own)
    kinds = KINDS_FOR_QUESTION.get(str(item.get("kind") or ""), frozenset())
    answer = item.get("answer")
    return tuple(extract_facts(answer, kinds)) if kinds and isinstance(answer, str) else ()


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def _numbers(text: str) -> set[str]:
    return {_canonical(parse_number(m[0])) for m in re.finditer(rf"(?<![\w/.,-])(?:{_NUMBER})(?![\w/])", nfc(text))}


def states_fact(fact: str, reply: str) -> bool:
    """Whether `reply` states `fact`: the same quantities, the same number for a bare one ("200.000"),
    or (for a fact with neither) the same folded words."""
    wanted = quantities(fact)
    if wanted:
        return wanted <= quantities(reply)
    if re.fullmatch(_NUMBER, fact.strip()):
        return _canonical(parse_number(fact.strip())) in _numbers(reply)
    words = _words(fact)
    return bool(words) and f" {words} " in f" {_words(reply)} "


def flatten_strings(value: object) -> list[str]:
    """Every string inside nested dicts and lists (a reply's text and its answer card), in order."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in flatten_strings(v)]
    if isinstance(value, Sequence):
        return [s for v in value for s in flatten_strings(v)]
    return []

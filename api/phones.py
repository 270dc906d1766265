"""Phone numbers, read by one library (`phonenumbers`, region VN) wherever the app reads them:
chat redaction (`find_phones`), callback requests, form answers and identity claims (`parse_vn_phone`).

    >>> parse_vn_phone("0912 345 678"), national("+84912345678"), parse_vn_phone("1900 1234")
    ('+84912345678', '0912345678', None)
    >>> [("gọi 0912.345.678 hoặc 024 3825 1234")[a:b] for a, b in find_phones("gọi 0912.345.678 hoặc 024 3825 1234")]
    ['0912.345.678', '024 3825 1234']

The Rasa NLU keeps its own `phone` regex (bot/data/entities.yml) as a feature only: no slot or
action takes a number from it.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, NumberParseException, PhoneNumber, PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType

REGION = "VN"
COUNTRY_CODE = 84
# A person's (or a household's, an office's) line. Hotlines (1800 toll-free, 1900 shared-cost) are
# public: answers cite them, so they are neither redacted nor accepted as a callback number.
PERSONAL = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.VOIP,
        PhoneNumberType.PERSONAL_NUMBER,
        PhoneNumberType.PAGER,
        PhoneNumberType.VOICEMAIL,
    }
)
# Digit groups joined by one space, dot or hyphen ("05/03/2024 0912 345 678" is two runs). The
# library's matcher rejects a candidate it reads as a date or as one too-long number; the runs let
# `find_phones` try the library on each group sequence inside them instead.
_RUN = re.compile(r"[(+]*\d+\)?(?:[ .\-]\(?\d+\)?)*")
_GROUP = re.compile(r"[(+]*\d+")
_MAX_DIGITS = 15  # E.164


def _parse(text: str) -> PhoneNumber | None:
    try:
        return phonenumbers.parse(text, REGION)
    except NumberParseException:
        return None


def _personal(number: PhoneNumber | None) -> bool:
    return number is not None and phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in PERSONAL


def parse_vn_phone(text: str) -> str | None:
    """The E.164 form of a valid Vietnamese personal number (mobile or landline, any usual spacing), else None."""
    number = _parse(text.strip())
    if not _personal(number) or number is None or number.country_code != COUNTRY_CODE:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def national(e164: str) -> str:
    """'+84912345678' → '0912345678': the digits as Vietnamese forms and agents write them."""
    return "0" + phonenumbers.national_significant_number(phonenumbers.parse(e164, None))


def find_phones(text: str) -> list[tuple[int, int]]:
    """Spans of the phone numbers in free text, for redaction: valid personal numbers (any country when
    written with +), and numbers written the Vietnamese way (0… or +84…) with a subscriber's length
    that the library finds possible but not valid (pre-2018 11-digit mobiles, unassigned prefixes).

    Not phones: money ("100.000.000 đồng"), procedure codes ("1.004194"), hotlines (1900 …).
    Redact 12-digit ID numbers before (a 12-digit run is no phone number here either).
    """
    spans = [(m.start, m.end) for m in PhoneNumberMatcher(text, REGION, leniency=Leniency.VALID) if _personal(m.number)]
    for run in _RUN.finditer(text):
        if not any(a < run.end() and run.start() < b for a, b in spans):
            spans += _spans_in_run(text, run.start(), run.end())
    return sorted(spans)


def _spans_in_run(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The longest phone numbers made of consecutive digit groups of one run, left to right."""
    groups = [(m.start() + start, m.end() + start) for m in _GROUP.finditer(text[start:end])]
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(groups):
        first = groups[i][0]
        ends = [j for j in range(i, len(groups)) if _digits(text[first : groups[j][1]]) <= _MAX_DIGITS]
        hit = next((j for j in reversed(ends) if _looks_like_phone(text[first : groups[j][1]])), None)
        if hit is None:
            i += 1
            continue
        closing = groups[hit][1] + (text[groups[hit][1] : groups[hit][1] + 1] == ")")
        found.append((first, closing))
        i = hit + 1
    return found


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def _looks_like_phone(candidate: str) -> bool:
    written = candidate.lstrip("(")
    if not written.startswith(("0", "+")):  # a bare "912 345 678" or "100.000.000" is left to the matcher
        return False
    number = _parse(candidate)
    if _personal(number):
        return True
    vietnamese_form = written.startswith(("+84", "0")) and not written.startswith("00")
    return (
        number is not None
        and vietnamese_form
        and number.country_code == COUNTRY_CODE
        and phonenumbers.is_possible_number(number)
        and len(phonenumbers.national_significant_number(number)) in (9, 10)
    )

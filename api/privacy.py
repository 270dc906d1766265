"""Redaction of personal numbers before anything is written to transcripts or logs."""

from __future__ import annotations

import re

from api.phones import find_phones

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 12 digits, also typed in groups ("0012 0300 4567"); dots are left alone: "100.000.000 đồng" is money.
_ID_NUMBER = re.compile(r"(?<!\d)\d(?: ?\d){11}(?!\d)")
_OLD_ID_NUMBER = re.compile(r"(?<!\d)\d{9}(?!\d)")
PHONE = "[số điện thoại]"
# The product's own opaque identifiers (uuid4 hex: drafts, tickets in button payloads) can hold a run
# of 9 or 12 digits by chance; they are not personal numbers and must survive intact.
_OPAQUE_ID = re.compile(r"(?<![0-9A-Za-z])((?=[0-9a-f]*[a-f])[0-9a-f]{32})(?![0-9A-Za-z])")


def redact(text: str) -> str:
    """Replace e-mails, ID numbers and phone numbers (api.phones) with placeholders.

    Order matters: e-mails first, then 12-digit personal ID numbers, then phone numbers, then
    9-digit old ID card numbers.

    >>> redact("CCCD 001203004567, gọi 0912 345 678")
    'CCCD [số định danh], gọi [số điện thoại]'
    """
    pieces = _OPAQUE_ID.split(text)  # the group keeps the identifiers: text, id, text, …, text
    return "".join(piece if i % 2 else _redact_words(piece) for i, piece in enumerate(pieces))


def _redact_words(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    text = _ID_NUMBER.sub("[số định danh]", text)
    text = redact_phones(text)
    return _OLD_ID_NUMBER.sub("[số CMND]", text)


def redact_phones(text: str) -> str:
    for start, end in reversed(find_phones(text)):
        text = text[:start] + PHONE + text[end:]
    return text

"""Redaction of personal numbers before anything is written to transcripts or logs."""

from __future__ import annotations

import re

from api.phones import find_phones

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 12 digits, also typed in groups ("0012 0300 4567"); dots are left alone: "100.000.000 đồng" is money.
_ID_NUMBER = re.compile(r"(?<!\d)\d(?: ?\d){11}(?!\d)")
_OLD_ID_NUMBER = re.compile(r"(?<!\d)\d{9}(?!\d)")
PHONE = "[số điện thoại]"


def redact(text: str) -> str:
    """Replace e-mails, ID numbers and phone numbers (api.phones) with placeholders.

    Order matters: e-mails first, then 12-digit personal ID numbers, then phone numbers, then
    9-digit old ID card numbers.

    >>> redact("CCCD 001203004567, gọi 0912 345 678")
    'CCCD [số định danh], gọi [số điện thoại]'
    """
    text = _EMAIL.sub("[email]", text)
    text = _ID_NUMBER.sub("[số định danh]", text)
    text = redact_phones(text)
    return _OLD_ID_NUMBER.sub("[số CMND]", text)


def redact_phones(text: str) -> str:
    for start, end in reversed(find_phones(text)):
        text = text[:start] + PHONE + text[end:]
    return text

"""Redaction of personal numbers before anything is written to transcripts or logs."""

from __future__ import annotations

import re

# Order matters: e-mails first, then 12-digit personal ID numbers, then phone numbers.
_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    # 12 digits, also typed in groups ("0012 0300 4567"); dots are left alone: "100.000.000 đồng" is money.
    (re.compile(r"(?<!\d)\d(?: ?\d){11}(?!\d)"), "[số định danh]"),
    (re.compile(r"(?<![\w+])(?:\+?84|0)(?:[\s.-]?\d){9,10}(?!\d)"), "[số điện thoại]"),
    (re.compile(r"(?<!\d)\d{9}(?!\d)"), "[số CMND]"),
]


def redact(text: str) -> str:
    """Replace e-mails, ID numbers and phone numbers with placeholders.

    >>> redact("CCCD 001203004567, gọi 0912 345 678")
    'CCCD [số định danh], gọi [số điện thoại]'
    """
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text

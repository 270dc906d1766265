"""Field-level checks of a guide as editors send it (the `guide_to_dict` shape).

Every problem is reported with the path of its field (``vi.channels.0.fee``), all at
once, so the form can mark each field. Markup is refused rather than stored: guides are
shown in the chat, the console and exports, and text that never holds a tag cannot
become one anywhere it is shown.
"""

from __future__ import annotations

import re
from typing import Any

from api.editor.errors import FieldError
from knowledge.guides import CHANNEL_KINDS, LANGUAGES
from knowledge.normalize import fold

CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
MARKUP = re.compile(r"<\s*/?\s*[a-z!?][^>]*>|<\s*script|javascript\s*:|vbscript\s*:|data\s*:\s*text/html", re.IGNORECASE)
URL = re.compile(r"^https?://[^\s<>\"']+$")
LIMITS = {"title": 300, "default": 5000}
MAX_ITEMS = 200

# A fee says how much (it holds a number) or says there is none / refers to a rule.
FREE_PHRASES = (
    "mien phi", "mien le phi", "khong thu", "khong mat phi", "khong co thong tin", "khong co le phi", "khong ghi",
    "theo quy dinh", "hoi dong nhan dan", "nhu nop", "nhu hinh thuc",
    "free", "no fee", "no charge", "no extra", "not charged", "no information", "no fee information", "gives no amount",
    "as regulated", "people's council", "as online", "as in person", "as by post",
)  # fmt: skip
TEXT_FIELDS = ("summary", "who", "where", "conditions", "result")
TOP_TEXT = ("domain", "level", "agency")


def fee_is_amount(fee: str) -> bool:
    """A fee must contain a number ("135.000 đồng") or be a known phrase ("Miễn phí", "Free", "Không có thông tin")."""
    if not fee.strip() or re.search(r"\d", fee):
        return True
    folded = fold(fee)
    return any(phrase in folded for phrase in FREE_PHRASES)


def validate_guide(data: Any) -> list[FieldError]:
    """Every problem of `data`, empty when it is a valid guide."""
    if not isinstance(data, dict):
        return [FieldError("guide", "expected an object")]
    errors: list[FieldError] = []
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        errors.append(FieldError("code", "the code is required (e.g. 1.004222)"))
    elif not CODE.match(code.strip()):
        errors.append(FieldError("code", "use letters, digits, '.', '_' or '-' (at most 64)"))
    for name in TOP_TEXT:
        _text(errors, name, data.get(name))
    for name in ("online_url", "source_url"):
        value = data.get(name)
        if _text(errors, name, value) and value and not URL.match(value.strip()):
            errors.append(FieldError(name, "must be an http:// or https:// address"))
    for i, ref in enumerate(_items(errors, "legal_basis", data.get("legal_basis"))):
        if not isinstance(ref, dict):
            errors.append(FieldError(f"legal_basis.{i}", "expected {number, title}"))
            continue
        if _text(errors, f"legal_basis.{i}.number", ref.get("number")) and not str(ref.get("number") or "").strip():
            errors.append(FieldError(f"legal_basis.{i}.number", "the document number is required"))
        _text(errors, f"legal_basis.{i}.title", ref.get("title"))
    if not data.get("vi"):
        errors.append(FieldError("vi.title", "the Vietnamese title is required"))
    for lang in LANGUAGES:
        if data.get(lang):
            _content(errors, lang, data[lang])
    return errors


def _content(errors: list[FieldError], lang: str, content: Any) -> None:
    if not isinstance(content, dict):
        errors.append(FieldError(lang, "expected an object"))
        return
    title = content.get("title")
    if _text(errors, f"{lang}.title", title, LIMITS["title"]) and not str(title or "").strip():
        errors.append(FieldError(f"{lang}.title", "the title is required"))
    for name in TEXT_FIELDS:
        _text(errors, f"{lang}.{name}", content.get(name))
    for name in ("aliases", "questions", "steps"):
        for i, item in enumerate(_items(errors, f"{lang}.{name}", content.get(name))):
            _text(errors, f"{lang}.{name}.{i}", item)
    for i, case in enumerate(_items(errors, f"{lang}.documents", content.get("documents"))):
        if not isinstance(case, dict):
            errors.append(FieldError(f"{lang}.documents.{i}", "expected {case, items}"))
            continue
        _text(errors, f"{lang}.documents.{i}.case", case.get("case"))
        for j, item in enumerate(_items(errors, f"{lang}.documents.{i}.items", case.get("items"))):
            _text(errors, f"{lang}.documents.{i}.items.{j}", item)
    for i, row in enumerate(_items(errors, f"{lang}.channels", content.get("channels"))):
        path = f"{lang}.channels.{i}"
        if not isinstance(row, dict):
            errors.append(FieldError(path, "expected {kind, time, fee, note}"))
            continue
        if row.get("kind") not in CHANNEL_KINDS:
            errors.append(FieldError(f"{path}.kind", f"must be one of {', '.join(CHANNEL_KINDS)}"))
        for name in ("time", "note"):
            _text(errors, f"{path}.{name}", row.get(name))
        fee = row.get("fee")
        if _text(errors, f"{path}.fee", fee) and fee and not fee_is_amount(fee):
            errors.append(FieldError(f"{path}.fee", "write an amount (e.g. '135.000 đồng') or 'Miễn phí' / 'Free' / 'Không có thông tin'"))


def _text(errors: list[FieldError], path: str, value: Any, limit: int = LIMITS["default"]) -> bool:
    """Whether `value` is usable text (None counts as empty); records why not."""
    if value is None:
        return True
    if not isinstance(value, str):
        errors.append(FieldError(path, "expected text"))
        return False
    if len(value) > limit:
        errors.append(FieldError(path, f"is {len(value):,} characters; the limit is {limit:,}"))
        return False
    if MARKUP.search(value):
        errors.append(FieldError(path, "HTML or script is not allowed; write plain text"))
        return False
    return True


def _items(errors: list[FieldError], path: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(FieldError(path, "expected a list"))
        return []
    if len(value) > MAX_ITEMS:
        errors.append(FieldError(path, f"has {len(value)} items; the limit is {MAX_ITEMS}"))
        return []
    return value

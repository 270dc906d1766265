"""A structured, per-field diff between two guide versions (the console shows it side by side)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from knowledge.guides import LANGUAGES

Kind = Literal["added", "removed", "changed"]
# Fields that change on every save and say nothing an editor wrote.
IGNORED = {"updated_at", "status"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    kind: Kind
    before: Any
    after: Any


def flatten(data: dict[str, Any]) -> dict[str, Any]:
    """Leaf values by field path: ``vi.steps.0``, ``vi.channels.1.fee``, ``legal_basis.0.number``."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(f"{prefix}.{i}", item)
        elif value not in (None, ""):
            out[prefix] = value

    walk("", {k: v for k, v in data.items() if k not in IGNORED})
    return out


def diff_guides(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Changed leaf fields in a stable reading order (language-independent facts, then vi, then en)."""
    a, b = flatten(before), flatten(after)
    changes = []
    for path in sorted(a.keys() | b.keys(), key=_reading_order):
        if path not in a:
            changes.append(FieldChange(path, "added", None, b[path]))
        elif path not in b:
            changes.append(FieldChange(path, "removed", a[path], None))
        elif a[path] != b[path]:
            changes.append(FieldChange(path, "changed", a[path], b[path]))
    return changes


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [c.field for c in diff_guides(before, after)]


def _reading_order(path: str) -> tuple[int, list[Any]]:
    head = path.split(".", 1)[0]
    group = 1 + LANGUAGES.index(head) if head in LANGUAGES else 0
    return group, [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in path.split(".")]

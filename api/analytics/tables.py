"""A figure as a table: labelled columns, rows of numbers; small cells suppressed; CSV.

A table leaves `figures` with exact numbers and a base per row (the conversations behind it).
`suppress` is applied at the edge (API, CSV, charts) before anything leaves the app:

- a count between 1 and 4 becomes "< 5" (0 stays 0: an empty cell identifies no one);
- a rate, a duration or a mean in a row whose base is under 5 conversations becomes "< 5".

    table = suppress(figures.containment(data))
    body = to_csv(table, "en")
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from typing import Any, Literal

SMALL = 5
HIDDEN = "< 5"
Kind = Literal["label", "count", "rate", "seconds", "number"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    kind: Kind
    vi: str
    en: str

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class Table:
    """`rows` are dicts keyed by column key; `bases[i]` is the number of conversations behind row i."""

    key: str
    vi: str
    en: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    bases: list[int] = field(default_factory=list)
    note: str = ""

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def suppress(table: Table) -> Table:
    """The table as it may be shown: small counts and rates over small bases as "< 5" (module docstring)."""
    rows = []
    for row, base in zip(table.rows, table.bases, strict=True):
        shown = dict(row)
        for column in table.columns:
            value = row.get(column.key)
            if value is None or column.kind == "label":
                continue
            small_count = column.kind == "count" and 0 < value < SMALL
            if small_count or (column.kind in ("rate", "seconds", "number") and base < SMALL):
                shown[column.key] = HIDDEN
        rows.append(shown)
    return replace(table, rows=rows)


def as_json(table: Table, lang: str) -> dict[str, Any]:
    """The (already suppressed) table for the API: titles and column labels in `lang`."""
    return {
        "key": table.key,
        "title": table.title(lang),
        "note": table.note,
        "columns": [{"key": c.key, "kind": c.kind, "label": c.label(lang)} for c in table.columns],
        "rows": [{c.key: row.get(c.key) for c in table.columns} for row in table.rows],
    }


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (or tab, CR) gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(table: Table, lang: str) -> str:
    """The (already suppressed) table as CSV with a header row of column labels in `lang`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c.label(lang)) for c in table.columns])
    for row in table.rows:
        writer.writerow([safe_cell(row.get(c.key)) for c in table.columns])
    return out.getvalue()

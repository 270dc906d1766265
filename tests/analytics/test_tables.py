"""Small cells hidden before anything is shown; CSV cells a spreadsheet would run as formulas are escaped."""

from __future__ import annotations

import csv
import io

from api.analytics.tables import HIDDEN, Column, Table, safe_cell, suppress, to_csv

COLUMNS = (Column("group", "label", "Nhóm", "Group"), Column("n", "count", "Số", "Count"), Column("share", "rate", "Tỷ lệ", "Share"),
           Column("wait", "seconds", "Chờ", "Wait"))  # fmt: skip


def test_counts_under_five_and_rates_over_fewer_than_five_conversations_are_hidden() -> None:
    table = Table("t", "T", "T", COLUMNS,
                  [{"group": "a", "n": 4, "share": 0.4, "wait": 30.0}, {"group": "b", "n": 5, "share": 0.5, "wait": 12.0},
                   {"group": "c", "n": 0, "share": None, "wait": None}, {"group": "d", "n": 7, "share": 0.7, "wait": 9.0}],
                  [4, 5, 0, 3])  # fmt: skip
    shown = suppress(table).rows
    assert shown[0] == {"group": "a", "n": HIDDEN, "share": HIDDEN, "wait": HIDDEN}
    assert shown[1] == {"group": "b", "n": 5, "share": 0.5, "wait": 12.0}
    assert shown[2] == {"group": "c", "n": 0, "share": None, "wait": None}  # an empty cell identifies no one
    assert shown[3] == {"group": "d", "n": 7, "share": HIDDEN, "wait": HIDDEN}  # 7 answers, but from 3 conversations
    assert table.rows[0]["n"] == 4  # the exact table is unchanged


def test_csv_escapes_formula_cells() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+cmd", "-2", "@SUM(A1)", "\t=x", "plain", 0.25, 3, None, "< 5")] == [
        "'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "'\t=x", "plain", "0.25", "3", "", "< 5"]  # fmt: skip
    table = Table("t", "T", "T", COLUMNS, [{"group": '=HYPERLINK("http://x")', "n": 9, "share": 0.5, "wait": 1.0}], [9])
    parsed = list(csv.reader(io.StringIO(to_csv(table, "en"))))
    assert parsed == [["Group", "Count", "Share", "Wait"], ['\'=HYPERLINK("http://x")', "9", "0.5", "1"]]
    assert list(csv.reader(io.StringIO(to_csv(table, "vi"))))[0] == ["Nhóm", "Số", "Tỷ lệ", "Chờ"]

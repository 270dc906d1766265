"""The national records into the guide store: every record accounted for, re-import idempotent."""

import json

import pytest

from knowledge.importer import import_tthc
from tests.conftest import SHARED, require_shared

pytestmark = pytest.mark.shared


def test_import_accounts_for_every_record_and_is_idempotent(sessions) -> None:
    directory = require_shared(SHARED / "data" / "tthc")
    total = len(list(directory.glob("*/*.json")))
    first = import_tthc(factory=sessions, directory=directory)
    assert sum(first.counts.values()) == total
    assert first.counts["new"] + first.counts["invalid"] == total
    again = import_tthc(factory=sessions, directory=directory, dry_run=True)
    assert again.counts["unchanged"] == first.counts["new"]


def test_bad_files_are_reported_one_by_one(sessions, tmp_path) -> None:
    ministry = tmp_path / "bo-thu"
    ministry.mkdir()
    (ministry / "bad.json").write_text("{not json", encoding="utf-8")
    (ministry / "nocode.json").write_text(json.dumps({"ten_thu_tuc": "Thủ tục không mã"}), encoding="utf-8")
    (ministry / "ok.json").write_text(
        json.dumps({"ma_thu_tuc": "9.999", "ten_thu_tuc": "Thủ tục thử", "trinh_tu_thuc_hien": "Bước 1: Nộp hồ sơ."}), encoding="utf-8"
    )
    report = import_tthc(factory=sessions, directory=tmp_path)
    assert report.counts["invalid"] == 2 and report.counts["new"] == 1
    assert {p["file"] for p in report.problems if not p["imported"]} == {"bo-thu/bad.json", "bo-thu/nocode.json"}

"""Import the national procedure database (``<dir>/<ministry>/<code>.json``) into the guide store.

Every file is accounted for: imported (new / changed / unchanged), kept because a
curated guide of the same code enriches it, or invalid with the reasons. Partial
parses are imported and their problems reported.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from db.session import session_scope
from knowledge.repository import upsert_guide
from knowledge.tthc import parse_record, read_records

BATCH = 200


@dataclass
class ImportReport:
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[dict[str, object]] = field(default_factory=list)

    def summary(self) -> str:
        order = ["new", "changed", "unchanged", "kept-curated", "invalid"]
        parts = [f"{name}: {self.counts[name]}" for name in order]
        partial = sum(1 for p in self.problems if p["imported"])
        return f"{sum(self.counts.values())} records — " + ", ".join(parts) + f"; {partial} imported with parse problems"


def import_tthc(*, factory: sessionmaker[Session], directory: Path, dry_run: bool = False, progress: bool = False) -> ImportReport:
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a directory of <ministry>/<code>.json records")
    report = ImportReport()
    files = sorted(directory.glob("*/*.json"))
    records = read_records(directory)
    batch: list = []
    for path, raw, error in tqdm(records, total=len(files), disable=not progress, unit="record"):
        name = f"{path.parent.name}/{path.name}"
        if error is not None:
            report.counts["invalid"] += 1
            report.problems.append({"file": name, "imported": False, "problems": [error]})
            continue
        parsed = parse_record(raw)
        if parsed.guide is None:
            report.counts["invalid"] += 1
            report.problems.append({"file": name, "imported": False, "problems": parsed.problems})
            continue
        if parsed.problems:
            report.problems.append({"file": name, "code": parsed.guide.code, "imported": True, "problems": parsed.problems})
        batch.append((name, parsed.guide))
        if len(batch) >= BATCH:
            _store(factory, batch, report, dry_run)
            batch = []
    _store(factory, batch, report, dry_run)
    return report


def _store(factory: sessionmaker[Session], batch: list, report: ImportReport, dry_run: bool) -> None:
    with session_scope(factory) as session:
        for name, guide in batch:
            report.counts[upsert_guide(session=session, guide=guide, source=f"tthc:{name}", dry_run=dry_run)] += 1

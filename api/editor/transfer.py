"""Bulk import from the national format (uploaded records) and export of the published guides.

Uploads are laid out as the importer expects (``<dir>/<ministry>/<code>.json``) in a
temporary directory: single ``.json`` records, or ``.zip`` archives of them. The report
is the importer's: new / changed / unchanged / kept-curated / invalid, with problems.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from sqlalchemy.orm import Session, sessionmaker

from api.editor.errors import FieldError, GuideInvalid
from db.editorial import SourceRecord
from db.session import session_scope
from knowledge.guides import guide_to_dict
from knowledge.importer import ImportReport, import_tthc
from knowledge.repository import published_guides
from knowledge.tthc import parse_record, read_records

MAX_FILES = 5000


def unpack(files: list[tuple[str, bytes]], directory: Path) -> int:
    """Write uploaded records under `directory/<ministry>/<name>.json`; returns how many."""
    count = 0
    for name, content in files:
        if name.lower().endswith(".zip"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(content))
            except zipfile.BadZipFile as exc:
                raise GuideInvalid([FieldError("files", f"{name} is not a zip archive")]) from exc
            for member in archive.namelist():
                path = PurePosixPath(member)
                if member.endswith(".json") and ".." not in path.parts:
                    count += _write(directory, path.parent.name or "upload", path.name, archive.read(member))
        elif name.lower().endswith(".json"):
            count += _write(directory, "upload", PurePosixPath(name).name, content)
        else:
            raise GuideInvalid([FieldError("files", f"{name}: upload national records as .json files or a .zip of them")])
        if count > MAX_FILES:
            raise GuideInvalid(
                [FieldError("files", f"more than {MAX_FILES:,} records; use `python -m knowledge import-tthc` for the full set")]
            )
    if count == 0:
        raise GuideInvalid([FieldError("files", "no .json records in the upload")])
    return count


def import_upload(*, factory: sessionmaker[Session], files: list[tuple[str, bytes]], dry_run: bool) -> ImportReport:
    with tempfile.TemporaryDirectory(prefix="tthc-upload-") as tmp:
        directory = Path(tmp)
        unpack(files, directory)
        report = import_tthc(factory=factory, directory=directory, dry_run=dry_run)
        if not dry_run:
            record_sources(factory=factory, directory=directory)
    return report


def record_sources(*, factory: sessionmaker[Session], directory: Path) -> None:
    """Remember each national record's fingerprint; a changed one flags its reviewed guide as stale."""
    now = dt.datetime.now(dt.UTC)
    with session_scope(factory) as session:
        for path, raw, error in read_records(directory):
            parsed = parse_record(raw) if error is None else None
            if parsed is None or parsed.guide is None:
                continue
            fingerprint = parsed.guide.fingerprint()
            known = session.get(SourceRecord, parsed.guide.code)
            if known is None:
                session.add(SourceRecord(code=parsed.guide.code, fingerprint=fingerprint, source=path.name, seen_at=now, changed_at=now))
            elif known.fingerprint != fingerprint:
                known.fingerprint, known.seen_at, known.changed_at = fingerprint, now, now
            else:
                known.seen_at = now


def report_dict(report: ImportReport, dry_run: bool) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "counts": {name: report.counts[name] for name in ("new", "changed", "unchanged", "kept-curated", "invalid")},
        "summary": report.summary(),
        "problems": report.problems[:500],
    }


def export_published(*, session: Session, fmt: str) -> str:
    guides = [{"version": g.version, **guide_to_dict(g.guide)} for g in published_guides(session=session)]
    if fmt == "yaml":
        return yaml.safe_dump(guides, allow_unicode=True, sort_keys=False)
    return json.dumps({"exported_at": dt.datetime.now(dt.UTC).isoformat(), "guides": guides}, ensure_ascii=False, indent=1)


def _write(directory: Path, ministry: str, name: str, content: bytes) -> int:
    safe = "".join(c for c in ministry if c.isalnum() or c in "-_.") or "upload"
    folder = directory / safe
    folder.mkdir(exist_ok=True)
    (folder / (PurePosixPath(name).name or "record.json")).write_bytes(content)
    return 1

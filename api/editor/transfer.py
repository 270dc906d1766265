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
from typing import IO, Any

import yaml
from sqlalchemy.orm import Session, sessionmaker

from api.editor.errors import FieldError, GuideInvalid, UploadTooLarge
from db.editorial import SourceRecord
from db.session import session_scope
from knowledge.guides import guide_to_dict
from knowledge.importer import ImportReport, import_tthc
from knowledge.repository import published_guides
from knowledge.tthc import parse_record, read_records

MAX_FILES = 5000
MB = 1024 * 1024
READ_CHUNK = MB


class UnpackBudget:
    """The bytes the unpacked records may take in all: a zip bomb is refused before it is inflated
    (its declared sizes) and while it is (declared sizes can lie, so what is read is counted too)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0

    def check_declared(self, size: int, name: str) -> None:
        if self.used + size > self.limit:
            raise UploadTooLarge(f"{name} unpacks to {_mb(size)}; the limit is {_mb(self.limit)} of records in one import")

    def take(self, size: int, name: str) -> None:
        self.used += size
        if self.used > self.limit:
            raise UploadTooLarge(f"{name} unpacks to more than {_mb(self.limit)}; the limit is {_mb(self.limit)} of records in one import")


def read_capped(stream: IO[bytes], budget: UnpackBudget, name: str) -> bytes:
    """All of `stream`, chunk by chunk, charged to `budget`: never more than its limit in memory."""
    chunks = []
    while chunk := stream.read(READ_CHUNK):
        budget.take(len(chunk), name)
        chunks.append(chunk)
    return b"".join(chunks)


def unpack(files: list[tuple[str, bytes]], directory: Path, *, max_unpacked_bytes: int = 50 * MB) -> int:
    """Write uploaded records under `directory/<ministry>/<name>.json`; returns how many.

    `UploadTooLarge` when the records (once unzipped) pass `max_unpacked_bytes`."""
    count, budget = 0, UnpackBudget(max_unpacked_bytes)
    for name, content in files:
        if name.lower().endswith(".zip"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(content))
            except zipfile.BadZipFile as exc:
                raise GuideInvalid([FieldError("files", f"{name} is not a zip archive")]) from exc
            members = [m for m in archive.infolist() if m.filename.endswith(".json") and ".." not in PurePosixPath(m.filename).parts]
            budget.check_declared(sum(m.file_size for m in members), name)
            for member in members:
                path = PurePosixPath(member.filename)
                try:
                    with archive.open(member) as stream:
                        data = read_capped(stream, budget, name)
                except zipfile.BadZipFile as exc:  # zipfile stops at the declared size: a lying header fails its CRC
                    raise GuideInvalid([FieldError("files", f"{name}: {member.filename} is damaged ({exc})")]) from exc
                count += _write(directory, path.parent.name or "upload", path.name, data)
        elif name.lower().endswith(".json"):
            budget.take(len(content), name)
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


def import_upload(
    *, factory: sessionmaker[Session], files: list[tuple[str, bytes]], dry_run: bool, max_unpacked_bytes: int = 50 * MB
) -> ImportReport:
    with tempfile.TemporaryDirectory(prefix="tthc-upload-") as tmp:
        directory = Path(tmp)
        unpack(files, directory, max_unpacked_bytes=max_unpacked_bytes)
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


def _mb(size: int) -> str:
    return f"{round(size / MB, 1):g} MB"


def _write(directory: Path, ministry: str, name: str, content: bytes) -> int:
    safe = "".join(c for c in ministry if c.isalnum() or c in "-_.") or "upload"
    folder = directory / safe
    folder.mkdir(exist_ok=True)
    (folder / (PurePosixPath(name).name or "record.json")).write_bytes(content)
    return 1

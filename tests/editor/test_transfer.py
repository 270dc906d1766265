"""Unpacking an import: zip bombs refused before and while they inflate, lying headers caught."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from api.editor.errors import GuideInvalid, UploadTooLarge
from api.editor.transfer import MB, UnpackBudget, read_capped, unpack


def zip_of_zeros(megabytes: int, name: str = "bo-thu/9.100001.json") -> bytes:
    """`megabytes` MB of zeros, deflated: a real zip bomb (200 MB → about 200 KB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(name, "w") as member:
        for _ in range(megabytes):
            member.write(bytes(MB))
    return buffer.getvalue()


def understated(archive: bytes, size: int) -> bytes:
    """The archive with its central directory claiming `size` bytes for the (one) member."""
    at = archive.rindex(b"PK\x01\x02") + 24  # uncompressed size field of the central directory entry
    return archive[:at] + size.to_bytes(4, "little") + archive[at + 4 :]


def test_a_zip_bomb_is_refused_from_its_declared_size(tmp_path: Path) -> None:
    bomb = zip_of_zeros(200)
    assert len(bomb) < 1 * MB  # it passes the upload limit: only the unpacked size can stop it
    with pytest.raises(UploadTooLarge) as refused:
        unpack([("records.zip", bomb)], tmp_path, max_unpacked_bytes=50 * MB)
    assert refused.value.status_code == 413
    assert refused.value.detail == "records.zip unpacks to 200 MB; the limit is 50 MB of records in one import"
    assert list(tmp_path.rglob("*.json")) == []


def test_a_zip_that_understates_its_size_is_not_inflated_past_it(tmp_path: Path) -> None:
    liar = understated(zip_of_zeros(200), 1000)
    with pytest.raises(GuideInvalid, match="records.zip: bo-thu/9.100001.json is damaged"):
        unpack([("records.zip", liar)], tmp_path, max_unpacked_bytes=50 * MB)
    assert list(tmp_path.rglob("*.json")) == []


def test_what_is_read_is_counted_whatever_was_declared() -> None:
    budget = UnpackBudget(2 * MB)
    with pytest.raises(UploadTooLarge, match="big.zip unpacks to more than 2 MB; the limit is 2 MB"):
        read_capped(io.BytesIO(bytes(5 * MB)), budget, "big.zip")
    assert budget.used <= 3 * MB  # stopped at the first chunk over, not after reading everything


def test_the_limit_is_for_the_whole_import(tmp_path: Path) -> None:
    record = b'{"ma": "1"}' + b" " * (MB // 2)
    assert unpack([("a.json", record)], tmp_path, max_unpacked_bytes=1 * MB) == 1
    (tmp_path / "again").mkdir()
    with pytest.raises(UploadTooLarge, match="b.json unpacks to more than 1 MB"):
        unpack([("a.json", record), ("b.json", record), ("c.json", record)], tmp_path / "again", max_unpacked_bytes=1 * MB)


def test_records_within_the_limit_are_unpacked(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bo-thu/9.100001.json", b'{"ma": "9.100001"}')
        archive.writestr("../escape.json", b"{}")
    assert unpack([("records.zip", buffer.getvalue())], tmp_path, max_unpacked_bytes=1 * MB) == 1
    assert (tmp_path / "bo-thu" / "9.100001.json").read_bytes() == b'{"ma": "9.100001"}'

"""Helpers for the editor API tests: an app on its own copy of the index, staff accounts, sign-in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.auth.passwords import hash_password
from api.editor.settings import EditorSettings
from api.settings import Settings
from db.session import session_scope
from db.staff import StaffUser
from knowledge.guides import load_guide_dir
from knowledge.repository import upsert_guide
from tests.conftest import ROOT, TEST_EMBEDDER

STAFF = [
    ("editor1", ["editor"]),
    ("editor2", ["editor"]),
    ("agent1", ["agent"]),
    ("boss", ["admin"]),
]


def private_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The test settings with a private copy of the index: these tests publish, and must not touch the shared one."""
    index_dir = tmp_path / "index"
    if not index_dir.exists():
        shutil.copytree(settings.index_dir, index_dir, ignore=shutil.ignore_patterns(".build.lock"))
    return settings.model_copy(update={"index_dir": index_dir})


@lru_cache
def _password_hash(password: str) -> str:
    return hash_password(password)  # argon2 is deliberately slow: hash each demo password once per run


def seed(client: TestClient) -> None:
    with session_scope(client.app.state.sessions) as session:
        for username, roles in STAFF:
            session.add(StaffUser(username=username, password_hash=_password_hash(f"{username}-pass"), display_name=username, roles=roles))
        for guide in load_guide_dir(ROOT / "data" / "guides"):
            upsert_guide(session=session, guide=guide, source="test")


@contextmanager
def editor_client(settings: Settings, editor: EditorSettings | None = None, seeded: bool = True) -> Iterator[TestClient]:
    app = create_app(settings, embedder=TEST_EMBEDDER)
    app.state.editor_settings = editor or EditorSettings(reload_poll_s=0.2, gap_similarity=0.92)
    with TestClient(app) as client:
        if seeded:
            seed(client)
        yield client


def auth(client: TestClient, username: str) -> dict[str, str]:
    """A bearer header for `username` (signed in once per app: password hashing is deliberately slow)."""
    tokens = client.app.state._state.setdefault("test_tokens", {})
    if username not in tokens:
        response = client.post("/api/auth/token", data={"username": username, "password": f"{username}-pass"})
        assert response.status_code == 200, response.text
        tokens[username] = response.json()["access_token"]
    return {"Authorization": f"Bearer {tokens[username]}"}


def new_guide(code: str = "9.000001", **vi: Any) -> dict[str, Any]:
    content = {
        "title": "Đăng ký nuôi chim bồ câu đưa thư",
        "summary": "Thủ tục đăng ký nuôi chim bồ câu đưa thư tại Ủy ban nhân dân cấp xã.",
        "questions": ["Nuôi chim bồ câu đưa thư có phải đăng ký không?"],
        "steps": ["Nộp tờ khai đăng ký nuôi chim bồ câu đưa thư.", "Nhận giấy xác nhận."],
        "documents": [{"case": "Hộ gia đình", "items": ["Tờ khai", "Căn cước"]}],
        "channels": [{"kind": "in_person", "time": "3 ngày làm việc", "fee": "Miễn phí", "note": ""}],
        "where": "Ủy ban nhân dân cấp xã",
        **vi,
    }
    return {
        "code": code,
        "domain": "Nông nghiệp",
        "agency": "Ủy ban nhân dân cấp xã",
        "legal_basis": [{"number": "01/2099/TT-BNN", "title": "Thông tư thử"}],
        "source_url": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=9.000001",
        "vi": content,
    }

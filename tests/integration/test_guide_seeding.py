"""A restart keeps what editors published: curated files seed a guide once, a changed file goes to review."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from api.editor import workflow
from api.editor.seeding import seed_guide
from api.settings import get_settings
from db.editorial import GuideEditorial
from db.session import session_scope
from knowledge.__main__ import main as knowledge_cli
from knowledge.guides import guide_to_dict, load_guide_dir, load_guide_file
from knowledge.repository import published_guides, upsert_guide
from tests.conftest import ROOT

GUIDES = ROOT / "data" / "guides"
EDITOR, REVIEWER = workflow.Actor("bao", ("editor",)), workflow.Actor("anh", ("editor",))


def served(sessions, code: str):  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        [indexed] = published_guides(session=session, codes=[code])
        return indexed


def edit_and_publish(sessions, code: str, **changes: str) -> int:  # type: ignore[no-untyped-def]
    """An editor changes the guide, another publishes it; returns the published version."""
    with session_scope(sessions) as session:
        row = workflow.get_row(session=session, code=code)
        lock = workflow.get_state(session=session, row=row).lock_version
        data = {**guide_to_dict(served(sessions, code).guide), **changes}
        version = workflow.save_draft(session=session, actor=EDITOR, code=code, data=data, lock_version=lock)
        workflow.submit(session=session, actor=EDITOR, code=code, lock_version=lock + 1)
        workflow.publish(session=session, actor=REVIEWER, code=code, lock_version=lock + 2)
        return version.version


def test_a_file_seeds_once_and_a_restart_keeps_the_published_edit(sessions) -> None:
    guide = load_guide_dir(GUIDES)[0]
    with session_scope(sessions) as session:
        assert seed_guide(session=session, guide=guide, source="file:a.yaml") == "new"
    with session_scope(sessions) as session:
        assert seed_guide(session=session, guide=guide, source="file:a.yaml") == "unchanged"
    published = edit_and_publish(sessions, guide.code, agency="Công an phường (sửa bởi biên tập viên)")
    with session_scope(sessions) as session:  # the next start loads the same file again
        assert seed_guide(session=session, guide=guide, source="file:a.yaml") == "unchanged"
    assert served(sessions, guide.code).version == published
    assert served(sessions, guide.code).guide.agency == "Công an phường (sửa bởi biên tập viên)"


def test_a_changed_file_goes_to_review_and_is_served_only_once_published(sessions) -> None:
    guide = load_guide_dir(GUIDES)[0]
    with session_scope(sessions) as session:
        seed_guide(session=session, guide=guide, source="file:a.yaml")
    published = edit_and_publish(sessions, guide.code, agency="Công an xã")
    changed = dataclasses.replace(guide, agency="Công an cấp xã nơi cư trú")
    with session_scope(sessions) as session:
        assert seed_guide(session=session, guide=changed, source="file:a.yaml") == "proposed"
    with session_scope(sessions) as session:
        assert seed_guide(session=session, guide=changed, source="file:a.yaml") == "unchanged"  # not proposed twice
        row = workflow.get_row(session=session, code=guide.code)
        state = session.get(GuideEditorial, row.id)
        assert (state.status, state.authors) == ("in_review", ["files"])
        lock = state.lock_version
    assert served(sessions, guide.code).version == published
    with session_scope(sessions) as session:
        workflow.publish(session=session, actor=REVIEWER, code=guide.code, lock_version=lock)
    assert served(sessions, guide.code).guide.agency == "Công an cấp xã nơi cư trú"


def test_an_open_draft_is_left_alone(sessions) -> None:
    guide = load_guide_dir(GUIDES)[0]
    with session_scope(sessions) as session:
        seed_guide(session=session, guide=guide, source="file:a.yaml")
    with session_scope(sessions) as session:
        row = workflow.get_row(session=session, code=guide.code)
        lock = workflow.get_state(session=session, row=row).lock_version
        data = {**guide_to_dict(guide), "agency": "bản nháp của biên tập viên"}
        draft = workflow.save_draft(session=session, actor=EDITOR, code=guide.code, data=data, lock_version=lock)
    with session_scope(sessions) as session:
        assert seed_guide(session=session, guide=dataclasses.replace(guide, agency="từ tệp"), source="file:a.yaml") == "pending"
        state = session.get(GuideEditorial, workflow.get_row(session=session, code=guide.code).id)
        assert (state.status, state.working_version) == ("draft", draft.version)


def test_a_curated_file_still_enriches_its_national_record(sessions) -> None:
    guide = load_guide_dir(GUIDES)[0]
    with session_scope(sessions) as session:
        upsert_guide(session=session, guide=dataclasses.replace(guide, origin="tthc", agency="từ CSDL quốc gia"), source="tthc")
    with session_scope(sessions) as session:
        assert seed_guide(session=session, guide=guide, source="file:a.yaml") == "new"
        assert workflow.get_row(session=session, code=guide.code).origin == "curated"
    assert served(sessions, guide.code).guide.agency == guide.agency


def test_restart_through_the_command_line(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sessions) -> None:
    """publish, restart (`make index`: load-guides + build-index --if-changed), the published version is served."""
    guides = tmp_path / "guides"
    guides.mkdir()
    source = sorted(GUIDES.glob("*.yaml"))[0]
    shutil.copy(source, guides / source.name)
    monkeypatch.setenv("HELPDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("HELPDESK_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("HELPDESK_EMBEDDING_MODEL", "hash-64")
    monkeypatch.setenv("HELPDESK_MODE", "development")
    get_settings.cache_clear()
    try:
        assert knowledge_cli(["load-guides", str(guides)]) == 0
        code = load_guide_file(guides / source.name).code
        published = edit_and_publish(sessions, code, agency="sửa trong trình biên tập")
        assert knowledge_cli(["load-guides", str(guides)]) == 0
        assert knowledge_cli(["build-index", "--if-changed"]) == 0
        assert served(sessions, code).version == published
    finally:
        get_settings.cache_clear()

"""The guide workflow: draft → in_review → published → archived, over append-only versions.

Every save that changes something appends a version; `guides.current_version` stays the
*published* one (what the index serves) until a reviewer publishes the draft. Writes
name the `lock_version` the editor loaded; a stale one is a conflict, never an overwrite.

    guide = create_guide(session=s, actor=bao, data={...})              # v1, draft
    save_draft(session=s, actor=bao, code="9.000001", data=..., lock_version=1)   # v2
    submit(session=s, actor=bao, code="9.000001", lock_version=2)
    publish(session=s, actor=anh, code="9.000001", lock_version=3, self_publish_roles=[])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.editor import audit
from api.editor.diff import changed_fields
from api.editor.errors import EditConflict, FieldError, FourEyes, GuideInvalid, GuideMissing, VersionMissing, WrongState
from api.editor.validation import validate_guide
from db.base import utcnow
from db.editorial import GuideEditorial
from db.models import GuideRow, GuideVersionRow
from db.staff import StaffUser
from knowledge.guides import GuideError, guide_from_dict, guide_to_dict


@dataclass(frozen=True)
class Actor:
    username: str
    roles: tuple[str, ...]

    @classmethod
    def of(cls, user: StaffUser) -> Actor:
        return cls(user.username, tuple(user.roles))


def get_row(*, session: Session, code: str) -> GuideRow:
    row = session.scalar(select(GuideRow).where(GuideRow.code == code))
    if row is None:
        raise GuideMissing(f"no guide with code {code!r}")
    return row


def get_state(*, session: Session, row: GuideRow) -> GuideEditorial:
    """The guide's workflow state; guides loaded from files or imported get one on first touch."""
    state = session.get(GuideEditorial, row.id)
    if state is not None:
        return state
    status = row.status if row.status in ("published", "archived") else "draft"
    state = GuideEditorial(
        guide_id=row.id,
        status=status,
        working_version=row.current_version if status == "draft" else None,
        lock_version=0,
        authors=[],
    )
    try:
        with session.begin_nested():
            session.add(state)
    except IntegrityError:  # another request created it first
        state = session.get(GuideEditorial, row.id, populate_existing=True)
        assert state is not None
    return state


def get_version(*, session: Session, row: GuideRow, version: int) -> GuideVersionRow:
    found = session.scalar(select(GuideVersionRow).where(GuideVersionRow.guide_id == row.id, GuideVersionRow.version == version))
    if found is None:
        raise VersionMissing(f"guide {row.code} has no version {version}")
    return found


def head_version(state: GuideEditorial, row: GuideRow) -> int:
    """The version an editor works on: the draft if there is one, else the published one."""
    return state.working_version or row.current_version


def create_guide(*, session: Session, actor: Actor, data: dict[str, Any]) -> GuideRow:
    guide_data = _checked(data)
    code = guide_data["code"]
    if session.scalar(select(GuideRow.id).where(GuideRow.code == code)) is not None:
        raise GuideInvalid([FieldError("code", f"a guide with code {code} already exists")])
    guide = guide_from_dict(guide_data)
    row = GuideRow(code=code, title=guide.title, domain=guide.domain, origin="curated", status="draft", current_version=1)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # created concurrently under the same code
        raise GuideInvalid([FieldError("code", f"a guide with code {code} already exists")]) from exc
    session.add(_version_row(row, 1, guide_data, actor, source="editor"))
    session.add(
        GuideEditorial(
            guide_id=row.id, status="draft", working_version=1, lock_version=1, authors=[actor.username], updated_by=actor.username
        )
    )
    audit.record(session=session, actor=actor.username, action="create", code=code, version=1)
    session.flush()
    return row


def save_draft(*, session: Session, actor: Actor, code: str, data: dict[str, Any], lock_version: int) -> GuideVersionRow | None:
    """A new draft version with `data`; None when nothing changed. A guide in review goes back to draft."""
    row = get_row(session=session, code=code)
    guide_data = _checked(data)
    if guide_data["code"] != code:
        raise GuideInvalid([FieldError("code", f"the code cannot change ({code} → {guide_data['code']}); create a new guide instead")])
    state = _claim(session, row, lock_version, actor)
    head = get_version(session=session, row=row, version=head_version(state, row))
    fields = changed_fields(head.data, guide_data)
    if not fields and state.status != "archived":
        return None
    version = add_version(session, row, guide_data, actor, source="editor")
    state.working_version, state.status = version.version, "draft"
    state.authors = sorted({*state.authors, actor.username})
    row.origin = "curated"  # edited by people now: a national import must not overwrite it
    audit.record(session=session, actor=actor.username, action="save", code=code, version=version.version, fields=fields[:50])
    return version


def rollback(*, session: Session, actor: Actor, code: str, to_version: int, lock_version: int) -> GuideVersionRow:
    """A new draft version whose content is `to_version`'s (history is never rewritten)."""
    row = get_row(session=session, code=code)
    old = get_version(session=session, row=row, version=to_version)
    state = _claim(session, row, lock_version, actor)
    version = add_version(session, row, {**old.data, "updated_at": None}, actor, source=f"rollback:v{to_version}")
    state.working_version, state.status = version.version, "draft"
    state.authors = sorted({*state.authors, actor.username})
    audit.record(session=session, actor=actor.username, action="rollback", code=code, version=version.version, to_version=to_version)
    return version


def submit(*, session: Session, actor: Actor, code: str, lock_version: int) -> GuideEditorial:
    row = get_row(session=session, code=code)
    state = _claim(session, row, lock_version, actor)
    if state.status != "draft" or state.working_version is None:
        raise WrongState(f"guide {code} is {state.status}; only a draft can be sent for review")
    state.status, state.submitted_by, state.submitted_at = "in_review", actor.username, utcnow()
    audit.record(session=session, actor=actor.username, action="submit", code=code, version=state.working_version)
    return state


def reject(*, session: Session, actor: Actor, code: str, lock_version: int, comment: str = "") -> GuideEditorial:
    row = get_row(session=session, code=code)
    state = _claim(session, row, lock_version, actor)
    if state.status != "in_review":
        raise WrongState(f"guide {code} is {state.status}; only a guide in review can be sent back")
    state.status = "draft"
    audit.record(session=session, actor=actor.username, action="reject", code=code, version=state.working_version, comment=comment[:1000])
    return state


def publish(*, session: Session, actor: Actor, code: str, lock_version: int, self_publish_roles: Sequence[str] = ()) -> GuideRow:
    """Make the version in review the served one. Its authors may not publish it (four-eyes) unless their role allows."""
    row = get_row(session=session, code=code)
    state = _claim(session, row, lock_version, actor)
    if state.status != "in_review" or state.working_version is None:
        raise WrongState(f"guide {code} is {state.status}; send it for review first (only a guide in review can be published)")
    if actor.username in state.authors and not set(actor.roles) & set(self_publish_roles):
        raise FourEyes(f"you wrote this change to {code}; another editor must review and publish it")
    version = get_version(session=session, row=row, version=state.working_version)
    guide = guide_from_dict(version.data)
    previous = row.current_version if row.status == "published" else None
    row.current_version, row.status, row.title, row.domain = version.version, "published", guide.title, guide.domain
    state.status, state.working_version, state.authors = "published", None, []
    state.reviewed_by, state.reviewed_at = actor.username, utcnow()
    audit.record(session=session, actor=actor.username, action="publish", code=code, version=version.version, previous=previous)
    return row


def archive(*, session: Session, actor: Actor, code: str, lock_version: int) -> GuideRow:
    """Take the guide out of service (its chunks leave the index); a later save starts a new draft."""
    row = get_row(session=session, code=code)
    state = _claim(session, row, lock_version, actor)
    if state.status == "archived":
        raise WrongState(f"guide {code} is already archived")
    row.status = "archived"
    state.status, state.working_version, state.authors = "archived", None, []
    audit.record(session=session, actor=actor.username, action="archive", code=code, version=row.current_version)
    return row


def _claim(session: Session, row: GuideRow, lock_version: int, actor: Actor) -> GuideEditorial:
    """Take the next lock version in one conditional UPDATE: of two concurrent writers exactly one wins."""
    state = get_state(session=session, row=row)
    session.flush()
    result = session.execute(
        update(GuideEditorial)
        .where(GuideEditorial.guide_id == row.id, GuideEditorial.lock_version == lock_version)
        .values(lock_version=lock_version + 1, updated_by=actor.username, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(state)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise EditConflict(
            f"guide {row.code} was changed by {state.updated_by or 'someone'} since you opened it "
            f"(your lock_version {lock_version}, now {state.lock_version}); reload it and apply your change again"
        )
    return state


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    """The validated guide in its canonical stored form (today's date as `updated_at`)."""
    errors = validate_guide(data)
    if errors:
        raise GuideInvalid(errors)
    clean = {**data, "code": data["code"].strip(), "status": "published", "updated_at": dt.date.today().isoformat()}
    clean.setdefault("origin", "curated")
    clean["origin"] = "curated"
    try:
        return guide_to_dict(guide_from_dict(clean))
    except GuideError as exc:  # validate_guide should have caught it; report it against the guide
        raise GuideInvalid([FieldError("guide", str(exc))]) from exc


def add_version(session: Session, row: GuideRow, data: dict[str, Any], actor: Actor, source: str) -> GuideVersionRow:
    if data.get("updated_at") is None:
        data = {**data, "updated_at": dt.date.today().isoformat()}
    latest = session.scalar(select(func.max(GuideVersionRow.version)).where(GuideVersionRow.guide_id == row.id)) or 0
    version = _version_row(row, latest + 1, data, actor, source)
    session.add(version)
    session.flush()
    return version


def _version_row(row: GuideRow, number: int, data: dict[str, Any], actor: Actor, source: str) -> GuideVersionRow:
    guide = guide_from_dict(data)
    return GuideVersionRow(
        guide_id=row.id, version=number, fingerprint=guide.fingerprint(), data=guide_to_dict(guide), source=source, author=actor.username
    )

"""The editor API under /api/editor: guides, workflow, versions, preview, audit.

Reading needs any staff role except none; writing needs `editor` (admins always).
Editors see guides, the audit log and redacted gap questions, never conversations.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile, status
from fastapi.concurrency import run_in_threadpool

from api.auth.staff import require_role
from api.deps import FactoryDep, KnowledgeDep, SessionDep
from api.editor import audit, workflow
from api.editor.catalog import GuideFilter, guide_detail, list_guides
from api.editor.diff import diff_guides
from api.editor.errors import GuideInvalid
from api.editor.gaps import knowledge_gaps
from api.editor.preview import preview
from api.editor.publishing import change_served_set, knowledge_version
from api.editor.schemas import DraftIn, GapDraftIn, GuideIn, PreviewIn, RejectIn, RollbackIn, StepIn
from api.editor.settings import EditorSettings, editor_settings
from api.editor.transfer import MB, export_published, import_upload, report_dict
from api.editor.validation import validate_guide
from api.editor.watcher import reload_knowledge
from api.errors import NotFound
from api.schemas import MAX_DB_INT, RowId
from db.staff import StaffUser
from knowledge.dense import HashEmbedder
from knowledge.guides import guide_from_dict
from knowledge.incremental import embed_guide, vector_cache
from knowledge.runtime import embedder_for

router = APIRouter(prefix="/api/editor", tags=["editor"])
Reader = Annotated[StaffUser, Depends(require_role("editor", "supervisor", "agent"))]
Editor = Annotated[StaffUser, Depends(require_role("editor"))]


def _editor_settings(request: Request) -> EditorSettings:
    return editor_settings(request.app)


EditorSettingsDep = Annotated[EditorSettings, Depends(_editor_settings)]


def _stale_after(settings: EditorSettings) -> dt.timedelta:
    return dt.timedelta(days=settings.stale_after_days)


@router.get("/guides")
def guides(
    _user: Reader,
    session: SessionDep,
    settings: EditorSettingsDep,
    domain: str | None = None,
    status_: Annotated[Literal["draft", "in_review", "published", "archived"] | None, Query(alias="status")] = None,
    has_english: bool | None = None,
    updated_after: dt.date | None = None,
    updated_before: dt.date | None = None,
    stale: bool | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Guides with their workflow status, versions, English or not, last update and staleness."""
    filters = GuideFilter(domain, status_, has_english, updated_after, updated_before, stale, q)
    return list_guides(session=session, filters=filters, stale_after=_stale_after(settings), limit=limit, offset=offset)


@router.post("/guides", status_code=status.HTTP_201_CREATED)
def create(body: GuideIn, user: Editor, session: SessionDep, settings: EditorSettingsDep) -> dict[str, Any]:
    """A new guide as a draft (version 1). 422 names each invalid field; a duplicate code is an error on `code`."""
    row = workflow.create_guide(session=session, actor=workflow.Actor.of(user), data=body.guide)
    return guide_detail(session=session, code=row.code, stale_after=_stale_after(settings))


@router.get("/guides/{code}")
def guide(code: str, _user: Reader, session: SessionDep, settings: EditorSettingsDep) -> dict[str, Any]:
    """The guide as the editor works on it (the draft if any), its status, lock_version and versions."""
    return guide_detail(session=session, code=code, stale_after=_stale_after(settings))


@router.put("/guides/{code}/draft")
def save(code: str, body: DraftIn, user: Editor, session: SessionDep, settings: EditorSettingsDep) -> dict[str, Any]:
    """Save the draft as a new version (none when nothing changed). 409 when someone saved since you loaded it."""
    workflow.save_draft(session=session, actor=workflow.Actor.of(user), code=code, data=body.guide, lock_version=body.lock_version)
    return guide_detail(session=session, code=code, stale_after=_stale_after(settings))


@router.post("/guides/{code}/submit")
def submit(code: str, body: StepIn, user: Editor, request: Request, session: SessionDep, settings: EditorSettingsDep) -> dict[str, Any]:
    """Draft → in review. The draft's chunks are embedded now, so that publishing it later is only a swap."""
    state = workflow.submit(session=session, actor=workflow.Actor.of(user), code=code, lock_version=body.lock_version)
    row = workflow.get_row(session=session, code=code)
    service = request.app.state.knowledge
    if service is not None and service.embedder is not None and state.working_version is not None:
        guide = guide_from_dict(workflow.get_version(session=session, row=row, version=state.working_version).data)
        embed_guide(guide, service.embedder, vector_cache(request.app.state.settings.index_dir))
    return guide_detail(session=session, code=code, stale_after=_stale_after(settings))


@router.post("/guides/{code}/reject")
def reject(code: str, body: RejectIn, user: Editor, session: SessionDep, settings: EditorSettingsDep) -> dict[str, Any]:
    """In review → draft, with a comment for the author."""
    workflow.reject(session=session, actor=workflow.Actor.of(user), code=code, lock_version=body.lock_version, comment=body.comment)
    return guide_detail(session=session, code=code, stale_after=_stale_after(settings))


@router.post("/guides/{code}/rollback")
def rollback(code: str, body: RollbackIn, user: Editor, session: SessionDep, settings: EditorSettingsDep) -> dict[str, Any]:
    """A new draft version with an earlier version's content; it is published through review like any change."""
    workflow.rollback(session=session, actor=workflow.Actor.of(user), code=code, to_version=body.to_version, lock_version=body.lock_version)
    return guide_detail(session=session, code=code, stale_after=_stale_after(settings))


@router.post("/guides/{code}/publish")
def publish(code: str, body: StepIn, user: Editor, request: Request, factory: FactoryDep, settings: EditorSettingsDep) -> dict[str, Any]:
    """In review → published, by someone who did not write the change (four-eyes, 403 otherwise).

    The index is updated incrementally and swapped atomically before this returns; every
    app worker serves the new version within `HELPDESK_EDITOR__RELOAD_POLL_S` (0.5 s) plus a reload.
    """
    actor = workflow.Actor.of(user)

    def step(session):  # type: ignore[no-untyped-def]
        return workflow.publish(
            session=session, actor=actor, code=code, lock_version=body.lock_version, self_publish_roles=settings.self_publish_roles
        )

    return _serve_change(request, factory, settings, code, step)


@router.post("/guides/{code}/archive")
def archive(code: str, body: StepIn, user: Editor, request: Request, factory: FactoryDep, settings: EditorSettingsDep) -> dict[str, Any]:
    """Take a guide out of service: its chunks leave the index at once."""
    actor = workflow.Actor.of(user)
    return _serve_change(
        request,
        factory,
        settings,
        code,
        lambda session: workflow.archive(session=session, actor=actor, code=code, lock_version=body.lock_version),
    )


@router.get("/guides/{code}/versions/{version}")
def version(code: str, version: RowId, _user: Reader, session: SessionDep) -> dict[str, Any]:
    row = workflow.get_row(session=session, code=code)
    found = workflow.get_version(session=session, row=row, version=version)
    return {"code": code, "version": found.version, "author": found.author, "source": found.source, "guide": found.data}


@router.get("/guides/{code}/diff")
def diff(
    code: str,
    _user: Reader,
    session: SessionDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_DB_INT)],
    to: Annotated[int, Query(ge=1, le=MAX_DB_INT)],
) -> dict[str, Any]:
    """Per-field changes from one version to another (`vi.channels.0.fee`: before → after)."""
    row = workflow.get_row(session=session, code=code)
    a, b = workflow.get_version(session=session, row=row, version=from_), workflow.get_version(session=session, row=row, version=to)
    changes = diff_guides(a.data, b.data)
    return {
        "code": code,
        "from": from_,
        "to": to,
        "changes": [{"field": c.field, "kind": c.kind, "before": c.before, "after": c.after} for c in changes],
    }


@router.post("/guides/{code}/preview")
def preview_draft(code: str, body: PreviewIn, _user: Editor, session: SessionDep, knowledge: KnowledgeDep) -> dict[str, Any]:
    """How the assistant would answer with this draft published (nothing is published or written)."""
    row = workflow.get_row(session=session, code=code)
    state = workflow.get_state(session=session, row=row)
    if body.guide is not None:
        errors = validate_guide(body.guide)
        if errors:
            raise GuideInvalid(errors)
        data = body.guide
    else:
        data = workflow.get_version(session=session, row=row, version=workflow.head_version(state, row)).data
    guide = guide_from_dict({**data, "code": code})
    return {
        "code": code,
        "answers": preview(knowledge=knowledge, guide=guide, version=workflow.head_version(state, row), questions=body.questions),
    }


@router.get("/audit")
def audit_log(
    _user: Editor,
    session: SessionDep,
    code: str | None = None,
    actor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Every change, newest first: who, when, what."""
    return {"entries": [audit.to_dict(e) for e in audit.entries(session=session, code=code, actor=actor, limit=limit)]}


@router.get("/knowledge")
def knowledge_status(_user: Reader, request: Request, session: SessionDep) -> dict[str, Any]:
    """The shared knowledge version and the build this worker serves."""
    service = request.app.state.knowledge
    return {
        "version": knowledge_version(session=session),
        "build_id": service.index.build_id if service else None,
        "guides": len(service.index.guides) if service else 0,
    }


def _serve_change(request: Request, factory, settings: EditorSettings, code: str, step) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    app = request.app
    service = app.state.knowledge
    embedder = service.embedder if service else (getattr(app.state, "embedder", None) or embedder_for(app.state.settings))
    published = change_served_set(
        factory=factory, index_dir=app.state.settings.index_dir, embedder=embedder, loaded=service.index if service else None, step=step
    )
    reloaded = time.perf_counter()
    reload_knowledge(app)
    seconds = {**published.seconds, "reload": round(time.perf_counter() - reloaded, 3)}
    with factory() as session:
        detail = guide_detail(session=session, code=code, stale_after=_stale_after(settings))
        session.commit()
    return {
        **detail,
        "knowledge_version": published.knowledge_version,
        "build_id": published.build_id,
        "reindexed": published.changed,
        "seconds": seconds,
    }


@router.get("/gaps")
def gaps(_user: Editor, request: Request, session: SessionDep, knowledge: KnowledgeDep, settings: EditorSettingsDep) -> dict[str, Any]:
    """Unanswered and disliked questions (redacted), clustered and ranked by count; closed once answered."""
    found = knowledge_gaps(
        session=session,
        knowledge=knowledge,
        embedder=_gap_embedder(knowledge),
        limit=settings.gap_limit,
        similarity=settings.gap_similarity,
    )
    drafted = {e.detail.get("gap"): e.guide_code for e in audit.entries(session=session, limit=1000) if e.action == "gap-draft"}
    return {"gaps": [{**g.to_dict(), "draft": drafted.get(g.key)} for g in found]}


@router.post("/gaps/{key}/draft", status_code=status.HTTP_201_CREATED)
def draft_from_gap(
    key: str, body: GapDraftIn, user: Editor, session: SessionDep, knowledge: KnowledgeDep, settings: EditorSettingsDep
) -> dict[str, Any]:
    """A new draft guide whose sample questions are the gap's examples."""
    found = {
        g.key: g
        for g in knowledge_gaps(
            session=session,
            knowledge=knowledge,
            embedder=_gap_embedder(knowledge),
            limit=settings.gap_limit,
            similarity=settings.gap_similarity,
        )
    }
    if key not in found:
        raise NotFound(f"no open gap {key!r}; reload the gaps")
    actor = workflow.Actor.of(user)
    row = workflow.create_guide(
        session=session, actor=actor, data={"code": body.code, "vi": {"title": body.title, "questions": found[key].examples}}
    )
    audit.record(session=session, actor=actor.username, action="gap-draft", code=row.code, version=1, gap=key)
    return guide_detail(session=session, code=row.code, stale_after=_stale_after(settings))


@router.post("/import")
async def import_records(
    _user: Editor,
    request: Request,
    factory: FactoryDep,
    files: Annotated[list[UploadFile], File(description="national records: .json files or .zip archives of <ministry>/<code>.json")],
    dry_run: bool = True,
) -> dict[str, Any]:
    """Import national records. With `dry_run` (the default) nothing is written: the report says what would be new / changed / unchanged / invalid."""
    uploads = [(f.filename or "upload.json", await f.read()) for f in files]
    limit = int(editor_settings(request.app).import_max_unpacked_mb * MB)  # the upload itself: api.web.body_limit
    report = await run_in_threadpool(import_upload, factory=factory, files=uploads, dry_run=dry_run, max_unpacked_bytes=limit)
    result = report_dict(report, dry_run)
    if not dry_run:
        user: StaffUser = _user
        result["knowledge_version"] = await run_in_threadpool(_after_import, request, factory, user.username, result["counts"])
    return result


@router.get("/export")
def export(_user: Editor, session: SessionDep, format: Literal["json", "yaml"] = "json") -> Response:
    """Every published guide at its published version, as JSON or YAML."""
    body = export_published(session=session, fmt=format)
    media = "application/json" if format == "json" else "application/yaml"
    filename = f"guides-{dt.date.today().isoformat()}.{format}"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _after_import(request: Request, factory, actor: str, counts: dict[str, int]) -> int:  # type: ignore[no-untyped-def]
    """Imported records change the served set: index, shared version, reload, audit."""
    app = request.app
    service = app.state.knowledge
    embedder = service.embedder if service else (getattr(app.state, "embedder", None) or embedder_for(app.state.settings))

    def step(session):  # type: ignore[no-untyped-def]
        audit.record(session=session, actor=actor, action="import", **counts)

    published = change_served_set(
        factory=factory, index_dir=app.state.settings.index_dir, embedder=embedder, loaded=service.index if service else None, step=step
    )
    reload_knowledge(app)
    return published.knowledge_version


def _gap_embedder(knowledge):  # type: ignore[no-untyped-def]
    return knowledge.embedder or HashEmbedder(256)

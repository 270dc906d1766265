"""Demo dossiers for the synthetic citizens (data/demo/dossiers.yaml), loaded by ``python -m api seed-demo``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.dossiers.desk import DossierDesk
from api.dossiers.states import CLOSED, PROCESSING, READY, RECEIVED, RETURNED, SUPPLEMENT
from db.base import utcnow
from db.dossiers import Dossier, DossierEvent
from db.identity import Citizen

PATHS = {  # the states a demo dossier went through to reach its own
    RECEIVED: [RECEIVED],
    PROCESSING: [RECEIVED, PROCESSING],
    SUPPLEMENT: [RECEIVED, PROCESSING, SUPPLEMENT],
    READY: [RECEIVED, PROCESSING, READY],
    RETURNED: [RECEIVED, PROCESSING, READY, RETURNED],
    CLOSED: [RECEIVED, PROCESSING, READY, RETURNED, CLOSED],
}


def load_demo_dossiers(*, session: Session, desk: DossierDesk, path: Path, now: dt.datetime | None = None) -> int:
    """Adds the listed dossiers that are not there yet (by code); returns how many the file lists."""
    entries: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    now = now or utcnow()
    for entry in entries:
        if session.scalar(select(Dossier.id).where(Dossier.code == entry["code"])) is not None:
            continue
        subject = session.scalar(select(Citizen.subject).where(Citizen.username == entry["citizen"]))
        submitted = now - dt.timedelta(days=int(entry.get("submitted_days_ago", 0)))
        dossier = Dossier(
            code=entry["code"],
            subject=subject,
            phone=str(entry["phone"]),
            form_code=entry["form_code"],
            procedure=desk.procedure(entry["form_code"]).procedure,
            state=entry["state"],
            expected_on=desk.expected_on(entry["form_code"], submitted),
            submitted_at=submitted,
            updated_at=now,
        )
        session.add(dossier)
        session.flush()
        states = PATHS[entry["state"]]
        for step, state in enumerate(states):
            details: dict[str, Any] = {}
            if state == SUPPLEMENT:
                procedure = desk.procedure(entry["form_code"])
                details = {"reason": entry["reason"], "documents": [procedure.document(d).label for d in entry.get("documents", [])]}
            at = submitted + (now - submitted) * step / max(1, len(states) - 1)
            session.add(DossierEvent(dossier_id=dossier.id, state=state, at=at, actor="demo", details=details))
    session.flush()
    return len(entries)

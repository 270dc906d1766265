"""The verified citizen session: a DB row named by an HttpOnly cookie, and the short-lived
token that carries "who is signed in" to the Rasa actions.

The chat learns who is signed in only here — never from typed text or the Rasa sender id.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.auth.tokens import issue_token, read_token
from api.chat.transcript import get_conversation
from api.deps import SessionDep, SettingsDep
from api.errors import Unauthorized
from api.identity import VerifiedIdentity
from db.base import aware, utcnow
from db.identity import CitizenSession

COOKIE = "helpdesk_citizen"
SESSION_AUDIENCE = "helpdesk-citizen-session"
ACTIONS_AUDIENCE = "helpdesk-actions-identity"
SESSION_TTL = dt.timedelta(hours=1)
ACTIONS_TOKEN_TTL = dt.timedelta(minutes=2)


def start_session(*, session: Session, identity: VerifiedIdentity, ttl: dt.timedelta = SESSION_TTL) -> CitizenSession:
    row = CitizenSession(
        id=secrets.token_urlsafe(24),
        subject=identity.subject,
        issuer=identity.issuer,
        profile=identity.profile,
        expires_at=utcnow() + ttl,
    )
    session.add(row)
    session.flush()
    return row


def session_cookie(row: CitizenSession, secret: str) -> str:
    return issue_token(subject=row.id, secret=secret, audience=SESSION_AUDIENCE, ttl=SESSION_TTL)


def _live(row: CitizenSession | None) -> CitizenSession | None:
    if row is None or row.ended_at is not None:
        return None
    expires = aware(row.expires_at)
    return row if expires > utcnow() else None


def session_from_cookie(*, session: Session, cookie: str | None, secret: str) -> CitizenSession | None:
    """The live session the cookie names; None for no cookie, a bad signature, or an ended session."""
    if not cookie:
        return None
    try:
        claims = read_token(cookie, secret=secret, audience=SESSION_AUDIENCE)
    except Unauthorized:
        return None
    return _live(session.get(CitizenSession, claims["sub"]))


def end_session(*, session: Session, row: CitizenSession) -> None:
    """Sign-out: nothing reads an ended session, so its identity profile goes now (api.retention: at expiry)."""
    row.ended_at, row.profile = utcnow(), {}
    session.flush()


def actions_token(row: CitizenSession, secret: str) -> str:
    """Who is signed in, for the actions of this one turn: the subject and session id, no personal data."""
    return issue_token(subject=row.subject, secret=secret, audience=ACTIONS_AUDIENCE, ttl=ACTIONS_TOKEN_TTL, claims={"sid": row.id})


def session_from_actions_token(*, session: Session, token: str, secret: str) -> CitizenSession:
    """The session behind a token received in message metadata; `Unauthorized` if forged, expired, foreign or ended."""
    claims = read_token(token, secret=secret, audience=ACTIONS_AUDIENCE)
    row = _live(session.get(CitizenSession, claims.get("sid")))
    if row is None or row.subject != claims["sub"]:
        raise Unauthorized("the sign-in behind this token has ended")
    return row


def optional_citizen(request: Request, session: SessionDep, settings: SettingsDep) -> CitizenSession | None:
    return session_from_cookie(session=session, cookie=request.cookies.get(COOKIE), secret=settings.secret_key)


def current_citizen(citizen: Annotated[CitizenSession | None, Depends(optional_citizen)]) -> CitizenSession:
    if citizen is None:
        raise Unauthorized("sign in with your digital identity first: GET /api/identity/login")
    return citizen


def chat_citizen(request: Request, settings: SettingsDep) -> CitizenSession | None:
    """For the chat routes: the browser's verified session, read in a database session of its own
    (the chat does not hold a connection while it waits for Rasa)."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    with request.app.state.sessions() as session:
        return session_from_cookie(session=session, cookie=cookie, secret=settings.secret_key)


ChatCitizen = Annotated[CitizenSession | None, Depends(chat_citizen)]


def chat_identity(citizen: ChatCitizen, settings: SettingsDep) -> str | None:
    """For the chat route: the actions token when the browser has a verified session, else None."""
    return actions_token(citizen, settings.secret_key) if citizen else None


def own_conversation(conversation_id: str, request: Request, citizen: ChatCitizen) -> str:
    """The conversation id of the path, when this browser may use it: 404 for an unknown one and for
    one a signed-in citizen started, unless this is that citizen's session (api.chat.transcript)."""
    with request.app.state.sessions() as session:
        get_conversation(session=session, conversation_id=conversation_id, subject=citizen.subject if citizen else None)
    return conversation_id


OptionalCitizen = Annotated[CitizenSession | None, Depends(optional_citizen)]
CurrentCitizen = Annotated[CitizenSession, Depends(current_citizen)]
ChatIdentity = Annotated[str | None, Depends(chat_identity)]
OwnConversation = Annotated[str, Depends(own_conversation)]


def public_profile(row: CitizenSession) -> dict[str, Any]:
    """What the page may show about the signed-in citizen: the name only."""
    return {"signed_in": True, "name": row.profile.get("full_name", "")}

"""Staff accounts: sign-in, the current staff member, role checks, demo accounts."""

from __future__ import annotations

import datetime as dt
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import yaml
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.passwords import hash_password, verify_password
from api.auth.tokens import STAFF_AUDIENCE, issue_token, read_token
from api.deps import SessionDep, SettingsDep
from api.errors import DomainError, Unauthorized
from db.staff import ROLES, StaffUser

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)
TOKEN_TTL = dt.timedelta(hours=8)


class Forbidden(DomainError):
    status_code = 403


@lru_cache(maxsize=1)
def _unknown_user_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def authenticate(*, session: Session, username: str, password: str) -> StaffUser:
    """The staff member with this username and password. An unknown username is checked against a
    stand-in hash, so it costs the same argon2 work as a wrong password and timing tells no one who exists."""
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        verify_password(password, _unknown_user_hash())
        raise Unauthorized("wrong username or password")
    if not verify_password(password, user.password_hash):
        raise Unauthorized("wrong username or password")
    return user


def staff_token(user: StaffUser, secret: str) -> str:
    return issue_token(subject=str(user.id), secret=secret, audience=STAFF_AUDIENCE, ttl=TOKEN_TTL, claims={"roles": user.roles})


def current_staff(
    request: Request, session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> StaffUser:
    if not token:
        raise Unauthorized("sign in first: POST /api/auth/token")
    claims = read_token(token, secret=settings.secret_key, audience=STAFF_AUDIENCE)
    user = session.get(StaffUser, int(claims["sub"]))
    if user is None:
        raise Unauthorized("this account no longer exists")
    return user


CurrentStaff = Annotated[StaffUser, Depends(current_staff)]


def require_role(*roles: str):  # type: ignore[no-untyped-def]
    """A dependency that lets through staff with any of `roles` (admins always)."""

    def check(user: CurrentStaff) -> StaffUser:
        if not user.has_role(*roles):
            raise Forbidden(f"this needs the role {' or '.join(roles)}; you have {', '.join(user.roles) or 'none'}")
        return user

    return check


def upsert_staff(*, session: Session, username: str, password: str, display_name: str, roles: list[str], **fields: object) -> StaffUser:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}; roles are {', '.join(ROLES)}")
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        user = StaffUser(username=username, password_hash=hash_password(password), display_name=display_name, roles=roles)
        session.add(user)
    else:
        user.display_name, user.roles = display_name, roles
    for name, value in fields.items():
        setattr(user, name, value)
    session.flush()
    return user


def load_demo_staff(*, session: Session, path: Path) -> int:
    """Development-mode accounts listed in README (data/demo/staff.yaml)."""
    accounts = yaml.safe_load(path.read_text(encoding="utf-8"))
    for account in accounts:
        upsert_staff(session=session, **account)
    return len(accounts)

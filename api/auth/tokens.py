"""Signed, short-lived bearer tokens for staff (PyJWT, HS256 with the app's secret key)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt

from api.errors import Unauthorized

ALGORITHM = "HS256"
STAFF_AUDIENCE = "helpdesk-staff"


def issue_token(*, subject: str, secret: str, audience: str, ttl: dt.timedelta, claims: dict[str, Any] | None = None) -> str:
    now = dt.datetime.now(dt.UTC)
    payload = {"sub": subject, "aud": audience, "iat": now, "exp": now + ttl, **(claims or {})}
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def read_token(token: str, *, secret: str, audience: str) -> dict[str, Any]:
    """The claims of a valid token; `Unauthorized` for an expired, forged or foreign one."""
    try:
        return jwt.decode(token, secret, algorithms=[ALGORITHM], audience=audience, options={"require": ["exp", "sub", "aud"]})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token expired; sign in again") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"invalid token: {exc}") from exc

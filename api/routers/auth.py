from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from api.auth.staff import CurrentStaff, authenticate, staff_token
from api.deps import SessionDep, SettingsDep
from api.errors import Unauthorized
from api.limits.deps import LoginGuardDep, client_address, request_language, too_many

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/token")
def token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    guard: LoginGuardDep,
) -> dict[str, object]:
    """OAuth2 password flow for staff: returns a bearer token (8 hours).

    After repeated failures for a username or from an address, attempts are refused (429, Retry-After)
    for a growing delay without checking the password.
    """
    address = client_address(request)
    wait = guard.wait(username=form.username, address=address)
    if wait:
        raise too_many("login", request_language(request), wait)
    try:
        user = authenticate(session=session, username=form.username, password=form.password)
    except Unauthorized:
        guard.failed(username=form.username, address=address)
        raise
    guard.succeeded(username=form.username)
    return {"access_token": staff_token(user, settings.secret_key), "token_type": "bearer", "roles": user.roles}


@router.get("/me")
def me(user: CurrentStaff) -> dict[str, object]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "roles": user.roles, "skills": user.skills}

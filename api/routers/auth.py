from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from api.auth.staff import CurrentStaff, authenticate, staff_token
from api.deps import SessionDep, SettingsDep

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/token")
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, settings: SettingsDep) -> dict[str, object]:
    """OAuth2 password flow for staff: returns a bearer token (8 hours)."""
    user = authenticate(session=session, username=form.username, password=form.password)
    return {"access_token": staff_token(user, settings.secret_key), "token_type": "bearer", "roles": user.roles}


@router.get("/me")
def me(user: CurrentStaff) -> dict[str, object]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "roles": user.roles, "skills": user.skills}

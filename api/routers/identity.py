"""Citizen sign-in (OpenID Connect relying party) and, in development mode, the demo provider.

`/api/identity/login` → the provider's login page → `/api/identity/callback` sets the HttpOnly
session cookie. `/demo-idp/*` is an OpenID Connect provider over the synthetic citizens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select

from api.auth.tokens import issue_token, read_token
from api.deps import FactoryDep, SessionDep, SettingsDep
from api.errors import DomainError, NotFound, Unauthorized
from api.forms.runtime import FlowDep
from api.identity import IdentityProvider, LoginRequest
from api.identity.demo_provider import DemoProvider, authenticate_citizen, load_demo_citizens
from api.identity.oidc import OidcIdentityProvider
from api.identity.session import (
    COOKIE,
    SESSION_TTL,
    CurrentCitizen,
    OptionalCitizen,
    end_session,
    public_profile,
    session_cookie,
    start_session,
)
from api.schemas import RowId
from api.settings import ROOT, Settings
from db.identity import Citizen, CitizenSession, Consent

router = APIRouter(prefix="/api/identity", tags=["identity"])
demo_router = APIRouter(prefix="/demo-idp", tags=["demo identity provider"])
templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")

PENDING_COOKIE = "helpdesk_oidc"
PENDING_AUDIENCE = "helpdesk-oidc-pending"
PENDING_TTL = dt.timedelta(minutes=10)


class IdentityUnavailable(DomainError):
    status_code = 503


def callback_url(request: Request, settings: Settings) -> str:
    """The redirect URI registered with the provider: under `public_url` in production (never from
    the Host header a client sends); development follows the address in use, so any port works."""
    if settings.development:
        return str(request.url_for("identity_callback"))
    return settings.public_url.rstrip("/") + request.app.url_path_for("identity_callback")


def _demo_issuer(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/demo-idp"


async def identity_provider(request: Request, settings: SettingsDep) -> AsyncIterator[IdentityProvider]:
    """The configured provider; with no issuer configured, the demo provider of this very app (called in-process)."""
    override = getattr(request.app.state, "identity_provider", None)
    if override is not None:
        yield override
        return
    if settings.oidc_issuer:
        issuer, transport = settings.oidc_issuer, None
    elif settings.mode == "development":
        issuer, transport = _demo_issuer(request), httpx.ASGITransport(app=request.app)
    else:
        raise IdentityUnavailable("no identity provider is configured (HELPDESK_OIDC_ISSUER)")
    async with httpx.AsyncClient(transport=transport, timeout=10) as http:
        yield OidcIdentityProvider(
            issuer=issuer,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            http=http,
            scopes=settings.oidc_scopes,
        )


ProviderDep = Annotated[IdentityProvider, Depends(identity_provider)]


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _cookie_flags(request: Request, settings: Settings) -> dict[str, Any]:
    """HttpOnly, SameSite=Lax, and Secure when the citizen's browser speaks https: the request came over
    https (directly, or through a proxy in HELPDESK_WEB__TRUSTED_PROXIES) or `public_url` is https."""
    secure = request.url.scheme == "https" or settings.public_url.startswith("https://")
    return {"httponly": True, "samesite": "lax", "secure": secure}


@router.get("/login")
async def login(request: Request, provider: ProviderDep, settings: SettingsDep, next: str = "/") -> RedirectResponse:
    """Start the authorization-code flow (PKCE); the pending state waits in a signed, HttpOnly cookie."""
    redirect_uri = callback_url(request, settings)
    pending = await provider.begin_login(redirect_uri=redirect_uri)
    cookie = issue_token(
        subject=pending.state,
        secret=settings.secret_key,
        audience=PENDING_AUDIENCE,
        ttl=PENDING_TTL,
        claims={"nonce": pending.nonce, "verifier": pending.code_verifier, "next": _safe_next(next)},
    )
    response = RedirectResponse(pending.url, status_code=303)
    response.set_cookie(
        PENDING_COOKIE, cookie, max_age=int(PENDING_TTL.total_seconds()), path="/api/identity", **_cookie_flags(request, settings)
    )
    return response


@router.get("/callback", name="identity_callback")
async def callback(
    request: Request,
    provider: ProviderDep,
    factory: FactoryDep,
    settings: SettingsDep,
    code: str = Query(default=""),
    state: str = Query(default=""),
    error: str = Query(default=""),
) -> RedirectResponse:
    if error:
        raise Unauthorized(f"the identity provider refused the sign-in: {error}")
    claims = read_token(request.cookies.get(PENDING_COOKIE, ""), secret=settings.secret_key, audience=PENDING_AUDIENCE)
    if not code or state != claims["sub"]:
        raise Unauthorized("this sign-in does not match the one started in this browser; start again at /api/identity/login")
    pending = LoginRequest(url="", state=claims["sub"], nonce=claims["nonce"], code_verifier=claims["verifier"])
    identity = await provider.complete_login(code=code, redirect_uri=callback_url(request, settings), pending=pending)
    with factory.begin() as session:  # committed before the redirect: the next request must see it
        row = start_session(session=session, identity=identity)
    response = RedirectResponse(claims.get("next") or "/", status_code=303)
    response.delete_cookie(PENDING_COOKIE, path="/api/identity", **_cookie_flags(request, settings))
    response.set_cookie(COOKIE, session_cookie(row, settings.secret_key), max_age=int(SESSION_TTL.total_seconds()), path="/",
                        **_cookie_flags(request, settings))  # fmt: skip
    return response


@router.get("/me")
def me(citizen: OptionalCitizen) -> dict[str, Any]:
    """Whether this browser is signed in, and the name to greet (nothing else leaves the server)."""
    return public_profile(citizen) if citizen else {"signed_in": False}


@router.post("/logout")
def logout(request: Request, citizen: OptionalCitizen, factory: FactoryDep, settings: SettingsDep) -> JSONResponse:
    if citizen is not None:
        with factory.begin() as session:  # committed before the response
            end_session(session=session, row=session.get_one(CitizenSession, citizen.id))
    response = JSONResponse({"signed_in": False})
    response.delete_cookie(COOKIE, path="/", **_cookie_flags(request, settings))
    return response


def _consent_out(c: Consent) -> dict[str, Any]:
    return {
        "id": c.id,
        "form_code": c.form_code,
        "fields": c.fields,
        "granted": c.granted,
        "created_at": c.created_at.isoformat(),
        "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
    }


@router.get("/consents")
def consents(citizen: CurrentCitizen, session: SessionDep) -> list[dict[str, Any]]:
    """Every consent answer of the signed-in citizen: which fields, for which form, when, revoked or not."""
    rows = session.scalars(select(Consent).where(Consent.subject == citizen.subject).order_by(Consent.id))
    return [_consent_out(c) for c in rows]


@router.delete("/consents/{consent_id}")
def revoke_consent(consent_id: RowId, citizen: CurrentCitizen, factory: FactoryDep, flow: FlowDep) -> dict[str, Any]:
    """Revoke: identity values are removed from the unfinished form, which then asks for them."""
    with factory.begin() as session:  # committed before the response
        return _consent_out(flow.revoke_consent(session=session, subject=citizen.subject, consent_id=consent_id))


# ---- the demo provider (development mode) -------------------------------------------------------


def demo_provider(request: Request, settings: SettingsDep, factory: FactoryDep) -> DemoProvider:
    """The provider's state for this app; an empty registry gets the synthetic citizens (as `make db` does)."""
    if settings.mode != "development":
        raise NotFound("the demo identity provider exists in development mode only")
    if getattr(request.app.state, "demo_idp", None) is None:
        request.app.state.demo_idp = DemoProvider()
    with factory.begin() as session:
        if session.scalar(select(func.count(Citizen.id))) == 0:
            load_demo_citizens(session=session, path=ROOT / "data" / "demo" / "citizens.yaml")
    return request.app.state.demo_idp


DemoDep = Annotated[DemoProvider, Depends(demo_provider)]


def _check_client(request: Request, settings: SettingsDep, client_id: str, redirect_uri: str) -> None:
    if client_id != settings.oidc_client_id:
        raise Unauthorized(f"unknown client_id {client_id!r}")
    if redirect_uri != callback_url(request, settings):
        raise Unauthorized("redirect_uri is not registered for this client")


@demo_router.get("/.well-known/openid-configuration")
def demo_discovery(request: Request, idp: DemoDep) -> dict[str, Any]:
    return idp.discovery(_demo_issuer(request))


@demo_router.get("/jwks.json")
def demo_jwks(idp: DemoDep) -> dict[str, Any]:
    return idp.jwks()


def _login_page(request: Request, session: SessionDep, params: dict[str, str], error: str | None = None) -> HTMLResponse:
    citizens = session.scalars(select(Citizen).order_by(Citizen.id)).all()
    demo = [{"username": c.username, "name": c.profile.get("full_name", "")} for c in citizens]
    context = {"lang": "vi", "params": params, "error": error, "demo": demo}
    return templates.TemplateResponse(request, "login.html", context, status_code=401 if error else 200)


@demo_router.get("/authorize", response_class=HTMLResponse)
def demo_authorize_page(
    request: Request,
    idp: DemoDep,
    session: SessionDep,
    settings: SettingsDep,
    client_id: str,
    redirect_uri: str,
    state: str,
    nonce: str,
    code_challenge: str,
    code_challenge_method: str = "",
    response_type: str = "",
) -> HTMLResponse:
    """The login page of the demo provider (the real one would be VNeID's)."""
    _check_client(request, settings, client_id, redirect_uri)
    if response_type != "code" or code_challenge_method != "S256":
        raise DomainError("response_type=code and code_challenge_method=S256 are required")
    params = {"client_id": client_id, "redirect_uri": redirect_uri, "state": state, "nonce": nonce, "code_challenge": code_challenge}
    return _login_page(request, session, params)


@demo_router.post("/authorize", response_model=None)
def demo_authorize(
    request: Request,
    idp: DemoDep,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    client_id: Annotated[str, Form()],
    redirect_uri: Annotated[str, Form()],
    state: Annotated[str, Form()],
    nonce: Annotated[str, Form()],
    code_challenge: Annotated[str, Form()],
) -> RedirectResponse | HTMLResponse:
    _check_client(request, settings, client_id, redirect_uri)
    try:
        citizen = authenticate_citizen(session=session, username=username, password=password)
    except Unauthorized:
        params = {"client_id": client_id, "redirect_uri": redirect_uri, "state": state, "nonce": nonce, "code_challenge": code_challenge}
        return _login_page(request, session, params, error="Sai số định danh hoặc mật khẩu. / Wrong ID number or password.")
    code = idp.issue_code(
        subject=citizen.subject, client_id=client_id, redirect_uri=redirect_uri, code_challenge=code_challenge, nonce=nonce
    )
    return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", status_code=303)


@demo_router.post("/token")
def demo_token(
    request: Request,
    idp: DemoDep,
    session: SessionDep,
    settings: SettingsDep,
    grant_type: Annotated[str, Form()],
    code: Annotated[str, Form()],
    redirect_uri: Annotated[str, Form()],
    client_id: Annotated[str, Form()],
    code_verifier: Annotated[str, Form()],
    client_secret: Annotated[str, Form()] = "",
) -> JSONResponse:
    if grant_type != "authorization_code":
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    if client_id != settings.oidc_client_id or client_secret != settings.oidc_client_secret:
        return JSONResponse({"error": "invalid_client"}, status_code=401)
    try:
        pending = idp.redeem(code=code, client_id=client_id, redirect_uri=redirect_uri, code_verifier=code_verifier)
    except DomainError as exc:
        return JSONResponse({"error": "invalid_grant", "error_description": exc.detail}, status_code=400)
    citizen = session.scalar(select(Citizen).where(Citizen.subject == pending.subject))
    if citizen is None:
        return JSONResponse({"error": "invalid_grant", "error_description": "the citizen no longer exists"}, status_code=400)
    id_token = idp.id_token(issuer=_demo_issuer(request), client_id=client_id, citizen=citizen, nonce=pending.nonce)
    return JSONResponse({"access_token": id_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token},
                        headers={"Cache-Control": "no-store"})  # fmt: skip

"""The demo identity provider (development mode): an OpenID Connect provider over synthetic citizens.

It signs ID tokens with an RSA key made at start-up (published as JWKS), keeps authorization
codes in memory for a minute, single use, bound to the client, redirect URI and PKCE challenge.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import yaml
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.passwords import hash_password, verify_password
from api.errors import DomainError, Unauthorized
from api.identity.profile import claims_from_profile
from db.identity import Citizen

CODE_TTL_S = 60
ID_TOKEN_TTL = dt.timedelta(minutes=5)


class InvalidGrant(DomainError):
    """RFC 6749 invalid_grant: a code that is unknown, used, expired, or bound to something else."""


@dataclass
class PendingCode:
    subject: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    expires: float


@dataclass
class DemoProvider:
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    kid: str = field(default_factory=lambda: secrets.token_hex(8))
    codes: dict[str, PendingCode] = field(default_factory=dict)

    def discovery(self, issuer: str) -> dict[str, Any]:
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks.json",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "scopes_supported": ["openid", "profile", "email", "phone", "address", "vneid"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def issue_code(self, *, subject: str, client_id: str, redirect_uri: str, code_challenge: str, nonce: str) -> str:
        now = time.monotonic()
        self.codes = {c: p for c, p in self.codes.items() if p.expires > now}
        code = secrets.token_urlsafe(32)
        self.codes[code] = PendingCode(subject, client_id, redirect_uri, code_challenge, nonce, now + CODE_TTL_S)
        return code

    def redeem(self, *, code: str, client_id: str, redirect_uri: str, code_verifier: str) -> PendingCode:
        pending = self.codes.pop(code, None)  # single use, whatever happens next
        if pending is None or pending.expires < time.monotonic():
            raise InvalidGrant("invalid_grant: the code is unknown, used or expired")
        if pending.client_id != client_id or pending.redirect_uri != redirect_uri:
            raise InvalidGrant("invalid_grant: the code was issued to another client or redirect URI")
        if not hmac.compare_digest(create_s256_code_challenge(code_verifier), pending.code_challenge):
            raise InvalidGrant("invalid_grant: the PKCE code_verifier does not match the challenge")
        return pending

    def id_token(self, *, issuer: str, client_id: str, citizen: Citizen, nonce: str) -> str:
        now = dt.datetime.now(dt.UTC)
        claims = {
            **claims_from_profile(citizen.profile),
            "iss": issuer,
            "sub": citizen.subject,
            "aud": client_id,
            "iat": now,
            "exp": now + ID_TOKEN_TTL,
            "nonce": nonce,
            "auth_time": int(now.timestamp()),
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})


def authenticate_citizen(*, session: Session, username: str, password: str) -> Citizen:
    citizen = session.scalar(select(Citizen).where(Citizen.username == username.strip()))
    if citizen is None or not verify_password(password, citizen.password_hash):
        raise Unauthorized("wrong username or password")
    return citizen


def load_demo_citizens(*, session: Session, path: Path) -> int:
    """Upsert the synthetic citizens of `data/demo/citizens.yaml` (development mode only)."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in entries:
        citizen = session.scalar(select(Citizen).where(Citizen.username == entry["username"]))
        if citizen is None:
            citizen = Citizen(username=entry["username"], subject=entry["subject"], password_hash=hash_password(entry["password"]))
            session.add(citizen)
        elif not verify_password(entry["password"], citizen.password_hash):
            citizen.password_hash = hash_password(entry["password"])
        citizen.profile = entry["profile"]
    session.flush()
    return len(entries)

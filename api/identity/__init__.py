"""Citizen sign-in with a digital identity provider (OpenID Connect), and the demo provider.

The seam is `IdentityProvider`: routers start a login and finish it, and get back a
`VerifiedIdentity`. `OidcIdentityProvider` (api/identity/oidc.py) is the one real implementation,
pointed by configuration at a VNeID-like provider or at the app's own demo provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class LoginRequest:
    """Where to send the browser, and what to keep (in a signed cookie) until it comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class VerifiedIdentity:
    subject: str
    issuer: str
    profile: dict[str, Any]


class IdentityProvider(Protocol):
    async def begin_login(self, *, redirect_uri: str) -> LoginRequest: ...

    async def complete_login(self, *, code: str, redirect_uri: str, pending: LoginRequest) -> VerifiedIdentity: ...

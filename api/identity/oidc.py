"""OpenID Connect relying party: authorization code flow with PKCE, ID token checked against the JWKS.

    provider = OidcIdentityProvider(issuer="https://id.example.vn", client_id="portal", client_secret="…", http=httpx.AsyncClient())
    login = await provider.begin_login(redirect_uri=".../api/identity/callback")   # send the browser to login.url
    identity = await provider.complete_login(code=code, redirect_uri=..., pending=login)

Signature, issuer, audience, expiry and nonce are checked by PyJWT (and the nonce compared here);
PKCE's S256 challenge comes from authlib. Nothing cryptographic is written by hand.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from api.errors import Unauthorized
from api.identity import LoginRequest, VerifiedIdentity
from api.identity.profile import profile_from_claims

ALGORITHMS = ["RS256", "ES256", "PS256"]


class IdentityProviderError(Unauthorized):
    """The provider refused, or answered with something that does not verify."""


class OidcIdentityProvider:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        http: httpx.AsyncClient,
        scopes: str = "openid profile",
        leeway_s: int = 30,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id, self._client_secret, self.scopes = client_id, client_secret, scopes
        self._http, self._leeway = http, leeway_s
        self._discovery: dict[str, Any] | None = None

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = await self._http.get(url)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise IdentityProviderError(f"the identity provider did not answer {url}: {exc}") from exc
        return response.json()

    async def discovery(self) -> dict[str, Any]:
        if self._discovery is None:
            document = await self._get_json(f"{self.issuer}/.well-known/openid-configuration")
            if document.get("issuer", "").rstrip("/") != self.issuer:
                raise IdentityProviderError(f"discovery document names issuer {document.get('issuer')!r}, expected {self.issuer!r}")
            self._discovery = document
        return self._discovery

    async def begin_login(self, *, redirect_uri: str) -> LoginRequest:
        config = await self.discovery()
        state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": self.scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        return LoginRequest(f"{config['authorization_endpoint']}?{urlencode(query)}", state, nonce, verifier)

    async def complete_login(self, *, code: str, redirect_uri: str, pending: LoginRequest) -> VerifiedIdentity:
        config = await self.discovery()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "code_verifier": pending.code_verifier,
        }
        try:
            response = await self._http.post(config["token_endpoint"], data=form)
        except httpx.HTTPError as exc:
            raise IdentityProviderError(f"the identity provider's token endpoint did not answer: {exc}") from exc
        if response.status_code != 200:
            raise IdentityProviderError(f"the identity provider refused the code: {response.text[:200]}")
        id_token = response.json().get("id_token")
        if not id_token:
            raise IdentityProviderError("the token response has no id_token")
        claims = await self.verify_id_token(id_token, nonce=pending.nonce)
        return VerifiedIdentity(subject=claims["sub"], issuer=self.issuer, profile=profile_from_claims(claims))

    async def verify_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        config = await self.discovery()
        jwks = jwt.PyJWKSet.from_dict(await self._get_json(config["jwks_uri"]))
        try:
            kid = jwt.get_unverified_header(id_token).get("kid")
            key = next((k for k in jwks.keys if kid is None or k.key_id == kid), None)
            if key is None:
                raise IdentityProviderError(f"no key {kid!r} in the provider's JWKS")
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.client_id,
                issuer=self.issuer,
                leeway=self._leeway,
                options={"require": ["iss", "aud", "exp", "iat", "sub", "nonce"]},
            )
        except jwt.InvalidTokenError as exc:
            raise IdentityProviderError(f"the ID token does not verify: {exc}") from exc
        if not hmac.compare_digest(str(claims["nonce"]), nonce):
            raise IdentityProviderError("the ID token's nonce does not match this login")
        return claims

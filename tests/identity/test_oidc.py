"""The relying party against a provider served by httpx.MockTransport: what verifies and what does not."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from api.errors import Unauthorized
from api.identity import LoginRequest
from api.identity.demo_provider import DemoProvider, InvalidGrant
from api.identity.oidc import OidcIdentityProvider
from api.identity.profile import claims_from_profile, profile_from_claims
from db.identity import Citizen

ISSUER = "https://id.example.vn"
CLIENT = "helpdesk-portal"
PROFILE = {
    "full_name": "Lê Quốc Bảo",
    "date_of_birth": "30/11/1985",
    "sex": "Nam",
    "personal_id": "079085000021",
    "phone": "0900000222",
    "household": {"head_name": "Lê Quốc Bảo", "relation": "Chủ hộ"},
}


@pytest.fixture
def idp() -> DemoProvider:
    return DemoProvider()


def relying_party(idp: DemoProvider, issuer: str = ISSUER) -> OidcIdentityProvider:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(200, json=idp.discovery(issuer))
        if request.url.path == "/jwks.json":
            return httpx.Response(200, json=idp.jwks())
        return httpx.Response(404)

    return OidcIdentityProvider(
        issuer=ISSUER, client_id=CLIENT, client_secret="s", http=httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )


def id_token(idp: DemoProvider, *, key: rsa.RSAPrivateKey | None = None, **overrides: object) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {
        "iss": ISSUER,
        "sub": "demo-1",
        "aud": CLIENT,
        "iat": now,
        "exp": now + dt.timedelta(minutes=5),
        "nonce": "n-1",
        "name": "Lê Quốc Bảo",
    }
    claims.update(overrides)
    return jwt.encode(claims, key or idp.key, algorithm="RS256", headers={"kid": idp.kid})


async def test_a_good_token_verifies(idp: DemoProvider) -> None:
    claims = await relying_party(idp).verify_id_token(id_token(idp), nonce="n-1")
    assert claims["sub"] == "demo-1" and claims["name"] == "Lê Quốc Bảo"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"aud": "someone-else"}, "(?i)audience"),
        ({"iss": "https://evil.example"}, "(?i)issuer"),
        ({"exp": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)}, "(?i)expired"),
        ({"nonce": "replayed"}, "nonce"),
        ({"key": rsa.generate_private_key(public_exponent=65537, key_size=2048)}, "(?i)signature"),
    ],
    ids=["wrong-audience", "wrong-issuer", "expired", "nonce", "forged"],
)
async def test_bad_tokens_are_refused(idp: DemoProvider, overrides: dict, message: str) -> None:
    with pytest.raises(Unauthorized, match=message):
        await relying_party(idp).verify_id_token(id_token(idp, **overrides), nonce="n-1")


async def test_a_discovery_document_for_another_issuer_is_refused(idp: DemoProvider) -> None:
    with pytest.raises(Unauthorized, match="issuer"):
        await relying_party(idp, issuer="https://evil.example").discovery()


async def test_login_request_uses_pkce_s256(idp: DemoProvider) -> None:
    login = await relying_party(idp).begin_login(redirect_uri="https://portal/cb")
    query = parse_qs(urlparse(login.url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0] != login.code_verifier
    assert query["nonce"] == [login.nonce] and query["state"] == [login.state] and query["client_id"] == [CLIENT]


def test_codes_are_single_use_and_bound_to_the_pkce_verifier(idp: DemoProvider) -> None:
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    challenge = create_s256_code_challenge("v" * 50)
    code = idp.issue_code(subject="demo-1", client_id=CLIENT, redirect_uri="https://portal/cb", code_challenge=challenge, nonce="n")
    with pytest.raises(InvalidGrant, match="code_verifier"):
        idp.redeem(code=code, client_id=CLIENT, redirect_uri="https://portal/cb", code_verifier="w" * 50)
    code = idp.issue_code(subject="demo-1", client_id=CLIENT, redirect_uri="https://portal/cb", code_challenge=challenge, nonce="n")
    assert idp.redeem(code=code, client_id=CLIENT, redirect_uri="https://portal/cb", code_verifier="v" * 50).subject == "demo-1"
    with pytest.raises(InvalidGrant, match="used"):
        idp.redeem(code=code, client_id=CLIENT, redirect_uri="https://portal/cb", code_verifier="v" * 50)


async def test_claims_map_back_to_the_profile(idp: DemoProvider) -> None:
    token = idp.id_token(issuer=ISSUER, client_id=CLIENT, citizen=Citizen(subject="demo-1", profile=PROFILE), nonce="n-1")
    claims = await relying_party(idp).verify_id_token(token, nonce="n-1")
    assert claims["phone_number"] == "+84900000222" and claims["birthdate"] == "1985-11-30" and claims["gender"] == "male"
    assert profile_from_claims(claims) == PROFILE == profile_from_claims(claims_from_profile(PROFILE))


def test_login_request_is_plain_data() -> None:
    assert LoginRequest("u", "s", "n", "v").nonce == "n"

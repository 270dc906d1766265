"""Security headers on every response; the policy without inline script; none over the PDF viewer or /docs."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.testclient import TestClient

from api.web.headers import SecurityHeaders, content_security_policy


def client(https: bool = False) -> TestClient:
    app = FastAPI(docs_url=None, redoc_url=None)
    app.add_middleware(SecurityHeaders, form_action=["https://id.example.gov.vn/realms/citizens"])

    @app.get("/page", response_class=HTMLResponse)
    def page() -> str:
        return "<p>hi</p>"

    @app.get("/file.pdf")
    def pdf() -> Response:
        return Response(b"%PDF-1.7", media_type="application/pdf")

    @app.get("/docs", response_class=HTMLResponse)
    def docs() -> str:
        return "<script>SwaggerUIBundle()</script>"

    return TestClient(app, base_url="https://testserver" if https else "http://testserver")


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def test_every_response_has_the_headers() -> None:
    response = client().get("/page")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert "strict-transport-security" not in response.headers  # over http a browser would ignore it
    assert client().get("/nowhere").headers["x-content-type-options"] == "nosniff"  # errors too


def test_forms_may_post_to_the_identity_provider_origin_only() -> None:
    policy = directives(content_security_policy(["https://id.example.gov.vn/realms/citizens", "not a url"]))
    assert policy["form-action"] == ["'self'", "https://id.example.gov.vn"]
    assert directives(content_security_policy([]))["form-action"] == ["'self'"]


def test_https_responses_ask_for_https_from_now_on() -> None:
    assert client(https=True).get("/page").headers["strict-transport-security"].startswith("max-age=")


def test_no_policy_over_a_pdf_or_the_development_api_pages() -> None:
    pdf = client().get("/file.pdf")
    assert "content-security-policy" not in pdf.headers and pdf.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in client().get("/docs").headers

"""The forgery verdict: which cookie-carrying requests may change something."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers

from api.web.origin import forgery_refusal, origin_of

OWN = {"https://helpdesk.example.gov.vn", "http://127.0.0.1:8000"}
COOKIE = {"cookie": "helpdesk_citizen=abc"}


def verdict(method: str = "POST", **headers: str) -> str | None:
    return forgery_refusal(method=method, headers=Headers({k.replace("_", "-"): v for k, v in headers.items()}), own_origins=OWN)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://helpdesk.example.gov.vn", "https://helpdesk.example.gov.vn"),
        ("https://helpdesk.example.gov.vn:443/chat?x=1", "https://helpdesk.example.gov.vn"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("HTTP://Helpdesk.Example.gov.vn:80", "http://helpdesk.example.gov.vn"),
        ("http://[::1]:8000/x", "http://[::1]:8000"),
        ("null", None),
        ("file:///etc/passwd", None),
        ("https://host:notaport", None),
    ],
)
def test_origin_of(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin


def test_our_own_pages_may_change_things() -> None:
    assert verdict(origin="https://helpdesk.example.gov.vn", **COOKIE) is None
    assert verdict(origin="http://127.0.0.1:8000", **COOKIE) is None
    assert verdict(referer="http://127.0.0.1:8000/chat", **COOKIE) is None  # no Origin: the Referer's origin
    assert verdict(sec_fetch_site="same-origin", **COOKIE) is None  # neither: the browser's own word


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},  # a sandboxed frame or a data: page
        {"origin": "https://helpdesk.example.gov.vn.evil.example"},
        {"origin": "http://helpdesk.example.gov.vn"},  # the http twin of an https site is another origin
        {"referer": "https://evil.example/helpdesk.example.gov.vn"},
        {"origin": "https://evil.example", "referer": "https://helpdesk.example.gov.vn/"},  # Origin decides
        {"sec_fetch_site": "cross-site"},
        {},
    ],
)
def test_other_sites_and_silent_requests_with_a_cookie_are_refused(headers: dict[str, str]) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        refusal = verdict(method, **COOKIE, **headers)
        assert refusal is not None and "own pages" in refusal


def test_the_refusal_says_which_site_sent_it() -> None:
    assert "Origin: https://evil.example" in str(verdict(origin="https://evil.example", **COOKIE))
    assert "no Origin or Referer" in str(verdict(**COOKIE))


def test_reads_and_cookieless_requests_are_not_forgery_targets() -> None:
    assert verdict("GET", origin="https://evil.example", **COOKIE) is None
    assert verdict("HEAD", **COOKIE) is None
    assert verdict("POST", origin="https://evil.example") is None  # no ambient authority to abuse: a bearer token, or nobody

"""The HTTP adapter of the BackOffice protocol, against an httpx.MockTransport standing in for the agency."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from api.dossiers.backoffice import BackOfficeUnavailable, DemoBackOffice, HttpBackOffice, Submission, new_code
from api.dossiers.service import CODE_PATTERN

SUBMISSION = Submission(
    idempotency_key="draft:abc",
    form_code="CT01",
    procedure="1.004222",
    phone="0900000111",
    lang="vi",
    values=[{"field": "ho_ten", "value": "A"}],
)


class Agency:
    """Answers like the documented contract: one dossier per idempotency key."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.by_key: dict[str, str] = {}

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "POST" and request.url.path == "/api/dossiers":
            key = request.headers["Idempotency-Key"]
            code = self.by_key.setdefault(key, f"000.00.17.H26-261203-{len(self.by_key) + 1:04d}")
            return httpx.Response(201, json={"code": code, "received_at": "2026-12-03T02:00:00+00:00"})
        if request.method == "GET" and request.url.path.startswith("/api/dossiers/"):
            code = request.url.path.rsplit("/", 1)[1]
            return httpx.Response(200, json={"code": code, "state": "processing", "at": "2026-12-04T03:00:00Z", "details": {}})
        return httpx.Response(404)


def test_submit_sends_the_submission_with_its_idempotency_key_and_token() -> None:
    agency = Agency()
    office = HttpBackOffice("https://agency.example/api/", "secret-token", transport=httpx.MockTransport(agency.handler))
    first, again = office.submit(SUBMISSION), office.submit(SUBMISSION)
    assert first.code == again.code == "000.00.17.H26-261203-0001"
    assert first.received_at == dt.datetime(2026, 12, 3, 2, tzinfo=dt.UTC)
    sent = agency.requests[0]
    assert sent.headers["Authorization"] == "Bearer secret-token" and sent.headers["Idempotency-Key"] == "draft:abc"
    body = json.loads(sent.content)
    assert body["procedure"] == "1.004222" and body["phone"] == "0900000111" and "idempotency_key" not in body
    assert CODE_PATTERN.match(first.code)  # a real agency's code format passes the lookup's check


def test_status_reads_the_agencys_state() -> None:
    office = HttpBackOffice("https://agency.example/api", "", transport=httpx.MockTransport(Agency().handler))
    report = office.status("HS-1")
    assert report.state == "processing" and report.at.tzinfo is not None


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(500, text="down"), httpx.Response(200, text="not json"), httpx.Response(200, json={"no": "code"})],
)
def test_a_failing_agency_is_a_503_that_says_nothing_was_submitted(answer: httpx.Response) -> None:
    office = HttpBackOffice("https://agency.example/api", "t", transport=httpx.MockTransport(lambda _r: answer))
    with pytest.raises(BackOfficeUnavailable) as refused:
        office.submit(SUBMISSION)
    assert refused.value.status_code == 503


def test_an_unreachable_agency_is_a_503() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    office = HttpBackOffice("https://agency.example/api", "t", transport=httpx.MockTransport(refuse))
    with pytest.raises(BackOfficeUnavailable, match="could not be reached"):
        office.submit(SUBMISSION)


def test_an_http_back_office_needs_its_url() -> None:
    with pytest.raises(ValueError, match="BACKOFFICE_URL"):
        HttpBackOffice("", "t")


def test_demo_codes_are_random_and_well_formed() -> None:
    codes = {new_code(dt.date(2026, 12, 3)) for _ in range(50)}
    assert len(codes) == 50 and all(CODE_PATTERN.match(c) and c.startswith("HS-261203-") for c in codes)
    assert CODE_PATTERN.match(DemoBackOffice().submit(SUBMISSION).code)

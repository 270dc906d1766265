"""The agency's processing system behind a `BackOffice` protocol: what a deployment plugs in.

    office = DemoBackOffice()                                   # development: the simulated one-stop office
    office = HttpBackOffice(url, token, timeout_s=10)           # a real processing system over HTTP
    receipt = office.submit(Submission(idempotency_key=draft.id, form_code="CT01", procedure="1.004222", ...))
    receipt.code                                                # the dossier code (mã hồ sơ) the agency gave

The HTTP contract (docs/dossiers.md): ``POST {url}/dossiers`` with the submission as JSON and an
``Idempotency-Key`` header answers ``{"code", "received_at"}`` (the same dossier for a repeated key);
``GET {url}/dossiers/{code}`` answers ``{"code", "state", "at", "details"}``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import httpx

from api.errors import DomainError
from db.base import aware

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone without confusion


class BackOfficeUnavailable(DomainError):
    """The processing system did not answer or refused the submission: nothing was submitted (503)."""

    status_code = 503


@dataclass(frozen=True)
class Submission:
    idempotency_key: str
    form_code: str
    procedure: str
    phone: str
    lang: str
    values: list[dict[str, Any]] = field(default_factory=list)  # the draft's fields: field, label, value, source


@dataclass(frozen=True)
class Receipt:
    code: str
    received_at: dt.datetime


@dataclass(frozen=True)
class StatusReport:
    code: str
    state: str
    at: dt.datetime
    details: dict[str, Any] = field(default_factory=dict)


class BackOffice(Protocol):
    def submit(self, submission: Submission) -> Receipt:
        """Hand the dossier to the agency; the same `idempotency_key` twice gives the same receipt."""
        ...

    def status(self, code: str) -> StatusReport:
        """The dossier's state as the agency has it now."""
        ...


def new_code(today: dt.date, random_part: int = 6) -> str:
    """HS-<yymmdd>-<6 characters>: random, so codes cannot be counted through (lookup also needs the phone)."""
    return f"HS-{today:%y%m%d}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(random_part))


class DemoBackOffice:
    """The simulated one-stop office of development mode: it lives in the app's database (the `dossiers`
    table, changed by the processing officer's console), so it only issues codes here; idempotency is the
    table's unique key on the draft."""

    def __init__(self, clock: Any = None) -> None:
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def submit(self, submission: Submission) -> Receipt:
        now = self._clock()
        return Receipt(code=new_code(now.date()), received_at=now)

    def status(self, code: str) -> StatusReport:
        raise NotImplementedError("the demo office's state is the dossiers table itself (api/dossiers/service.py)")


class NoBackOffice:
    """Production without a configured processing system: every submission is refused, saying what to set."""

    def submit(self, submission: Submission) -> Receipt:
        raise BackOfficeUnavailable("online submission is not configured here (HELPDESK_DOSSIERS__BACKOFFICE=http and its URL)")

    def status(self, code: str) -> StatusReport:
        raise BackOfficeUnavailable("online submission is not configured here (HELPDESK_DOSSIERS__BACKOFFICE=http and its URL)")


class HttpBackOffice:
    """A processing system reached over HTTP (JSON, bearer token); `transport` replaces the network in tests."""

    def __init__(self, url: str, token: str, *, timeout_s: float = 10.0, transport: httpx.BaseTransport | None = None) -> None:
        if not url:
            raise ValueError("HELPDESK_DOSSIERS__BACKOFFICE_URL is empty; set the processing system's address for backoffice=http")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout_s, transport=transport)

    def submit(self, submission: Submission) -> Receipt:
        body = {k: v for k, v in asdict(submission).items() if k != "idempotency_key"}
        data = self._call("POST", "/dossiers", json=body, headers={"Idempotency-Key": submission.idempotency_key})
        return Receipt(code=str(data["code"]), received_at=_moment(data["received_at"]))

    def status(self, code: str) -> StatusReport:
        data = self._call("GET", f"/dossiers/{code}")
        return StatusReport(
            code=str(data["code"]), state=str(data["state"]), at=_moment(data["at"]), details=dict(data.get("details") or {})
        )

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, **kwargs)
            response.raise_for_status()
            data = response.json()
        except httpx.HTTPStatusError as exc:
            raise BackOfficeUnavailable(
                f"the processing system answered {exc.response.status_code} to {method} {path}; nothing was submitted, try again later"
            ) from exc
        except (httpx.HTTPError, ValueError) as exc:
            raise BackOfficeUnavailable(f"the processing system could not be reached ({type(exc).__name__}); try again later") from exc
        if not isinstance(data, dict) or "code" not in data:
            raise BackOfficeUnavailable(f"the processing system's answer to {method} {path} has no dossier code")
        return data


def _moment(value: str) -> dt.datetime:
    return aware(dt.datetime.fromisoformat(value))

"""Schemathesis against the app's whole OpenAPI schema, in-process (ASGI, no server): no request,
however odd, may be answered with a server error.

Each operation gets up to 30 generated requests (valid and invalid parameters, bodies and headers),
sent twice: anonymously, and with an admin's bearer token, so the routes behind the staff checks
run too, not only their 401. The app is the tests' development app on SQLite, with the curated
guides, the demo staff and citizens; Rasa is not running (chat turns answer "briefly unavailable").

    .venv/bin/pytest tests/fuzz -q           # about two minutes on two cores
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from api.auth.staff import load_demo_staff
from api.editor.seeding import seed_guide
from api.identity.demo_provider import load_demo_citizens
from api.limits.config import LimitSettings
from api.settings import Settings
from bench.product import scratch_postgres
from db.session import make_engine, make_sessionmaker, migrate, session_scope
from knowledge.guides import load_guide_dir
from tests.conftest import ROOT, TEST_EMBEDDER

pytestmark = pytest.mark.fuzz
EXAMPLES_PER_OPERATION = 30
GUIDE_CODES = sorted(path.name.split("-", 1)[0] for path in (ROOT / "data" / "guides").glob("*.yaml"))[:3]
FORM_CODES = ["CT01", "TK01-HC"]
# High enough that the fuzzer meets the routes, not their 429 (a 429 is no server error either).
RAISED_LIMITS = LimitSettings(
    chat_per_conversation="100000/minute",
    chat_per_address="100000/minute",
    search_per_address="100000/minute",
    feedback_per_address="100000/minute",
)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fuzz_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated scratch database for the module: SQLite, and PostgreSQL (what production runs)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
        return
    with scratch_postgres(request.getfixturevalue("postgres_admin"), "helpdesk_fuzz") as url:
        yield url


@pytest.fixture(scope="module")
def fuzzed_app(fuzz_database: str, index_dir: Path) -> Iterator[FastAPI]:
    url = fuzz_database
    migrate(url)
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine)) as session:
        load_demo_staff(session=session, path=ROOT / "data" / "demo" / "staff.yaml")
        load_demo_citizens(session=session, path=ROOT / "data" / "demo" / "citizens.yaml")
        for guide in load_guide_dir(ROOT / "data" / "guides"):
            seed_guide(session=session, guide=guide, source="fuzz")
    engine.dispose()
    settings_ = Settings(
        mode="development",
        database_url=url,
        index_dir=index_dir,
        embedding_model=TEST_EMBEDDER.name,
        rasa_url="http://127.0.0.1:9",  # nothing listens there
        terms_file=ROOT / "data" / "terms.yaml",
        limits=RAISED_LIMITS,
    )
    app = create_app(settings_, embedder=TEST_EMBEDDER)
    yield app
    asgi.shutdown_lifespans()  # schemathesis ran the app's lifespan (index, engine, watchers): stop it


@pytest.fixture(scope="module")
def admin_headers(fuzzed_app: FastAPI) -> dict[str, str]:
    with asgi.get_client(fuzzed_app) as client:  # starts the lifespan the fuzzed requests then share
        response = client.post("/api/auth/token", data={"username": "admin", "password": "admin-demo"})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def api_schema(fuzzed_app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)


def no_undocumented_server_error(ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """`not_a_server_error`, except a 503 the operation documents as an answer (readiness while Rasa is down)."""
    if response.status_code == 503 and "503" in case.operation.definition.raw.get("responses", {}):
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [no_undocumented_server_error, response_schema_conformance]


def real_values(operation: schemathesis.APIOperation) -> list[dict[str, str]]:
    """Path parameters naming things that exist (a guide, a form), so the fuzzer gets past the 404."""
    names = {p.name for p in operation.path_parameters}
    values = []
    if "code" in names:
        values += [{"code": code} for code in GUIDE_CODES]
    if "form_code" in names:
        values += [{"form_code": code} for code in FORM_CODES]
    return values


def cases(operation: schemathesis.APIOperation) -> st.SearchStrategy[schemathesis.Case]:
    """Valid and invalid requests for `operation`, some of them about existing guides and forms."""
    options = [operation.as_strategy(mode) for mode in GenerationMode]
    options += [operation.as_strategy(GenerationMode.POSITIVE, path_parameters=values) for values in real_values(operation)]
    return st.one_of(options)


def test_no_request_is_answered_with_a_server_error(
    api_schema: schemathesis.BaseSchema, admin_headers: dict[str, str], subtests: pytest.Subtests
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 60, "the schema lost its operations"
    for operation in operations:
        with subtests.test(msg=operation.label):

            @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            @given(case=cases(operation))
            def fuzz(case: schemathesis.Case) -> None:
                case.call_and_validate(checks=CHECKS)
                case.call_and_validate(headers=admin_headers, checks=CHECKS)

            fuzz()


# --- what the fuzzer found, as examples -----------------------------------------------------------

TOO_BIG = 2**63  # past every INTEGER column: the database driver raised OverflowError (a 500)


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("GET", f"/api/agent/tickets/{TOO_BIG}", None, "ticket_id"),
        ("POST", f"/api/agent/tickets/{TOO_BIG}/claim", None, "ticket_id"),
        ("POST", f"/api/agent/callbacks/{TOO_BIG}/complete", {"outcome": "reached"}, "callback_id"),
        ("GET", f"/api/editor/guides/{GUIDE_CODES[0]}/versions/{TOO_BIG}", None, "version"),
        ("GET", f"/api/editor/guides/{GUIDE_CODES[0]}/diff?from=1&to={TOO_BIG}", None, "to"),
        ("POST", f"/api/editor/guides/{GUIDE_CODES[0]}/publish", {"lock_version": TOO_BIG}, "lock_version"),
        # PostgreSQL: the conditional UPDATE stores lock_version + 1, out of its range (SQLite holds 8 bytes).
        ("POST", f"/api/editor/guides/{GUIDE_CODES[0]}/submit", {"lock_version": 2**31 - 1}, "lock_version"),
        ("POST", f"/api/editor/guides/{GUIDE_CODES[0]}/rollback", {"lock_version": 0, "to_version": TOO_BIG}, "to_version"),
    ],
)
def test_an_id_or_version_past_the_integer_columns_is_a_422(
    fuzzed_app: FastAPI, admin_headers: dict[str, str], method: str, path: str, body: dict[str, object] | None, field: str
) -> None:
    with asgi.get_client(fuzzed_app) as client:
        response = client.request(method, path, json=body, headers=admin_headers)
    assert response.status_code == 422, response.text
    assert [error["loc"][-1] for error in response.json()["detail"]] == [field]

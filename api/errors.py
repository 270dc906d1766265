"""Domain errors and the one place that maps them to HTTP responses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger("helpdesk.errors")
DATABASE_RETRY_AFTER_S = 5
DATABASE_UNAVAILABLE = {
    "vi": "Hệ thống đang tạm gián đoạn, yêu cầu này chưa được lưu. Vui lòng thử lại sau {seconds} giây.",
    "en": "The service is briefly unavailable and this request was not saved. Please try again in {seconds} seconds.",
}


class DomainError(Exception):
    status_code = 400
    headers: dict[str, str] | None = None

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Unauthorized(DomainError):
    status_code = 401


class TooManyRequests(DomainError):
    """Answered with ``Retry-After: <retry_after>`` (seconds); `detail` says it in the client's language."""

    status_code = 429

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        """The database cannot be reached (down, restarting, refusing connections, pool exhausted): 503, retry soon.

        The request's transaction went with its connection, so nothing of it was written: the client retries it whole.
        """
        from api.limits.deps import request_language  # api.limits imports this module

        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0][:200])
        detail = DATABASE_UNAVAILABLE[request_language(request)].format(seconds=DATABASE_RETRY_AFTER_S)
        return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)})

    for error in (OperationalError, PoolTimeout):  # psycopg and sqlite3 report a lost or refused connection as OperationalError
        app.add_exception_handler(error, _database_unavailable)

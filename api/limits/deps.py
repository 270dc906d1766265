"""The abuse limits at the HTTP edge: dependencies answering 429, ``Retry-After`` and a message in the
client's language.

    @router.get("/lookup", dependencies=[Depends(rate_limit("lookup_per_address"))])  # a rate field of LimitSettings

The client address is ``request.client.host``. Behind a reverse proxy it is the proxy's unless the proxy
is listed in ``HELPDESK_WEB__TRUSTED_PROXIES`` (`api.web.proxy` then sets it from X-Forwarded-For):
without that every citizen shares the proxy's counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from api.errors import TooManyRequests
from api.limits.limiter import Limiter, LoginGuard
from api.schemas import ChatMessageIn
from knowledge.language import detect_language

MESSAGES = {
    "chat": {
        "vi": "Bạn gửi quá nhiều tin nhắn. Vui lòng thử lại sau {seconds} giây.",
        "en": "Too many messages. Please try again in {seconds} seconds.",
    },
    "request": {
        "vi": "Bạn gửi quá nhiều yêu cầu. Vui lòng thử lại sau {seconds} giây.",
        "en": "Too many requests. Please try again in {seconds} seconds.",
    },
    "login": {
        "vi": "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {seconds} giây.",
        "en": "Too many failed sign-ins. Please try again in {seconds} seconds.",
    },
}


def too_many(kind: str, lang: str, seconds: int) -> TooManyRequests:
    return TooManyRequests(MESSAGES[kind][lang if lang in ("vi", "en") else "vi"].format(seconds=seconds), retry_after=seconds)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def request_language(request: Request) -> str:
    """The ``lang`` query parameter, else the first of vi/en in Accept-Language, else Vietnamese."""
    lang = request.query_params.get("lang")
    if lang in ("vi", "en"):
        return lang
    for tag in request.headers.get("accept-language", "").split(","):
        primary = tag.split(";")[0].strip().lower()[:2]
        if primary in ("vi", "en"):
            return primary
    return "vi"


def get_limiter(request: Request) -> Limiter:
    return request.app.state.limiter


def get_login_guard(request: Request) -> LoginGuard:
    return request.app.state.login_guard


LimiterDep = Annotated[Limiter, Depends(get_limiter)]
LoginGuardDep = Annotated[LoginGuard, Depends(get_login_guard)]


def rate_limit(rule: str, kind: str = "request") -> Callable[[Request, Limiter], None]:
    """A dependency counting each request under `rule` (a rate field of `LimitSettings`) per client address."""

    def check(request: Request, limiter: LimiterDep) -> None:
        wait = limiter.hit(rule, client_address(request))
        if wait:
            raise too_many(kind, request_language(request), wait)

    return check


def limit_chat(request: Request, limiter: LimiterDep, body: ChatMessageIn) -> None:
    """Messages per conversation, then per address; the refusal in the message's language.

    The route must name its body `body` too (FastAPI then reads it once for both).
    """
    checks = [("chat_per_conversation", body.conversation_id)] if body.conversation_id else []
    for rule, key in [*checks, ("chat_per_address", client_address(request))]:
        wait = limiter.hit(rule, key)
        if wait:
            raise too_many("chat", body.lang or detect_language(body.text), wait)

"""Abuse limits: requests per moving window, and the growing back-off after failed sign-ins.

    limiter = Limiter(settings.limits)                 # memory, or Redis when storage_url says so
    wait = limiter.hit("search_per_address", "203.0.113.7")
    if wait:                                           # seconds until that address may search again
        ...
    guard = LoginGuard(limiter)
    guard.wait(username="ana", address="203.0.113.7")  # 0, or seconds of refusal (no password check)

Counts live in a `limits` storage: this process's memory when ``storage_url`` is empty, Redis
(``redis://…``) otherwise, so that several workers share them. Framework-free: the HTTP edge
(`api.limits.deps`) turns a wait into a 429 in the citizen's language.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable

from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from api.limits.config import RATE_FIELDS, LimitSettings

log = logging.getLogger("helpdesk.limits")
REDIS_TIMEOUT_S = 0.5  # a slow or absent Redis must not hold a citizen's request for long
UNTIL_SLACK_S = 60  # a refusal's end time is kept this long after it passed (it carries its own time)


def open_storage(url: str) -> Storage:
    """The counters' storage: memory for an empty URL, else what `limits` makes of the URL (redis://…)."""
    options: dict[str, float | str | bool] = {"wrap_exceptions": True}
    if url.startswith(("redis", "valkey")):
        options |= {"socket_timeout": REDIS_TIMEOUT_S, "socket_connect_timeout": REDIS_TIMEOUT_S}
    storage = storage_from_string(url or "memory://", **options)
    if not isinstance(storage, Storage):
        raise ValueError(f"HELPDESK_LIMITS__STORAGE_URL={url!r} names an async storage; write it without 'async+' (redis://host:6379/0)")
    return storage


def seconds_until(moment: float, now: float) -> int:
    """Whole seconds a client waits for `moment` (at least 1: Retry-After: 0 would invite a retry loop)."""
    return max(1, math.ceil(moment - now))


class Limiter:
    """Requests per moving window for the rate fields of `LimitSettings` (``chat_per_address`` …).

    A refused request is not counted, so a client that waits `hit`'s answer is served again.
    When the storage fails (Redis down) requests are let through and the error logged: the help desk
    stays up without its limits rather than refusing everyone.
    """

    def __init__(self, settings: LimitSettings, storage: Storage | None = None, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.storage = storage or open_storage(settings.storage_url)
        self.clock = clock
        self._windows = MovingWindowRateLimiter(self.storage)
        self._rates: dict[str, RateLimitItem] = {name: parse(getattr(settings, name)) for name in RATE_FIELDS}

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    def key(self, *parts: str) -> str:
        return ":".join((self.settings.key_prefix, *parts))

    def hit(self, rule: str, *keys: str) -> int:
        """Count one request under `rule` for `keys`; 0 when allowed, else seconds until one is."""
        if not self.enabled:
            return 0
        rate = self._rates[rule]
        try:
            if self._windows.hit(rate, self.settings.key_prefix, rule, *keys):
                return 0
            reset = self._windows.get_window_stats(rate, self.settings.key_prefix, rule, *keys).reset_time
        except StorageError as exc:
            log.error("rate limit %s not checked, the counters' storage failed: %s", rule, exc.storage_error)
            return 0
        return seconds_until(reset, self.clock())


def backoff_seconds(failures: int, *, free: int, cap: int) -> int:
    """Refusal after the `failures`-th failure: 0 below `free`, then 2^(failures - free + 1) seconds, at most `cap`.

    With free = 5: failures 1-4 → 0; the 5th → 2 s; the 6th → 4 s; the 7th → 8 s … up to cap.
    """
    if failures < free:
        return 0
    return min(cap, 2 ** min(failures - free + 1, 62))


class LoginGuard:
    """Failed sign-ins counted per username and per address; past the free ones, each failure refuses
    further attempts for twice as long as the previous (`backoff_seconds`). A success clears the
    username's count; an address's count is only forgotten with time (``login_failure_memory_s``
    after its first failure), so one good account does not reset the guessing of others.

    Usernames are hashed in the keys: a password typed into the username box never reaches Redis.
    """

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter
        self.settings = limiter.settings

    def _user_key(self, username: str) -> str:
        return self.limiter.key("login", "user", hashlib.sha256(username.casefold().encode()).hexdigest()[:32])

    def _subjects(self, username: str, address: str) -> list[tuple[str, int]]:
        """(counter key, free failures) for the username and for the address."""
        return [
            (self._user_key(username), self.settings.login_free_failures_per_user),
            (self.limiter.key("login", "address", address), self.settings.login_free_failures_per_address),
        ]

    def wait(self, *, username: str, address: str) -> int:
        """Seconds before this username may try again from this address (0: now)."""
        if not self.limiter.enabled:
            return 0
        now, storage = self.limiter.clock(), self.limiter.storage
        longest = 0
        try:
            for key, free in self._subjects(username, address):
                failures = storage.get(key)
                if failures >= free:
                    until = storage.get(f"{key}:until:{failures}") / 1000
                    if until > now:
                        longest = max(longest, min(seconds_until(until, now), self.settings.login_backoff_max_s))
        except StorageError as exc:
            log.error("sign-in back-off not checked, the counters' storage failed: %s", exc.storage_error)
            return 0
        return longest

    def failed(self, *, username: str, address: str) -> None:
        """Count a failure; past the free ones, refuse the next attempts for the back-off."""
        if not self.limiter.enabled:
            return
        now, storage, settings = self.limiter.clock(), self.limiter.storage, self.settings
        try:
            for key, free in self._subjects(username, address):
                failures = storage.incr(key, settings.login_failure_memory_s)
                delay = backoff_seconds(failures, free=free, cap=settings.login_backoff_max_s)
                if delay:
                    # One key per failure number (incr is atomic, so one worker writes each); its value is the
                    # time the refusal ends, in milliseconds. A key left from an earlier run of failures is replaced.
                    until, until_key = int((now + delay) * 1000), f"{key}:until:{failures}"
                    if storage.incr(until_key, delay + UNTIL_SLACK_S, amount=until) != until:
                        storage.clear(until_key)
                        storage.incr(until_key, delay + UNTIL_SLACK_S, amount=until)
        except StorageError as exc:
            log.error("sign-in failure not counted, the counters' storage failed: %s", exc.storage_error)

    def succeeded(self, *, username: str) -> None:
        if not self.limiter.enabled:
            return
        storage, key = self.limiter.storage, self._user_key(username)
        try:
            for failures in range(self.settings.login_free_failures_per_user, storage.get(key) + 1):
                storage.clear(f"{key}:until:{failures}")  # so the next failures write their own times afresh
            storage.clear(key)
        except StorageError as exc:
            log.error("sign-in failures not cleared, the counters' storage failed: %s", exc.storage_error)

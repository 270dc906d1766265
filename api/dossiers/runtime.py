"""The dossiers' wiring into the app: the desk, and the loop that drains the notification outbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.orm import Session, sessionmaker

from api.dossiers.config import DossierSettings
from api.dossiers.desk import DossierDesk, load_procedures, make_backoffice
from api.dossiers.notify import DemoSender, Sender, drain
from api.forms.templates import FormTemplate

log = logging.getLogger("helpdesk.dossiers")


def make_desk(
    sessions: sessionmaker[Session], settings: DossierSettings, templates: dict[str, FormTemplate], *, development: bool
) -> DossierDesk:
    backoffice = make_backoffice(settings, development=development)
    return DossierDesk(sessions, backoffice, load_procedures(settings.procedures_file), templates, settings)


class OutboxLoop:
    """Drains the outbox every `interval_s` in a worker thread; `stop()` waits for a drain in progress."""

    def __init__(self, sessions: sessionmaker[Session], sender: Sender, interval_s: float) -> None:
        self.sessions, self.sender, self.interval_s = sessions, sender, interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.to_thread(drain, factory=self.sessions, sender=self.sender)
            except Exception:  # a database hiccup: logged, tried again at the next interval
                log.exception("draining the dossier outbox failed")
            await asyncio.sleep(self.interval_s)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def start_outbox(sessions: sessionmaker[Session], settings: DossierSettings, *, development: bool) -> OutboxLoop | None:
    """The demo sender's loop (development only: it sends nothing); None when an external sender drains the outbox."""
    if settings.outbox_sender != "demo" or not development:
        return None
    loop = OutboxLoop(sessions, DemoSender(), settings.outbox_interval_s)
    loop.start()
    return loop

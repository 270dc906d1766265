"""Domain errors of the handoff; `api.errors` maps them to HTTP status codes."""

from __future__ import annotations

from api.auth.staff import Forbidden
from api.errors import Conflict, DomainError


class TicketAlreadyClaimed(Conflict):
    """409: another agent holds the ticket (the message names them)."""


class TicketClosed(Conflict):
    """409: the ticket is resolved."""


class AtCapacity(Conflict):
    """409: the agent already has as many chats as their capacity."""


class SkillMissing(Forbidden):
    """403: the agent does not serve this queue (skill or language)."""


class NotHolder(Forbidden):
    """403: only the agent holding the ticket (or a supervisor) may do this."""


class Invalid(DomainError):
    status_code = 422


class ConsentRequired(Invalid):
    """422: a callback needs the citizen's consent to be called."""


class NothingToRate(Conflict):
    """409: no resolved ticket waits for a rating in this conversation."""

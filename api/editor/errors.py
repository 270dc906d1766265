"""The editor's domain errors; `api.errors` maps every `DomainError` to its status code."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from api.errors import Conflict, DomainError, NotFound


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, named by its path in the guide (``vi.channels.0.fee``)."""

    field: str
    msg: str

    @property
    def loc(self) -> list[str | int]:
        return ["body", "guide", *(int(p) if p.isdigit() else p for p in self.field.split("."))]


class GuideInvalid(DomainError):
    """Field-level validation errors: 422 with ``detail`` a list of ``{loc, field, msg, type}``."""

    status_code = 422

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.msg}" for e in errors))
        self.errors = errors
        self.detail = [{"loc": e.loc, **asdict(e), "type": "value_error.guide"} for e in errors]  # type: ignore[assignment]


class UploadTooLarge(DomainError):
    """An import that is, or unpacks to, more than the configured limit: 413 naming the limit."""

    status_code = 413


class GuideMissing(NotFound):
    pass


class VersionMissing(NotFound):
    pass


class EditConflict(Conflict):
    """Someone else changed the guide since this editor loaded it (optimistic locking)."""


class WrongState(Conflict):
    """A workflow step that does not apply to the guide's current status."""


class FourEyes(DomainError):
    """An editor may not publish a change they wrote themselves (unless configured)."""

    status_code = 403


class IndexBuildFailed(DomainError):
    """The new index could not be built: nothing was published and the old index still serves."""

    status_code = 503

"""Editor settings (variables ``HELPDESK_EDITOR__<NAME>``): the `editor` section of `api.settings.Settings`.

The app reads them through `editor_settings(app)`; tests may put their own on `app.state`.
"""

from __future__ import annotations

from pydantic import BaseModel
from starlette.applications import Starlette


class EditorSettings(BaseModel):
    self_publish_roles: list[str] = []
    """Roles whose holders may publish a change they wrote (four-eyes off for them); none by default."""
    stale_after_days: int = 365
    """A published guide not reviewed for this long is flagged stale."""
    reload_poll_s: float = 0.5
    """How often each app worker checks the shared knowledge version (publish → served in ≤ 2 s)."""
    gap_similarity: float = 0.92  # e5 cosines sit high: at 0.88 "giá vàng" joined questions about fireworks
    """Cosine above which two questions are one gap (0.75 suits the MiniLM model; ~0.3 the test hash embedder)."""
    gap_limit: int = 5000
    """The most recent unanswered / disliked questions considered for knowledge gaps."""
    import_max_mb: float = 5.0
    """Largest upload to ``/api/editor/import`` (the request body, in MB); larger is refused with 413."""
    import_max_unpacked_mb: float = 50.0
    """Largest total of the records once unzipped (in MB): a zip bomb is refused with 413, however small."""


def editor_settings(app: Starlette) -> EditorSettings:
    settings = getattr(app.state, "editor_settings", None)
    if settings is None:
        settings = app.state.editor_settings = app.state.settings.editor
    return settings

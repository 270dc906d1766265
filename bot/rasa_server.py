"""Rasa's command line (`rasa run …`) with what citizens typed kept out of Rasa's own logs.

    .venv-bot/bin/python bot/rasa_server.py run --enable-api …    # instead of .venv-bot/bin/rasa run …

Rasa 3.6 logs structured events, and some carry the message: a failed turn logs
`rest.message.received.failure` with its `text`, debug lines log slots and entities. Rasa has a hook
for this (its `_anonymizer` processor), but it only acts through Rasa Pro's anonymisation plugin.
The processor is swapped for one that blanks the same keys before anything is rendered; the app's
transcripts keep the (redacted) text, the logs keep the event.
"""

from __future__ import annotations

import sys
from typing import Any

from rasa.utils import log_utils

# The event keys Rasa 3.6's own `_anonymizer` treats as personal, as the citizen typed them.
PERSONAL_KEYS = frozenset(
    "text response_text user_text slot_values parse_data_text parse_data_entities prediction_events tracker_latest_message"
    " prefilled_slots message response slot_candidates rasa_event rasa_events tracker_states current_states old_states"
    " successes current_entity next_entity states entity token_text user_message json_message".split()
)
REDACTED = "[redacted]"


def without_personal_values(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor: every personal key of the event replaced by a placeholder."""
    for key in PERSONAL_KEYS & event.keys():
        event[key] = REDACTED
    return event


def main() -> None:
    log_utils._anonymizer = without_personal_values  # read by configure_structlog when the server starts
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()

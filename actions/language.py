"""The citizen's language for this turn: as the chat API sent it, else detected."""

from __future__ import annotations

from rasa_sdk import Tracker

from knowledge.language import detect_language


def turn_language(tracker: Tracker) -> str:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    lang = metadata.get("lang")
    if lang in ("vi", "en"):
        return lang
    return detect_language(tracker.latest_message.get("text") or "", default=tracker.get_slot("lang") or "vi")

"""Abuse limits: requests per window (chat, search, feedback) and the sign-in back-off (docs/security.md)."""

"""Dossiers: submitting a confirmed draft to the back office, following its status, notices and reminders (docs/dossiers.md)."""

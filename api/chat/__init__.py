"""Citizen conversations: turns through Rasa, stored transcripts, feedback."""

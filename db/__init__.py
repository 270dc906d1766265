"""Persistence: SQLAlchemy tables, engine and session, Alembic migrations."""

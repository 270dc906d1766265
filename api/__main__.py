"""``python -m api migrate`` (latest schema), ``python -m api seed-demo`` (development demo data) and
``python -m api purge`` (delete what is past its retention period, docs/privacy.md)."""

from __future__ import annotations

import sys

from api.settings import ROOT, get_settings
from db.session import migrate


def main(argv: list[str]) -> int:
    settings = get_settings()
    if argv[:1] == ["migrate"]:
        migrate(settings.database_url)
        print("database at the latest schema")
        return 0
    if argv[:1] == ["seed-demo"]:
        if settings.mode != "development":
            print("demo data is loaded in development mode only", file=sys.stderr)
            return 1
        from api.analytics.demo import seed_history
        from api.auth.staff import load_demo_staff
        from api.identity.demo_provider import load_demo_citizens
        from db.base import utcnow
        from db.session import make_engine, make_sessionmaker, session_scope

        with session_scope(make_sessionmaker(make_engine(settings.database_url))) as session:
            count = load_demo_staff(session=session, path=ROOT / "data" / "demo" / "staff.yaml")
            citizens = load_demo_citizens(session=session, path=ROOT / "data" / "demo" / "citizens.yaml")
            dossiers = _load_demo_dossiers(session, settings)  # one in each state (docs/dossiers.md)
        with session_scope(make_sessionmaker(make_engine(settings.database_url))) as session:  # the dashboard's weeks (once)
            history = seed_history(session=session, guides_dir=settings.guides_dir, now=utcnow())
        print(f"demo data: {count} staff accounts, {citizens} synthetic citizens, {history} past conversations, {dossiers} dossiers")
        return 0
    if argv[:1] == ["purge"]:
        from api.retention import purge
        from db.session import make_engine, make_sessionmaker

        engine = make_engine(settings.database_url)
        try:
            report = purge(factory=make_sessionmaker(engine), settings=settings.retention)
        finally:
            engine.dispose()
        print(f"purged: {report}")
        return 0
    print("usage: python -m api {migrate,seed-demo,purge}", file=sys.stderr)
    return 2


def _load_demo_dossiers(session, settings) -> int:  # type: ignore[no-untyped-def]
    """The demo citizens' dossiers in each state (data/demo/dossiers.yaml, docs/dossiers.md)."""
    from api.dossiers.demo import load_demo_dossiers
    from api.dossiers.runtime import make_desk
    from api.forms.templates import load_templates

    desk = make_desk(None, settings.dossiers, load_templates(settings.forms_dir), development=True)  # type: ignore[arg-type]
    return load_demo_dossiers(session=session, desk=desk, path=ROOT / "data" / "demo" / "dossiers.yaml")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

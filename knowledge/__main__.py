"""Command line: ``python -m knowledge {load-guides,import-tthc,build-index,search}``."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from api.settings import Settings, get_settings
from db.session import make_engine, make_sessionmaker, migrate, session_scope
from knowledge.guides import GuideError, load_guide_file
from knowledge.index import read_manifest
from knowledge.repository import published_guides

SEEDED = {
    "proposed": "sent for review in the editor console (the published version keeps being served)",
    "pending": "left alone, an editor's draft of it is open",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load-guides", help="load the curated YAML guides into the database")
    load.add_argument("directory", type=Path, nargs="?")
    imp = commands.add_parser("import-tthc", help="import national procedure records (<dir>/<ministry>/<code>.json)")
    imp.add_argument("directory", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="report new / changed / unchanged / invalid without writing")
    imp.add_argument("--report", type=Path, help="write the per-record problems as JSON lines here")
    imp.add_argument("--no-index", action="store_true", help="only store the records; the index (and running apps) stay as they are")
    build = commands.add_parser("build-index", help="build the search index from the published guides (from scratch)")
    build.add_argument(
        "--if-changed",
        action="store_true",
        help="re-index only the guides whose published version changed (nothing when the index is current)",
    )
    search = commands.add_parser("search", help="search the current index")
    search.add_argument("query")
    args = parser.parse_args(argv)

    settings = get_settings()
    if args.command == "search":
        return _search(args.query)
    migrate(settings.database_url)
    factory = make_sessionmaker(make_engine(settings.database_url))
    if args.command == "load-guides":
        from api.editor.seeding import seed_guide

        counts: Counter[str] = Counter()
        with session_scope(factory) as session:
            for path in sorted((args.directory or settings.guides_dir).glob("*.yaml")):
                try:
                    outcome = seed_guide(session=session, guide=load_guide_file(path), source=f"file:{path.name}")
                except GuideError as exc:
                    counts["invalid"] += 1
                    print(f"invalid: {exc}", file=sys.stderr)
                    continue
                counts[outcome] += 1
                if outcome in ("proposed", "pending"):
                    print(f"{path.name} differs from the served guide: {SEEDED[outcome]}")
        print("guides:", dict(counts))
        return 1 if counts["invalid"] else 0
    if args.command == "import-tthc":
        from knowledge.importer import import_tthc

        report = import_tthc(factory=factory, directory=args.directory, dry_run=args.dry_run, progress=True)
        print(report.summary())
        if args.report:
            args.report.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in report.problems), encoding="utf-8")
        if not args.dry_run and not args.no_index:
            _refresh(settings, factory, rebuild=False)
        return 0
    if args.command == "build-index":
        from knowledge.runtime import index_is_current

        with session_scope(factory) as session:
            guides = published_guides(session=session)
        if args.if_changed and index_is_current(settings, guides):
            print("index is current")
            return 0
        _refresh(settings, factory, rebuild=not args.if_changed)  # --if-changed re-indexes only the guides that changed
        return 0
    return 2


def _refresh(settings: Settings, factory: sessionmaker[Session], rebuild: bool) -> None:
    """Bring the index to the published set and tell running apps (the shared knowledge version)."""
    from api.editor.publishing import refresh_served_index
    from knowledge.runtime import embedder_for

    published = refresh_served_index(
        factory=factory, index_dir=settings.index_dir, embedder=embedder_for(settings, threads=2), rebuild=rebuild, progress=True
    )
    if not published.changed:
        print(f"index {published.build_id} already serves the published guides")
        return
    manifest = read_manifest(settings.index_dir)
    print(
        f"index {published.build_id}: {len(manifest['guide_versions'])} guides, {manifest['chunk_count']} chunks, "
        f"{manifest['card_count']} cards, {len(published.changed)} re-indexed in {published.seconds['total']:.2f} s; "
        f"knowledge version {published.knowledge_version} (running apps reload it)"
    )


def _search(query: str) -> int:
    from knowledge.runtime import open_service

    outcome = open_service(get_settings()).search(query)
    print(outcome.status, outcome.notices)
    for hit in outcome.hits:
        print(f"  {hit.code:12} {hit.score:.4f} cov={hit.coverage:.2f} {hit.title}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

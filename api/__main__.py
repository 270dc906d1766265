"""``python -m api migrate``: bring the configured database to the latest schema."""

from __future__ import annotations

import sys

from api.settings import get_settings
from db.session import migrate


def main(argv: list[str]) -> int:
    if argv[:1] != ["migrate"]:
        print("usage: python -m api migrate", file=sys.stderr)
        return 2
    migrate(get_settings().database_url)
    print("database at the latest schema")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

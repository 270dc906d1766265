"""Every table module, imported once so that metadata (and Alembic) sees the whole schema.

A feature that adds tables in its own module adds one import line here.
"""

import db.dossiers  # noqa: F401
import db.editorial  # noqa: F401
import db.handoff  # noqa: F401
import db.identity  # noqa: F401
import db.retention  # noqa: F401
from db import models, staff  # noqa: F401

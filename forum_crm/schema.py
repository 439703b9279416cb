"""The schema's revision: which Alembic revisions this code knows, and which one a database is at.

Used by /healthz (migrations at head?), by backups (the revision a backup was taken at), and by
`flask db upgrade`, which refuses a database at a revision this code does not know (a newer release's).
"""

import functools
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


@functools.cache
def scripts() -> ScriptDirectory:
    """The migrations shipped with this code (read once per process)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def code_heads() -> frozenset[str]:
    """The newest revision(s) this code knows: a database at these is up to date."""
    return frozenset(scripts().get_heads())


def known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in scripts().walk_revisions())


def previous_revision() -> str:
    """The revision just before the (single) head: the schema of the previous release."""
    (head,) = code_heads()
    down = scripts().get_revision(head).down_revision
    return down if isinstance(down, str) else sorted(down)[0]


def database_revisions(connection: sa.Connection) -> frozenset[str]:
    """The revision(s) the database is at; empty for a database the migrations never ran on."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def unknown_revisions(revisions: frozenset[str]) -> frozenset[str]:
    """Those of `revisions` this code does not know: the database was made by a newer release (or another app)."""
    return revisions - known_revisions()


def newer_schema_message(revisions: frozenset[str]) -> str:
    """Why the migrations refuse to run on a database at an unknown revision, and what to do."""
    return (f"The database is at revision {', '.join(sorted(revisions))}, which this version of forum-crm does not "
            f"know (it knows up to {', '.join(sorted(code_heads()))}). It was upgraded by a newer release: deploy "
            "that release (or restore a backup taken before the upgrade); nothing was changed.")

"""A database too busy to write in time: a 503 "try again in a moment" page rather than a 500."""

import sqlite3

import sqlalchemy as sa
from flask import render_template

from forum_crm.extensions import db

RETRY_AFTER_SECONDS = 10
# PostgreSQL: lock_timeout ran out, a serializable transaction or a deadlock lost to another one.
POSTGRESQL_BUSY = frozenset({"55P03", "40001", "40P01"})
SQLITE_BUSY = ("database is locked", "database table is locked", "database schema is locked")


def is_busy(error: sa.exc.OperationalError) -> bool:
    """True if the database refused the statement because another transaction held a lock it needed."""
    original = error.orig
    if getattr(original, "sqlstate", None) in POSTGRESQL_BUSY:
        return True
    return isinstance(original, sqlite3.OperationalError) and str(original) in SQLITE_BUSY


def database_busy(error: sa.exc.OperationalError):
    """Error handler: a lock waited for too long answers 503 with Retry-After; other errors go on to the 500 page."""
    if not is_busy(error):
        raise error
    db.session.rollback()  # nothing of the refused request is kept
    return render_template("database_busy.html"), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}

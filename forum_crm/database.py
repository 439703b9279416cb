"""How a request's transaction ends: a database too busy to write in time gives a 503 "try again in a moment" page
rather than a 500; a request that only read ends with COMMIT."""

import sqlite3

import sqlalchemy as sa
from flask import render_template

from forum_crm.extensions import db
from forum_crm.kept import wrote_anything

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


def end_reading_transaction(exception: BaseException | None) -> None:
    """At the end of a request that wrote nothing, end its transaction with COMMIT: for a transaction that only read,
    the same as the ROLLBACK the session would send, but psycopg forgets the statements it prepared on a connection
    at each ROLLBACK, so on PostgreSQL every page's statements were parsed anew on every request. A
    request that failed, or wrote anything it did not commit, is still rolled back."""
    if exception is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    if not wrote_anything(session.connection()):
        session.expire_on_commit = False  # as when rolled back: the session's records keep what they loaded
        session.commit()

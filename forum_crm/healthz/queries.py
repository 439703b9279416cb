"""The checks behind /healthz. Each says "ok" or "fail" and gives numbers, never personal data."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models.base import as_utc, utcnow
from forum_crm.outbox.queries import backlog, last_run
from forum_crm.outbox.worker import WORKER_NAME
from forum_crm.schema import code_heads, database_revisions

# A message due for longer than this means the mail worker is not running (or cannot keep up).
MAIL_LATE = timedelta(minutes=15)
OK, FAIL = "ok", "fail"


def health() -> dict:
    """{"status": "ok" | "fail", "checks": {...}}: the database answers and is at the code's schema revision,
    and no e-mail has waited for the worker for longer than MAIL_LATE."""
    try:
        with db.engine.connect() as connection:
            revisions = database_revisions(connection)
        checks = {"database": {"status": OK}, "migrations": _migrations(revisions), **_mail(utcnow())}
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        checks = {"database": {"status": FAIL, "error": "the database cannot be reached"}}
    status = OK if all(check["status"] == OK for check in checks.values()) else FAIL
    return {"status": status, "checks": checks}


def _migrations(revisions: frozenset[str]) -> dict:
    expected = code_heads()
    return {"status": OK if revisions == expected else FAIL, "database": sorted(revisions), "code": sorted(expected)}


def _mail(now: datetime) -> dict:
    due, oldest = backlog(now)
    last = last_run(WORKER_NAME)
    waiting = (now - as_utc(oldest)).total_seconds() if oldest is not None else 0
    return {
        "mail_worker": {"status": OK, "last_run_at": as_utc(last).isoformat() if last else None,
                        "seconds_since_last_run": round((now - as_utc(last)).total_seconds()) if last else None},
        "outbox": {"status": FAIL if waiting > MAIL_LATE.total_seconds() else OK, "due": due,
                   "oldest_due_seconds": round(waiting)},
    }

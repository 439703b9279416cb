"""Counting login attempts from views: the attempt is committed before the password is checked, so parallel
requests cannot all slip under the limit; a busy database refuses the attempt instead of answering 500."""

import sqlalchemy as sa
from flask import current_app

from forum_crm.auth.services import record_login_attempt
from forum_crm.extensions import db
from forum_crm.models import LoginAttempt


def record_attempt(email: str, address: str | None) -> list[LoginAttempt] | None:
    """Record a login about to be tried, committed before the password is checked; None if the database is busy.

    An attempt that cannot be counted is never evaluated.
    """
    try:
        attempt = record_login_attempt(email, address)
        db.session.commit()
    except sa.exc.OperationalError:
        db.session.rollback()
        current_app.logger.warning("A login attempt could not be recorded (database busy); it was refused")
        return None
    return attempt


def commit_if_possible() -> None:
    """Commit what follows a recorded attempt; if the database is busy, the attempt still counts as a failure."""
    try:
        db.session.commit()
    except sa.exc.OperationalError:
        db.session.rollback()
        current_app.logger.warning("A security log entry could not be written (database busy)")

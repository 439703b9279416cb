"""Who may open which page and change which record: deny by default.

Every view declares its audience with @public or @allow(roles); a view that declares nothing is
refused to everyone, so a forgotten check fails closed. The check runs before every request.
Views that change a record also check it: can_edit_organisation, can_edit_person (403 otherwise).
"""

import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum_crm.auth.services import log_event
from forum_crm.extensions import db, login_manager
from forum_crm.models import Affiliation, AuthEventKind, Organisation, Person, Role, User

ALL_ROLES = frozenset(Role)
# Sensitive actions (role changes, exports of personal data) need the password typed this recently.
RECENT_PASSWORD = timedelta(minutes=10)
PASSWORD_CONFIRMED_AT = "password_confirmed_at"  # session key: when the password was last typed (epoch seconds)


def public(view: Callable) -> Callable:
    """Open to anyone, logged in or not."""
    view.is_public = True
    return view


def allow(*roles: Role) -> Callable[[Callable], Callable]:
    """Open to logged-in users with one of these roles."""

    def decorate(view: Callable) -> Callable:
        view.allowed_roles = frozenset(roles)
        return view

    return decorate


def enforce_access():
    """before_request: log in first, then the view's roles; views that declare none are refused."""
    if request.endpoint is None or request.endpoint == "static":
        return None  # unknown URLs get their 404, static files are public
    view = current_app.view_functions[request.endpoint]
    if getattr(view, "is_public", False):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in getattr(view, "allowed_roles", ()):
        abort(403)
    return None


def is_safe_redirect(target: str | None) -> bool:
    """True for a path on this site ("/people?page=2"); False for other hosts and tricks like "//evil"."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


# Per-object permissions: the role lets a user open a page, these decide which records they may change.

def can_edit_organisation(user: User, organisation: Organisation) -> bool:
    """Coordinators edit every organisation; an org_editor edits their own while it is not archived."""
    if user.role == Role.COORDINATOR:
        return True
    return (user.role == Role.ORG_EDITOR and user.organisation_id == organisation.id
            and organisation.archived_at is None)


def can_edit_person(user: User, person: Person) -> bool:
    """Coordinators edit everyone; an org_editor the people who now work at their organisation;
    anyone their own person record. Nobody but the coordinator edits an anonymised record."""
    if user.role == Role.COORDINATOR:
        return True
    if person.anonymised_at is not None:
        return False
    if user.person_id == person.id:
        return True
    return (user.role == Role.ORG_EDITOR and user.organisation_id is not None
            and user.organisation.archived_at is None and _works_at(person.id, user.organisation_id))


def _works_at(person_id: int, organisation_id: int) -> bool:
    """The person has a current affiliation with the organisation."""
    return db.session.scalar(sa.select(sa.exists().where(
        Affiliation.person_id == person_id, Affiliation.organisation_id == organisation_id,
        Affiliation.is_current))) or False


def is_coordinator() -> bool:
    """The logged-in user is a coordinator."""
    return current_user.is_authenticated and current_user.role == Role.COORDINATOR


def is_org_editor() -> bool:
    """The logged-in user keeps an organisation's profile up to date."""
    return current_user.is_authenticated and current_user.role == Role.ORG_EDITOR


def require(allowed: bool) -> None:
    """Refuse the request (403) unless a per-object permission holds."""
    if not allowed:
        abort(403)


def refused_access(_error):
    """Error handler for 403: record the refusal in the security log, then show the error page."""
    db.session.rollback()  # nothing the refused request did is kept
    log_event(AuthEventKind.ACCESS_REFUSED,
              user=current_user._get_current_object() if current_user.is_authenticated else None)
    db.session.commit()
    return render_template("error.html", code=403), 403


# Re-authentication before sensitive actions

def mark_password_confirmed() -> None:
    """The user has just typed their password (at login, or to confirm it)."""
    session[PASSWORD_CONFIRMED_AT] = int(time.time())


def has_recent_password() -> bool:
    confirmed = session.get(PASSWORD_CONFIRMED_AT)
    return isinstance(confirmed, int) and time.time() - confirmed < RECENT_PASSWORD.total_seconds()


def recent_password_required(view: Callable) -> Callable:
    """Decorator for sensitive views: the password must have been typed in the last RECENT_PASSWORD.

    Otherwise the user is sent to confirm it and comes back to the page (a form must be sent again).
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not has_recent_password():
            return confirm_password_first()
        return view(*args, **kwargs)

    return wrapped


def confirm_password_first() -> Response:
    """A redirect to confirm the password, coming back to this page afterwards."""
    flash(_("Please confirm your password to continue."), "info")
    return redirect(url_for("me.confirm_password", next=request.full_path.rstrip("?")))

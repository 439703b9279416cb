"""Who may open which page: deny by default.

Every view declares its audience with @public or @allow(roles); a view that declares nothing is
refused to everyone, so a forgotten check fails closed. The check runs before every request.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask_login import current_user

from forum_crm.extensions import login_manager
from forum_crm.models import Role

ALL_ROLES = frozenset(Role)


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

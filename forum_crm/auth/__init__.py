"""Login, logout, accounts and permissions."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from forum_crm.auth import routes  # noqa: E402,F401  (registers the views)

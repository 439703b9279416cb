"""The coordinator's accounts: who may log in, in which role; invitations by e-mail."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from forum_crm.accounts import routes  # noqa: E402,F401  (registers the views)

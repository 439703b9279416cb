"""Read-only numbers about the network and their renderings."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from forum_crm.reports import routes  # noqa: E402,F401  (registers the views)

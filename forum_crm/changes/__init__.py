"""The change log: recording who changed what, and showing it."""

from flask import Blueprint

bp = Blueprint("changes", __name__)

from forum_crm.changes import routes  # noqa: E402,F401  (registers the views)

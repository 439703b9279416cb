"""The directory: organisations, people and who works where."""

from flask import Blueprint

bp = Blueprint("directory", __name__)

from forum_crm.directory import routes  # noqa: E402,F401  (registers the views)

"""Spreadsheet imports (organisations, people, attendance lists) and exports (CSV and XLSX)."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from forum_crm.imports import routes  # noqa: E402,F401  (registers the views)

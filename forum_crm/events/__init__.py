"""Forum editions: programme, panels, partners, participants and the door check-in."""

from flask import Blueprint

bp = Blueprint("events", __name__)

from forum_crm.events import routes  # noqa: E402,F401  (registers the views)

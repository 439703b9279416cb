"""Places: the gazetteer of Polish places, stored towns and (later) the member map."""

from flask import Blueprint

bp = Blueprint("mapping", __name__)

from forum_crm.mapping import routes  # noqa: E402,F401  (registers the views)

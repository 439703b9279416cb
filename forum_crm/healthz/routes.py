"""GET /healthz: 200 when this server can serve (database reachable, schema at the code's revision, e-mail
leaving), 503 otherwise; the JSON body says which check failed. Public, and it holds no personal data."""

from flask import Blueprint, jsonify

from forum_crm.auth.permissions import public
from forum_crm.healthz.queries import OK, health

bp = Blueprint("healthz", __name__, url_prefix="/healthz")


@bp.route("")
@public
def status():
    report = health()
    response = jsonify(report)
    response.status_code = 200 if report["status"] == OK else 503
    response.headers["Cache-Control"] = "no-store"
    return response

"""The recent-changes page."""

from flask import render_template, request

from forum_crm.auth.permissions import allow
from forum_crm.changes import bp
from forum_crm.changes.queries import ENTITY_TYPES, recent_changes
from forum_crm.extensions import db
from forum_crm.models import Role

PER_PAGE = 50


@bp.route("/changes")
@allow(Role.COORDINATOR)
def recent():
    entity_type = request.args.get("type") if request.args.get("type") in ENTITY_TYPES else None
    page = db.paginate(recent_changes(entity_type), per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    return render_template("changes/recent.html", page=page, entity_type=entity_type, entity_types=ENTITY_TYPES)

"""The start page (/): what each role sees first."""

from flask import Blueprint, render_template
from flask_login import current_user

from forum_crm.auth.permissions import ALL_ROLES, allow
from forum_crm.home.queries import coordinator_cards, missing_fields, upcoming_editions
from forum_crm.labels import OUTBOX_STATES
from forum_crm.models import Role
from forum_crm.people.queries import current_people
from forum_crm.reports.queries import network_numbers

bp = Blueprint("home", __name__)


@bp.route("/")
@allow(*ALL_ROLES)
def index():
    """The coordinator's day (cards of work to do), an editor's profile and people, a member's editions and map."""
    if current_user.role == Role.COORDINATOR:
        return render_template("home/index.html", coordinator_cards=coordinator_cards(), numbers=network_numbers(),
                               outbox_states=OUTBOX_STATES)
    if current_user.role == Role.ORG_EDITOR:
        organisation = current_user.organisation
        return render_template("home/index.html", missing=missing_fields(organisation),
                               people=current_people(organisation.id), editions=upcoming_editions())
    return render_template("home/index.html", numbers=network_numbers(), editions=upcoming_editions())

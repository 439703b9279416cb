"""The start page (/): what each role sees first."""

from flask import Blueprint, render_template

from forum_crm.auth.permissions import ALL_ROLES, allow
from forum_crm.reports.queries import network_numbers

bp = Blueprint("home", __name__)


@bp.route("/")
@allow(*ALL_ROLES)
def index():
    return render_template("home/index.html", numbers=network_numbers())



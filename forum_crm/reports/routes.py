"""Pages of the reports blueprint."""

from flask import render_template

from forum_crm.auth.permissions import ALL_ROLES, allow
from forum_crm.reports import bp
from forum_crm.reports.queries import network_numbers


@bp.route("/")
@allow(*ALL_ROLES)
def home():
    return render_template("reports/home.html", numbers=network_numbers())

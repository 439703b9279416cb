"""The coordinator's duplicate finder: likely duplicate people and organisations, each pair with its reasons."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from forum_crm.auth.permissions import allow
from forum_crm.duplicates import queries
from forum_crm.duplicates.services import dismiss_pair
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.models import DuplicateKind, Organisation, Person, Role
from forum_crm.pagination import paginate

bp = Blueprint("duplicates", __name__, url_prefix="/duplicates")


@bp.route("/people")
@allow(Role.COORDINATOR)
def person_pairs():
    page = paginate(queries.person_pairs())
    return render_template("duplicates/pairs.html", page=page, pairs=queries.people_of_pairs(page.items),
                           kind="person", labels=queries.PERSON_REASONS, confirm=ConfirmForm())


@bp.route("/organisations")
@allow(Role.COORDINATOR)
def organisation_pairs():
    page = paginate(queries.organisation_pairs())
    return render_template("duplicates/pairs.html", page=page, pairs=queries.organisations_of_pairs(page.items),
                           kind="organisation", labels=queries.ORGANISATION_REASONS, confirm=ConfirmForm())


def _dismiss(kind: DuplicateKind, model: type[Person] | type[Organisation], first_id: int, second_id: int,
             endpoint: str):
    first, second = db.get_or_404(model, first_id), db.get_or_404(model, second_id)
    if first.id == second.id or not ConfirmForm().validate_on_submit():
        abort(400)
    dismiss_pair(kind, first.id, second.id)
    db.session.commit()
    flash(_("%(first)s and %(second)s are no longer shown as duplicates.", first=first, second=second), "success")
    return redirect(url_for(endpoint))


@bp.route("/people/<id:first_id>/<id:second_id>/dismiss", methods=["POST"])
@allow(Role.COORDINATOR)
def person_dismiss(first_id: int, second_id: int):
    return _dismiss(DuplicateKind.PERSON, Person, first_id, second_id, ".person_pairs")


@bp.route("/organisations/<id:first_id>/<id:second_id>/dismiss", methods=["POST"])
@allow(Role.COORDINATOR)
def organisation_dismiss(first_id: int, second_id: int):
    return _dismiss(DuplicateKind.ORGANISATION, Organisation, first_id, second_id, ".organisation_pairs")

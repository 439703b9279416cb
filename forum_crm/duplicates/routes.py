"""The coordinator's duplicate finder: likely duplicate people and organisations, each pair with its reasons."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from forum_crm.auth.permissions import allow
from forum_crm.duplicates import queries
from forum_crm.duplicates.forms import MergeForm
from forum_crm.duplicates.merging import MERGE_FIELDS, UNDO_WITHIN, can_undo, merge_people
from forum_crm.duplicates.services import dismiss_pair
from forum_crm.duplicates.undoing import undo_merge_and_say
from forum_crm.editing import show_problem
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.models import DuplicateKind, Organisation, Person, PersonMerge, Role
from forum_crm.models.base import utcnow
from forum_crm.pagination import paginate

bp = Blueprint("duplicates", __name__, url_prefix="/duplicates")


@bp.route("/people")
@allow(Role.COORDINATOR)
def person_pairs():
    page = paginate(queries.person_pairs(), count_once=True)
    return render_template("duplicates/pairs.html", page=page, pairs=queries.people_of_pairs(page.items),
                           kind="person", labels=queries.PERSON_REASONS, confirm=ConfirmForm())


@bp.route("/organisations")
@allow(Role.COORDINATOR)
def organisation_pairs():
    page = paginate(queries.organisation_pairs(), count_once=True)
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


@bp.route("/people/<id:first_id>/<id:second_id>/merge", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def person_merge(first_id: int, second_id: int):
    """Side by side: choose the record that stays and, field by field, which value it keeps."""
    people = {"first": db.get_or_404(Person, first_id), "second": db.get_or_404(Person, second_id)}
    if first_id == second_id:
        abort(404)
    form = MergeForm()
    if form.validate_on_submit():
        kept = people[form.kept.data]
        other = people["second" if form.kept.data == "first" else "first"]
        name = other.full_name
        try:
            merge_people(kept, other, form.take_from_other())
            db.session.commit()
        except FieldProblem as problem:
            show_problem(form, problem)
        else:
            flash(_("Merged: %(name)s is now part of this record.", name=name), "success")
            return redirect(url_for("people.person_detail", id=kept.id))
    return render_template("duplicates/merge.html", form=form, people=people, fields=MERGE_FIELDS,
                           participations=queries.participation_counts([first_id, second_id])), \
        422 if form.errors else 200


@bp.route("/merges")
@allow(Role.COORDINATOR)
def merge_list():
    """The merges of the last UNDO_WITHIN days, each with its undo."""
    page = paginate(queries.recent_merges(utcnow() - UNDO_WITHIN))
    return render_template("duplicates/merges.html", page=page, can_undo=can_undo, confirm=ConfirmForm())


@bp.route("/merges/<id:merge_id>/undo", methods=["POST"])
@allow(Role.COORDINATOR)
def merge_undo(merge_id: int):
    merge = db.get_or_404(PersonMerge, merge_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person = undo_merge_and_say(merge)
    if person is None:
        return redirect(url_for(".merge_list"))
    return redirect(url_for("people.person_detail", id=person.id))

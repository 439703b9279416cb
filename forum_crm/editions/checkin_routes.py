"""The door check-in of an edition: a day, a search, a tap per person, walk-ins, undo."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from forum_crm.auth.permissions import allow
from forum_crm.editing import show_problem
from forum_crm.editions.checkin_forms import CheckInForm, WalkInForm, edition_day
from forum_crm.editions.participation import add_walk_in, check_in, undo_check_in
from forum_crm.editions.participation_queries import (
    checked_in_count,
    checkin_search,
    default_checkin_day,
    participation_of,
    recent_checkins,
    today,
)
from forum_crm.editions.routes import bp
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.models import Edition, Person, Role
from forum_crm.text import fold

# Check-in at the door

def _checkin_page(edition: Edition, day_text: str | None, typed: str, status: int = 200, error: str | None = None,
                  walk_in_form: WalkInForm | None = None):
    """The door check-in: the day, the search and its results, the walk-in form and the day's tally."""
    day = edition_day(edition, day_text)
    if day is None:
        error = error or (_("Choose one of the days of this edition.") if day_text else None)
        day = default_checkin_day(edition)
    walk_in_form = walk_in_form or WalkInForm(edition, formdata=None)
    walk_in_form.day.data, walk_in_form.q.data = day.isoformat(), typed
    return render_template(
        "editions/checkin.html", edition=edition, day=day, today=today(), typed=typed, error=error,
        search=checkin_search(edition, typed, day) if fold(typed) else None, walk_in_form=walk_in_form,
        checked_in=checked_in_count(edition.id, day), recent=recent_checkins(edition.id, day)), status


def _checkin_refused(edition: Edition, form: CheckInForm, status: int = 422):
    """The check-in page again after a refused POST, saying why; nothing was saved."""
    return _checkin_page(edition, form.day.data, form.q.data or "", status,
                         error=form.day.errors[0] if form.day.errors else None,
                         walk_in_form=form if isinstance(form, WalkInForm) else None)


def _back_to_checkin(form: CheckInForm, message: str, typed: str | None = None):
    flash(message, "success")
    return redirect(url_for(".checkin", id=form.edition.id, day=form.day.data, q=typed))


@bp.route("/<id:id>/checkin")
@allow(Role.COORDINATOR)
def checkin(id: int):
    return _checkin_page(db.get_or_404(Edition, id), request.args.get("day"), request.args.get("q", ""))


@bp.route("/<id:id>/checkin/<id:person_id>", methods=["POST"])
@allow(Role.COORDINATOR)
def checkin_person(id: int, person_id: int):
    edition = db.get_or_404(Edition, id)
    person = db.get_or_404(Person, person_id)
    form = CheckInForm(edition)
    if not form.validate_on_submit():
        return _checkin_refused(edition, form)
    try:
        added = check_in(edition, person.id, form.chosen_day)
    except LookupError:
        abort(404)  # an anonymised person
    except FieldProblem as problem:
        show_problem(form, problem)
        return _checkin_refused(edition, form)
    db.session.commit()
    values = {"name": person.full_name, "day": format_date(form.chosen_day, "full")}
    return _back_to_checkin(form, _("Checked in: %(name)s, %(day)s.", **values) if added
                            else _("%(name)s was already checked in on %(day)s.", **values), form.q.data)


@bp.route("/<id:id>/checkin/<id:person_id>/undo", methods=["POST"])
@allow(Role.COORDINATOR)
def checkin_undo(id: int, person_id: int):
    edition = db.get_or_404(Edition, id)
    participation = participation_of(id, person_id)
    if participation is None:
        abort(404)
    form = CheckInForm(edition)
    if not form.validate_on_submit():
        return _checkin_refused(edition, form)
    try:
        undone = undo_check_in(participation, form.chosen_day)
    except FieldProblem as problem:
        show_problem(form, problem)
        return _checkin_refused(edition, form)
    db.session.commit()
    values = {"name": participation.person.full_name, "day": format_date(form.chosen_day, "full")}
    return _back_to_checkin(form, _("Check-in undone: %(name)s, %(day)s.", **values) if undone
                            else _("%(name)s was not checked in on %(day)s.", **values), form.q.data)


@bp.route("/<id:id>/checkin/walk-in", methods=["POST"])
@allow(Role.COORDINATOR)
def checkin_walk_in(id: int):
    edition = db.get_or_404(Edition, id)
    form = WalkInForm(edition)
    if not form.validate_on_submit():
        return _checkin_refused(edition, form)
    for attempt in range(2):
        try:
            person, added = add_walk_in(edition, form.data_for_service(), form.chosen_day)
            db.session.commit()
            break
        except FieldProblem as problem:
            show_problem(form, problem)
            return _checkin_refused(edition, form)
        except IntegrityError:  # the same walk-in submitted twice at once, or another person with this e-mail
            db.session.rollback()
            if attempt:
                form.email.errors.append(_("Another person has this e-mail address."))
                return _checkin_refused(edition, form, 409)
    values = {"name": person.full_name, "day": format_date(form.chosen_day, "full")}
    return _back_to_checkin(form, _("Added and checked in: %(name)s, %(day)s.", **values) if added
                            else _("%(name)s was added a moment ago: checked in, %(day)s.", **values))

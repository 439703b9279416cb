"""The door check-in of an edition: a day, a search, a tap per person, a scanned badge, walk-ins, undo.

Every POST answers JSON to the page's own script (static/js/checkin.js asks with Accept: application/json) and
redirects back to the page for a plain form, so the page works the same without JavaScript.
"""

from flask import (
    abort,
    flash,
    get_flashed_messages,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from forum_crm.auth.permissions import allow
from forum_crm.editing import show_problem, wants_json
from forum_crm.editions.badges import BadgeRefused, participation_id_of
from forum_crm.editions.checkin_forms import BadgeCheckInForm, CheckInForm, WalkInForm, edition_day
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
from forum_crm.models import Edition, Participation, Person, Role
from forum_crm.text import fold

SHOWN_FIELDS = ("first_name", "last_name", "email", "role")  # the walk-in's: its errors in JSON name the field
DAY_COOKIE = "checkin_day"  # the day this device checks in for: "YYYY-MM-DD/YYYY-MM-DD" (the day, when chosen)


def _remembered_day(edition: Edition) -> str | None:
    """The day chosen on this device for this edition's door (the cookie's path is the edition's), if it was chosen
    today and is still one of the edition's days."""
    day, _sep, chosen_on = request.cookies.get(DAY_COOKIE, "").partition("/")
    return day if chosen_on == today().isoformat() and edition_day(edition, day) else None


def _checkin_page(edition: Edition, day_text: str | None, typed: str, status: int = 200, error: str | None = None,
                  walk_in_form: WalkInForm | None = None):
    """The door check-in: the day, the search and its results, the walk-in form and the day's tally."""
    day = edition_day(edition, day_text)
    if day is None:
        error = error or (_("Choose one of the days of this edition.") if day_text else None)
        day = default_checkin_day(edition)
    walk_in_form = walk_in_form or WalkInForm(edition, formdata=None)
    walk_in_form.day.data = day.isoformat()
    return render_template(
        "editions/checkin.html", edition=edition, day=day, day_chosen=bool(day_text), today=today(), typed=typed,
        error=error,
        search=checkin_search(edition, typed, day) if fold(typed) else None, walk_in_form=walk_in_form,
        tally=tally(checked_in_count(edition.id, day)), recent=recent_checkins(edition.id, day)), status


def _checkin_refused(edition: Edition, form: CheckInForm, status: int = 422):
    """After a refused POST: the page again saying why (or, to the script, the reasons as JSON); nothing was saved."""
    if wants_json():
        messages = [f"{form[name].label.text}: {message}" if name in SHOWN_FIELDS else str(message)
                    for name, errors in form.errors.items() for message in errors]
        messages += get_flashed_messages(category_filter=["error"])
        return jsonify(ok=False, message=" ".join(messages) or _("Nothing was saved: reload the page.")), status
    return _checkin_page(edition, form.day.data, form.q.data or "", status,
                         error=form.day.errors[0] if form.day.errors else None,
                         walk_in_form=form if isinstance(form, WalkInForm) else None)


def _done(form: CheckInForm, message: str, typed: str | None = None, **answer):
    """After a saved POST: to the script, the message and the day's new tally; otherwise back to the page."""
    if wants_json():
        count = checked_in_count(form.edition.id, form.chosen_day)
        return jsonify(ok=True, message=message, count=count, tally=tally(count), **answer)
    flash(message, "success")
    return redirect(url_for(".checkin", id=form.edition.id, day=form.day.data, q=typed))


def tally(count: int) -> str:
    """The day's count as the page shows it above the search box."""
    return ngettext("%(num)s person checked in on this day", "%(num)s people checked in on this day", count)


@bp.route("/<id:id>/checkin")
@allow(Role.COORDINATOR)
def checkin(id: int):
    edition = db.get_or_404(Edition, id)
    chosen = request.args.get("day")
    response = _checkin_page(edition, chosen or _remembered_day(edition), request.args.get("q", ""))
    if chosen and edition_day(edition, chosen):  # this device checks in for this day until another is chosen
        response = make_response(response)
        response.set_cookie(DAY_COOKIE, f"{chosen}/{today().isoformat()}", max_age=24 * 3600, httponly=True,
                            samesite="Lax", path=url_for(".checkin", id=id))
    return response


def _check_in(edition: Edition, form: CheckInForm, person: Person):
    """Check `person` in for the form's day (the tap on a result and the scanned badge both end here)."""
    try:
        added = check_in(edition, person.id, form.chosen_day)
    except LookupError:
        abort(404)  # an anonymised person
    except FieldProblem as problem:
        show_problem(form, problem)
        return _checkin_refused(edition, form)
    db.session.commit()
    values = {"name": person.full_name, "day": format_date(form.chosen_day, "full")}
    return _done(form, _("Checked in: %(name)s, %(day)s.", **values) if added
                 else _("%(name)s was already checked in on %(day)s.", **values), added=added)


@bp.route("/<id:id>/checkin/<id:person_id>", methods=["POST"])
@allow(Role.COORDINATOR)
def checkin_person(id: int, person_id: int):
    edition = db.get_or_404(Edition, id)
    person = db.get_or_404(Person, person_id)
    form = CheckInForm(edition)
    if not form.validate_on_submit():
        return _checkin_refused(edition, form)
    return _check_in(edition, form, person)


BADGE_REFUSALS = {
    "invalid": lambda: _("This code is not a badge of this forum, or it has been altered."),
    "other_edition": lambda: _("This badge is for another edition of the Forum."),
}


@bp.route("/<id:id>/checkin/badge", methods=["POST"])
@allow(Role.COORDINATOR)
def checkin_badge(id: int):
    edition = db.get_or_404(Edition, id)
    form = BadgeCheckInForm(edition)
    if not form.validate_on_submit():
        return _checkin_refused(edition, form)
    try:
        participation = db.session.get(Participation, participation_id_of(form.token.data, edition.id))
    except BadgeRefused as refused:
        form.token.errors.append(BADGE_REFUSALS[refused.reason]())
        return _checkin_refused(edition, form)
    if participation is None or participation.person.anonymised_at:
        form.token.errors.append(_("The person on this badge is no longer on the list of this edition."))
        return _checkin_refused(edition, form)
    return _check_in(edition, form, participation.person)


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
    return _done(form, _("Check-in undone: %(name)s, %(day)s.", **values) if undone
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
    return _done(form, _("Added and checked in: %(name)s, %(day)s.", **values) if added
                 else _("%(name)s was added a moment ago: checked in, %(day)s.", **values), added=added)

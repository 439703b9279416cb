"""Pages of data protection (/gdpr): the privacy notice (everyone logged in); for the coordinator a person's data
as one download, anonymising a person, the requests to erase and the people past the retention period."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from forum_crm.auth.permissions import ALL_ROLES, allow, recent_password_required
from forum_crm.extensions import db
from forum_crm.gdpr import queries
from forum_crm.gdpr.access import send_data_of
from forum_crm.gdpr.erasure import anonymise, decline_request
from forum_crm.gdpr.forms import DeclineForm, EraseForm, RequestFilterForm
from forum_crm.gdpr.places import PLACES
from forum_crm.gdpr.retention import people_past_retention
from forum_crm.models import ErasureRequest, ErasureState, Person, Role
from forum_crm.pagination import paginate

bp = Blueprint("gdpr", __name__, url_prefix="/gdpr")


@bp.route("/privacy")
@allow(*ALL_ROLES)
def privacy():
    """What the Forum stores about people, why, who sees it, how long, where it goes, and each right."""
    return render_template("gdpr/privacy.html")


@bp.route("/people/<id:id>/export.zip")
@allow(Role.COORDINATOR)
@recent_password_required
def person_export(id: int):
    """Everything about one person, for their request of access (Art. 15) or portability (Art. 20)."""
    return send_data_of(db.get_or_404(Person, id)) or redirect(url_for("people.person_detail", id=id))


@bp.route("/people/<id:id>/erase", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
@recent_password_required
def person_erase(id: int):
    """Asks first, naming what goes (and the organisation left without an editor); then anonymises."""
    person = db.get_or_404(Person, id)
    form = EraseForm(request_id=request.args.get("request", ""))
    if person.anonymised_at is not None:
        flash(_("This person was already anonymised on %(date)s.", date=format_date(person.anonymised_at)),
              "error")
        return redirect(url_for("people.person_detail", id=id))
    orphaned = queries.organisation_left_without_editor(person.id)
    waiting = queries.waiting_request(person.id)
    if form.validate_on_submit():
        if orphaned and not form.without_editor.data:
            form.without_editor.errors.append(_("Confirm that the organisation will have no editor left."))
        else:
            anonymise(person, form.reason.data, form.reference.data, request=waiting)
            db.session.commit()
            flash(_("The person's data was erased; what is left is anonymous."), "success")
            return redirect(url_for("people.person_detail", id=id))
    return render_template("gdpr/erase.html", person=person, form=form, orphaned=orphaned, waiting=waiting,
                           places=PLACES), 422 if form.errors else 200


@bp.route("/requests")
@allow(Role.COORDINATOR)
def request_list():
    filters = RequestFilterForm(request.args)
    state = ErasureState(filters.state.data) if filters.validate() and filters.state.data else None
    return render_template("gdpr/requests.html", page=paginate(queries.erasure_requests(state)), filters=filters)


@bp.route("/requests/<id:request_id>/decline", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def request_decline(request_id: int):
    erasure_request = db.get_or_404(ErasureRequest, request_id)
    if erasure_request.state != ErasureState.REQUESTED:
        abort(404)
    form = DeclineForm()
    if form.validate_on_submit():
        decline_request(erasure_request, form.reason.data)
        db.session.commit()
        flash(_("The request was declined."), "success")
        return redirect(url_for(".request_list"))
    return render_template("gdpr/decline.html", erasure_request=erasure_request, form=form), \
        422 if form.errors else 200


@bp.route("/retention")
@allow(Role.COORDINATOR)
def retention():
    """People with no activity for longer than the retention period: anonymised by `flask gdpr retention --apply`."""
    return render_template("gdpr/retention.html", page=paginate(people_past_retention(date.today())))

"""The coordinator's pages of registration for an edition: settings, invitations, answers, waiting list, export.

The person's own pages (the personal link, asking for a new one, members registering) are in answer_routes.py.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from forum_crm.auth.permissions import allow
from forum_crm.auth.personal_data import send
from forum_crm.editing import show_problem
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.models import Edition, Participation, Role
from forum_crm.pagination import paginate
from forum_crm.registration import mailing_link  # noqa: F401  (registers the mailings' {registration_link})
from forum_crm.registration.exports import registrations_export
from forum_crm.registration.forms import STATE_LABELS, AnswersFilterForm, SettingsForm
from forum_crm.registration.queries import answers_list, choices_of, count_to_invite, settings_of, to_invite, totals
from forum_crm.registration.services import (
    RegistrationClosed,
    invite_to_reengage,
    queue_due_reminders,
    save_settings,
    send_invitations,
)
from forum_crm.spreadsheets.export import file_format

bp = Blueprint("registration", __name__, url_prefix="/registration")
# `flask send-mail` queues the reminders that have become due before sending (see outbox.worker.send_due).
bp.record_once(lambda state: state.app.extensions.setdefault("outbox_producers", []).append(queue_due_reminders))


def _settings_page(edition: Edition, form: SettingsForm, status: int = 200):
    settings = settings_of(edition.id)
    return render_template("registration/settings.html", edition=edition, form=form, settings=settings,
                           totals=totals(edition), to_invite=count_to_invite(edition.id) if settings else 0,
                           invite_form=ConfirmForm(formdata=None)), status


@bp.route("/editions/<id:id>", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def settings(id: int):
    edition = db.get_or_404(Edition, id)
    form = SettingsForm()
    if request.method == "GET":
        current = settings_of(id)
        if current:
            form.fill_from(current)
        else:
            form.opens_on.data, form.closes_on.data = None, edition.start_date
    elif form.validate_on_submit():
        try:
            save_settings(edition, form.data_for_service())
        except FieldProblem as problem:
            show_problem(form, problem)
            return _settings_page(edition, form, 422)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for(".settings", id=id))
    return _settings_page(edition, form, 422 if form.errors else 200)


def _send(edition: Edition, participations: list[Participation]):
    try:
        sent = send_invitations(edition, participations)
    except RegistrationClosed:
        flash(_("Registration is not open: set its dates first."), "error")
        return redirect(url_for(".settings", id=edition.id))
    db.session.commit()
    flash(ngettext("%(num)s invitation queued; the worker sends it.", "%(num)s invitations queued; the worker "
                   "sends them.", sent) if sent else _("Nobody to invite: everyone invited has been sent the form."),
          "success")
    return None


@bp.route("/editions/<id:id>/invitations", methods=["POST"])
@allow(Role.COORDINATOR)
def invitations_send(id: int):
    """The registration form to every invited participant who has not been sent it yet."""
    edition = db.get_or_404(Edition, id)  # the CSRF token is checked for every POST (forum_crm.extensions.csrf)
    return _send(edition, list(db.session.scalars(to_invite(id)).unique())) or redirect(url_for(".settings", id=id))


@bp.route("/editions/<id:id>/invitations/reengage", methods=["POST"])
@allow(Role.COORDINATOR)
def invitations_reengage(id: int):
    """Add the people of the organisations to re-engage to the list as invited (the form is sent separately)."""
    organisations, people = invite_to_reengage(db.get_or_404(Edition, id))
    db.session.commit()
    flash(_("Organisations to re-engage: %(organisations)s; people added to the list as invited: %(people)s.",
            organisations=organisations, people=people), "success")
    return redirect(url_for(".settings", id=id, _anchor="invite-title"))


@bp.route("/editions/<id:id>/invitations/<id:participation_id>", methods=["POST"])
@allow(Role.COORDINATOR)
def invitation_send(id: int, participation_id: int):
    """The registration form to one invited participant (again, if they lost it)."""
    edition = db.get_or_404(Edition, id)
    found = list(db.session.scalars(to_invite(id, [participation_id])).unique())
    if not found:
        flash(_("Only invited people with an e-mail address can be sent the form."), "error")
        return redirect(url_for(".answers", id=id))
    return _send(edition, found) or redirect(url_for(".answers", id=id, _anchor=f"p-{participation_id}"))


@bp.route("/editions/<id:id>/answers")
@allow(Role.COORDINATOR)
def answers(id: int):
    edition = db.get_or_404(Edition, id)
    filters = AnswersFilterForm(request.args)
    page = paginate(answers_list(id, filters.filters()))
    chosen = choices_of([participation.id for participation, _registration in page.items])
    return render_template("registration/answers.html", edition=edition, page=page, filters=filters, chosen=chosen,
                           totals=totals(edition), settings=settings_of(id), states=STATE_LABELS,
                           invite_form=ConfirmForm(formdata=None))


@bp.route("/editions/<id:id>/answers/export.<fmt>")
@allow(Role.COORDINATOR)
def answers_export(id: int, fmt: str):
    return send(registrations_export(db.get_or_404(Edition, id)), file_format(fmt))


from forum_crm.registration import answer_routes  # noqa: E402,F401

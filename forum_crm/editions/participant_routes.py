"""Pages of an edition's participants: the list, adding and inviting people, status and role, the export."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from forum_crm.auth.permissions import allow
from forum_crm.auth.personal_data import send
from forum_crm.editing import show_problem
from forum_crm.editions.exports import participants_export
from forum_crm.editions.participant_forms import (
    AddParticipantForm,
    InviteMatchingForm,
    InviteOrganisationsForm,
    InviteTownForm,
    ParticipantFilterForm,
    ParticipationForm,
)
from forum_crm.editions.participation import (
    add_participant,
    invite_matching,
    invite_organisations,
    invite_town,
    remove_participant,
    update_participation,
)
from forum_crm.editions.participation_queries import participant_list
from forum_crm.editions.queries import participant_counts
from forum_crm.editions.routes import bp
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.models import Edition, Participation, Role
from forum_crm.pagination import paginate
from forum_crm.people.queries import person_list
from forum_crm.spreadsheets.export import file_format

# Participants

LIST_ARGS = ("q", "status", "page")


def _list_args() -> dict[str, str]:
    """The participants list's search, filter and page, to come back to after saving a row."""
    return {name: request.args[name] for name in LIST_ARGS if request.args.get(name)}


def _participants_page(edition: Edition, status: int = 200, row_form: ParticipationForm | None = None, **forms):
    """The participants list with its forms (one of them with errors, after a refused POST)."""
    filters = ParticipantFilterForm(request.args)
    page = paginate(participant_list(edition.id, filters.filters()))
    row_forms = {row[0].id: ParticipationForm(row[0], formdata=None) for row in page.items}
    if row_form is not None:
        row_forms[row_form.participation.id] = row_form
    context = {
        "add_form": AddParticipantForm(formdata=None),
        "organisations_form": InviteOrganisationsForm(formdata=None), "town_form": InviteTownForm(formdata=None),
        "matching_form": InviteMatchingForm(formdata=None), **forms,
    }
    return render_template("editions/participants.html", edition=edition, page=page, filters=filters,
                           counts=participant_counts(edition.id), row_forms=row_forms, list_args=_list_args(),
                           **context), status


@bp.route("/<id:id>/participants")
@allow(Role.COORDINATOR)
def participants(id: int):
    return _participants_page(db.get_or_404(Edition, id))


@bp.route("/<id:id>/participants/add", methods=["POST"])
@allow(Role.COORDINATOR)
def participant_add(id: int):
    edition = db.get_or_404(Edition, id)
    form = AddParticipantForm()
    if not form.validate_on_submit():
        return _participants_page(edition, 422, add_form=form)
    try:
        add_participant(edition, form.person_found, *form.values())
    except FieldProblem as problem:
        show_problem(form, problem)
        return _participants_page(edition, 422, add_form=form)
    db.session.commit()
    flash(_("Added to the list: %(name)s.", name=form.person_found.full_name), "success")
    return redirect(url_for(".participants", id=id))


def _invited(edition_id: int, count: int):
    db.session.commit()
    flash(ngettext("%(num)s person invited.", "%(num)s people invited.", count) if count
          else _("Nobody new to invite: everyone chosen is already on the list."), "success")
    return redirect(url_for(".participants", id=edition_id))


@bp.route("/<id:id>/participants/invite/organisations", methods=["POST"])
@allow(Role.COORDINATOR)
def participants_invite_organisations(id: int):
    edition = db.get_or_404(Edition, id)
    form = InviteOrganisationsForm()
    if not form.validate_on_submit():
        return _participants_page(edition, 422, organisations_form=form)
    return _invited(id, invite_organisations(edition, form.found))


@bp.route("/<id:id>/participants/invite/town", methods=["POST"])
@allow(Role.COORDINATOR)
def participants_invite_town(id: int):
    edition = db.get_or_404(Edition, id)
    form = InviteTownForm()
    if not form.validate_on_submit():
        return _participants_page(edition, 422, town_form=form)
    return _invited(id, invite_town(edition, form.town_found))


@bp.route("/<id:id>/participants/invite/matching", methods=["POST"])
@allow(Role.COORDINATOR)
def participants_invite_matching(id: int):
    edition = db.get_or_404(Edition, id)
    form = InviteMatchingForm()
    if not form.validate_on_submit():
        return _participants_page(edition, 422, matching_form=form)
    return _invited(id, invite_matching(edition, person_list(form.filters()), form.criteria()))


def _participation_of(edition_id: int, participation_id: int) -> Participation:
    participation = db.get_or_404(Participation, participation_id)
    if participation.edition_id != edition_id:
        abort(404)
    return participation


@bp.route("/<id:id>/participants/<id:participation_id>", methods=["POST"])
@allow(Role.COORDINATOR)
def participant_edit(id: int, participation_id: int):
    participation = _participation_of(id, participation_id)
    form = ParticipationForm(participation)
    if not form.validate_on_submit():
        return _participants_page(participation.edition, 422, row_form=form)
    try:
        update_participation(participation, *form.values())
    except FieldProblem as problem:
        show_problem(form, problem)
        return _participants_page(participation.edition, 422, row_form=form)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".participants", id=id, **_list_args(), _anchor=f"participant-{participation_id}"))


@bp.route("/<id:id>/participants/<id:participation_id>/delete", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def participant_delete(id: int, participation_id: int):
    participation = _participation_of(id, participation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = participation.person.full_name
        remove_participant(participation)
        db.session.commit()
        flash(_("Removed from the list: %(name)s.", name=name), "success")
        return redirect(url_for(".participants", id=id))
    return render_template("editions/confirm_delete.html", edition=participation.edition, form=form,
                           participation=participation, cancel_url=url_for(".participants", id=id))


@bp.route("/<id:id>/participants/export.<fmt>")
@allow(Role.COORDINATOR)
def participant_export(id: int, fmt: str):
    return send(participants_export(db.get_or_404(Edition, id)), file_format(fmt))

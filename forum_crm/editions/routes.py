"""Pages of editions: the list and detail for everyone; the programme, panels, partners, participants and the
door check-in for the coordinator."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from forum_crm.auth.permissions import ALL_ROLES, allow, recent_password_required
from forum_crm.changelog import recent_changes
from forum_crm.editing import invalid, save_form
from forum_crm.editions.exports import participants_export
from forum_crm.editions.forms import (
    AddParticipantForm,
    CheckInForm,
    EditionForm,
    InviteMatchingForm,
    InviteOrganisationsForm,
    InviteTownForm,
    ParticipantFilterForm,
    ParticipationForm,
    PartnerForm,
    ProgrammeItemForm,
    SpeakerForm,
    WalkInForm,
    edition_day,
)
from forum_crm.editions.participation import (
    add_participant,
    add_walk_in,
    check_in,
    invite_matching,
    invite_organisations,
    invite_town,
    remove_participant,
    undo_check_in,
    update_participation,
)
from forum_crm.editions.participation_queries import (
    checked_in_count,
    checkin_search,
    default_checkin_day,
    participant_list,
    participation_of,
    recent_checkins,
    today,
)
from forum_crm.editions.queries import (
    edition_partners,
    edition_with_programme,
    editions_with_counts,
    next_edition_number,
    participant_counts,
    programme_by_day,
    programme_item_with_speakers,
)
from forum_crm.editions.services import (
    add_partner,
    add_programme_item,
    add_speaker,
    remove_partner,
    remove_programme_item,
    remove_speaker,
    save_edition,
    update_programme_item,
)
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.models import Edition, PanelSpeaker, Participation, Partnership, Person, ProgrammeItem, Role
from forum_crm.pagination import paginate
from forum_crm.people.queries import person_list
from forum_crm.spreadsheets.export import file_format, send
from forum_crm.text import fold

bp = Blueprint("editions", __name__, url_prefix="/editions")

HISTORY_ON_PAGE = 20


# Editions

@bp.route("")
@allow(*ALL_ROLES)
def edition_list():
    return render_template("editions/edition_list.html", page=paginate(editions_with_counts()),
                           can_edit=current_user.role == Role.COORDINATOR)


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edition_new():
    form = EditionForm()
    if form.validate_on_submit():
        return save_form(form, lambda: save_edition(Edition(), form.data_for_service()),
                         lambda edition: url_for(".edition_detail", id=edition.id), "editions/edition_form.html",
                         edition=None)
    if request.method == "GET":
        form.number.data = next_edition_number()
    return invalid("editions/edition_form.html", form, edition=None)


@bp.route("/<id:id>")
@allow(*ALL_ROLES)
def edition_detail(id: int):
    return _detail(_edition(id))


@bp.route("/<id:id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edition_edit(id: int):
    edition = db.get_or_404(Edition, id)
    form = EditionForm(obj=edition)
    form.record_id = id
    if request.method == "GET":
        form.fill_from(edition)
    elif form.validate_on_submit():
        return save_form(form, lambda: save_edition(edition, form.data_for_service()),
                         lambda _: url_for(".edition_detail", id=id), "editions/edition_form.html",
                         record=edition, entity_type="edition", edition=edition)
    return invalid("editions/edition_form.html", form, edition=edition)


def _edition(id: int) -> Edition:
    edition = edition_with_programme(id)
    if edition is None:
        abort(404)
    return edition


def _detail(edition: Edition, status: int = 200, programme_form: ProgrammeItemForm | None = None,
            partner_form: PartnerForm | None = None):
    """The detail page; the coordinator also gets the add forms (with errors, after a refused POST) and history."""
    coordinator = current_user.role == Role.COORDINATOR
    context = {}
    if coordinator:
        context = {
            "programme_form": programme_form or ProgrammeItemForm(edition, formdata=None),
            "partner_form": partner_form or PartnerForm(edition, formdata=None),
            "history": db.session.scalars(recent_changes("edition", edition.id).limit(HISTORY_ON_PAGE)).all(),
        }
    return render_template(
        "editions/edition_detail.html", edition=edition, programme=programme_by_day(edition.programme),
        partners=edition_partners(edition.id), participants=participant_counts(edition.id),
        can_edit=coordinator, **context), status


# Programme

@bp.route("/<id:id>/programme", methods=["POST"])
@allow(Role.COORDINATOR)
def programme_item_add(id: int):
    edition = _edition(id)
    form = ProgrammeItemForm(edition)
    if not form.validate_on_submit():
        return _detail(edition, 422, programme_form=form)
    item = add_programme_item(edition, form.data_for_service())
    db.session.commit()
    flash(_("Programme item added: %(title)s.", title=item.title), "success")
    return redirect(url_for(".edition_detail", id=id, _anchor="programme"))


def _item_of(edition_id: int, item_id: int) -> ProgrammeItem:
    item = programme_item_with_speakers(item_id)
    if item is None or item.edition_id != edition_id:
        abort(404)
    return item


def _item_page(item: ProgrammeItem, form: ProgrammeItemForm, speaker_form: SpeakerForm | None = None,
               status: int | None = None):
    """The programme item's page: its form and, for a panel, its guests with the form to add one."""
    speaker_form = speaker_form or SpeakerForm(item, formdata=None)
    status = status or (422 if form.errors or speaker_form.errors else 200)
    return render_template("editions/programme_item_form.html", edition=item.edition, item=item, form=form,
                           speaker_form=speaker_form, confirm=ConfirmForm()), status


@bp.route("/<id:id>/programme/<id:item_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def programme_item_edit(id: int, item_id: int):
    item = _item_of(id, item_id)
    form = ProgrammeItemForm(item.edition, item)
    if form.validate_on_submit():
        update_programme_item(item, form.data_for_service())
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for(".edition_detail", id=id, _anchor=f"item-{item_id}"))
    return _item_page(item, form)


@bp.route("/<id:id>/programme/<id:item_id>/delete", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def programme_item_delete(id: int, item_id: int):
    item = _item_of(id, item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = item.title
        remove_programme_item(item)
        db.session.commit()
        flash(_("Programme item removed: %(title)s.", title=title), "success")
        return redirect(url_for(".edition_detail", id=id, _anchor="programme"))
    return render_template("editions/confirm_delete.html", edition=item.edition, form=form, item=item,
                           cancel_url=url_for(".programme_item_edit", id=id, item_id=item_id))


# Panel guests

@bp.route("/<id:id>/programme/<id:item_id>/speakers", methods=["POST"])
@allow(Role.COORDINATOR)
def speaker_add(id: int, item_id: int):
    item = _item_of(id, item_id)
    form = SpeakerForm(item)
    if not form.validate_on_submit():
        return _item_page(item, ProgrammeItemForm(item.edition, item, formdata=None), form, 422)
    add_speaker(item, form.institution.organisation, form.person_found)
    db.session.commit()
    flash(_("Panel guest added: %(name)s.", name=form.institution.organisation.name), "success")
    return redirect(url_for(".programme_item_edit", id=id, item_id=item_id, _anchor="guests"))


def _speaker_of(edition_id: int, item_id: int, speaker_id: int) -> PanelSpeaker:
    speaker = db.get_or_404(PanelSpeaker, speaker_id)
    if speaker.programme_item_id != item_id or speaker.programme_item.edition_id != edition_id:
        abort(404)
    return speaker


@bp.route("/<id:id>/programme/<id:item_id>/speakers/<id:speaker_id>/delete", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def speaker_delete(id: int, item_id: int, speaker_id: int):
    speaker = _speaker_of(id, item_id, speaker_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        remove_speaker(speaker)
        db.session.commit()
        flash(_("Panel guest removed."), "success")
        return redirect(url_for(".programme_item_edit", id=id, item_id=item_id, _anchor="guests"))
    return render_template("editions/confirm_delete.html", edition=speaker.programme_item.edition, form=form,
                           speaker=speaker, cancel_url=url_for(".programme_item_edit", id=id, item_id=item_id))


# Partners

@bp.route("/<id:id>/partners", methods=["POST"])
@allow(Role.COORDINATOR)
def partner_add(id: int):
    edition = _edition(id)
    form = PartnerForm(edition)
    if not form.validate_on_submit():
        return _detail(edition, 422, partner_form=form)
    add_partner(edition, form.organisation.organisation, form.role_value)
    db.session.commit()
    flash(_("Partner added: %(name)s.", name=form.organisation.organisation.name), "success")
    return redirect(url_for(".edition_detail", id=id, _anchor="partners"))


def _partnership_of(edition_id: int, partnership_id: int) -> Partnership:
    partnership = db.get_or_404(Partnership, partnership_id)
    if partnership.edition_id != edition_id:
        abort(404)  # another edition's partner, or a partner of the whole network
    return partnership


@bp.route("/<id:id>/partners/<id:partnership_id>/delete", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def partner_delete(id: int, partnership_id: int):
    partnership = _partnership_of(id, partnership_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = partnership.organisation.name
        remove_partner(partnership)
        db.session.commit()
        flash(_("Partner removed: %(name)s.", name=name), "success")
        return redirect(url_for(".edition_detail", id=id, _anchor="partners"))
    return render_template("editions/confirm_delete.html", edition=partnership.edition, form=form,
                           partnership=partnership, cancel_url=url_for(".edition_detail", id=id))


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
        "add_form": AddParticipantForm(edition, formdata=None),
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
    form = AddParticipantForm(edition)
    if not form.validate_on_submit():
        return _participants_page(edition, 422, add_form=form)
    add_participant(edition, form.person_found, *form.values())
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
    update_participation(participation, *form.values())
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
    undone = undo_check_in(participation, form.chosen_day)
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
    try:
        person = add_walk_in(edition, form.data_for_service(), form.chosen_day)
        db.session.commit()
    except IntegrityError:  # someone added a person with this e-mail address meanwhile
        db.session.rollback()
        form.email.errors.append(_("Another person has this e-mail address."))
        return _checkin_refused(edition, form, 409)
    return _back_to_checkin(form, _("Added and checked in: %(name)s, %(day)s.", name=person.full_name,
                                    day=format_date(form.chosen_day, "full")))


@bp.route("/<id:id>/participants/export.<fmt>")
@allow(Role.COORDINATOR)
@recent_password_required
def participant_export(id: int, fmt: str):
    return send(participants_export(db.get_or_404(Edition, id)), file_format(fmt))



"""Pages of editions: the list and detail for everyone; the programme, panels and partners for the coordinator."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum_crm.auth.permissions import ALL_ROLES, allow
from forum_crm.changes.queries import recent_changes
from forum_crm.directory.forms import ConfirmForm
from forum_crm.editing import invalid, save_form
from forum_crm.events import bp
from forum_crm.events.forms import EditionForm, PartnerForm, ProgrammeItemForm, SpeakerForm
from forum_crm.events.queries import (
    edition_partners, edition_with_programme, next_edition_number, participant_counts,
    editions_with_counts, programme_by_day, programme_item_with_speakers,
)
from forum_crm.events.services import (
    add_partner, add_programme_item, add_speaker, remove_partner, remove_programme_item, remove_speaker,
    save_edition, update_programme_item,
)
from forum_crm.extensions import db
from forum_crm.models import Edition, PanelSpeaker, Partnership, ProgrammeItem, Role
from forum_crm.pagination import paginate

HISTORY_ON_PAGE = 20


# Editions

@bp.route("/editions")
@allow(*ALL_ROLES)
def edition_list():
    return render_template("events/edition_list.html", page=paginate(editions_with_counts()),
                           can_edit=current_user.role == Role.COORDINATOR)


@bp.route("/editions/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edition_new():
    form = EditionForm()
    if form.validate_on_submit():
        return save_form(form, lambda: save_edition(Edition(), form.data_for_service()),
                         lambda edition: url_for(".edition_detail", id=edition.id), "events/edition_form.html",
                         edition=None)
    if request.method == "GET":
        form.number.data = next_edition_number()
    return invalid("events/edition_form.html", form, edition=None)


@bp.route("/editions/<int:id>")
@allow(*ALL_ROLES)
def edition_detail(id: int):
    return _detail(_edition(id))


@bp.route("/editions/<int:id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edition_edit(id: int):
    edition = db.get_or_404(Edition, id)
    form = EditionForm(obj=edition)
    form.record_id = id
    if request.method == "GET":
        form.fill_from(edition)
    elif form.validate_on_submit():
        return save_form(form, lambda: save_edition(edition, form.data_for_service()),
                         lambda _: url_for(".edition_detail", id=id), "events/edition_form.html",
                         record=edition, entity_type="edition", edition=edition)
    return invalid("events/edition_form.html", form, edition=edition)


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
        "events/edition_detail.html", edition=edition, programme=programme_by_day(edition.programme),
        partners=edition_partners(edition.id), participants=participant_counts(edition.id),
        can_edit=coordinator, **context), status


# Programme

@bp.route("/editions/<int:id>/programme", methods=["POST"])
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
    return render_template("events/programme_item_form.html", edition=item.edition, item=item, form=form,
                           speaker_form=speaker_form, confirm=ConfirmForm()), status


@bp.route("/editions/<int:id>/programme/<int:item_id>/edit", methods=["GET", "POST"])
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


@bp.route("/editions/<int:id>/programme/<int:item_id>/delete", methods=["GET", "POST"])
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
    return render_template("events/confirm_delete.html", edition=item.edition, form=form, item=item,
                           cancel_url=url_for(".programme_item_edit", id=id, item_id=item_id))


# Panel guests

@bp.route("/editions/<int:id>/programme/<int:item_id>/speakers", methods=["POST"])
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


@bp.route("/editions/<int:id>/programme/<int:item_id>/speakers/<int:speaker_id>/delete", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def speaker_delete(id: int, item_id: int, speaker_id: int):
    speaker = _speaker_of(id, item_id, speaker_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        remove_speaker(speaker)
        db.session.commit()
        flash(_("Panel guest removed."), "success")
        return redirect(url_for(".programme_item_edit", id=id, item_id=item_id, _anchor="guests"))
    return render_template("events/confirm_delete.html", edition=speaker.programme_item.edition, form=form,
                           speaker=speaker, cancel_url=url_for(".programme_item_edit", id=id, item_id=item_id))


# Partners

@bp.route("/editions/<int:id>/partners", methods=["POST"])
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


@bp.route("/editions/<int:id>/partners/<int:partnership_id>/delete", methods=["GET", "POST"])
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
    return render_template("events/confirm_delete.html", edition=partnership.edition, form=form,
                           partnership=partnership, cancel_url=url_for(".edition_detail", id=id))

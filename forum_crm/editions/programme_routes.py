"""Pages of an edition's programme: its items, the panels' guests, and the edition's partners."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from forum_crm.auth.permissions import allow
from forum_crm.editing import show_problem
from forum_crm.editions.programme_forms import PartnerForm, ProgrammeItemForm, SpeakerForm
from forum_crm.editions.queries import programme_item_with_speakers
from forum_crm.editions.routes import bp, detail_page, load_edition
from forum_crm.editions.services import (
    add_partner,
    add_programme_item,
    add_speaker,
    remove_partner,
    remove_programme_item,
    remove_speaker,
    update_programme_item,
)
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.models import PanelSpeaker, Partnership, ProgrammeItem, Role

# Programme

@bp.route("/<id:id>/programme", methods=["POST"])
@allow(Role.COORDINATOR)
def programme_item_add(id: int):
    edition = load_edition(id)
    form = ProgrammeItemForm(edition)
    if not form.validate_on_submit():
        return detail_page(edition, 422, programme_form=form)
    try:
        item = add_programme_item(edition, form.data_for_service())
    except FieldProblem as problem:
        show_problem(form, problem)
        return detail_page(edition, 422, programme_form=form)
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
    speaker_form = speaker_form or SpeakerForm(formdata=None)
    status = status or (422 if form.errors or speaker_form.errors else 200)
    return render_template("editions/programme_item_form.html", edition=item.edition, item=item, form=form,
                           speaker_form=speaker_form, confirm=ConfirmForm()), status


@bp.route("/<id:id>/programme/<id:item_id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def programme_item_edit(id: int, item_id: int):
    item = _item_of(id, item_id)
    form = ProgrammeItemForm(item.edition, item)
    if form.validate_on_submit():
        try:
            update_programme_item(item, form.data_for_service())
        except FieldProblem as problem:
            show_problem(form, problem)
            return _item_page(item, form)
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
    form = SpeakerForm()
    if not form.validate_on_submit():
        return _item_page(item, ProgrammeItemForm(item.edition, item, formdata=None), form, 422)
    try:
        add_speaker(item, form.institution.organisation, form.person_found)
    except FieldProblem as problem:
        show_problem(form, problem)
        return _item_page(item, ProgrammeItemForm(item.edition, item, formdata=None), form, 422)
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
    edition = load_edition(id)
    form = PartnerForm()
    if not form.validate_on_submit():
        return detail_page(edition, 422, partner_form=form)
    try:
        add_partner(edition, form.organisation.organisation, form.role_value)
    except FieldProblem as problem:
        show_problem(form, problem)
        return detail_page(edition, 422, partner_form=form)
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

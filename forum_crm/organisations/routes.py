"""Pages of organisations (/organisations): the list, a record, editing by the coordinator or the organisation's
editor, confirming the profile, archiving, the export."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum_crm.auth.permissions import allow, can_edit_organisation, require
from forum_crm.auth.personal_data import send
from forum_crm.changelog import record_history
from forum_crm.editing import after_edit, archive_page, invalid, save_form, show_problem, wants_json
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.kept import kept_content
from forum_crm.labels import OUTBOX_STATES, SECTORS, translated
from forum_crm.mailings.queries import organisation_contact_history
from forum_crm.models import Organisation, Role
from forum_crm.organisations import queries
from forum_crm.organisations.exports import organisations_export
from forum_crm.organisations.forms import (
    OrganisationFilterForm,
    OrganisationForm,
    OrganisationProfileForm,
    PublicProfileForm,
    QuickOrganisationForm,
)
from forum_crm.organisations.queries import area_choices, organisation_editions, organisation_people
from forum_crm.organisations.services import confirm_profile, save_organisation, set_public_profile
from forum_crm.pagination import paginate
from forum_crm.spreadsheets.export import file_format
from forum_crm.text import fold

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.route("")
@allow(Role.COORDINATOR)
def organisation_list():
    return render_template("kept_page.html", title=_("Organisations"), content=kept_content(_organisation_list))


def _organisation_list() -> str:
    filters_form = OrganisationFilterForm(request.args, area_choices())
    filters = filters_form.filters()
    split = queries.member_split()
    page = paginate(queries.organisation_rows(filters), order=queries.organisation_order(filters),
                    total=queries.total_in_split(filters, split), plain=True)
    export_args = request.args.to_dict()  # the list's filters, for its exports and mailings
    export_args.pop("page", None)
    return render_template("organisations/_organisation_list.html", page=page, filters=filters_form, split=split,
                           sectors=translated(SECTORS), export_args=export_args,
                           export_key=tuple(sorted(export_args.items())))


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def organisation_new():
    form = OrganisationForm()
    if form.validate_on_submit():
        return save_form(form, lambda: save_organisation(Organisation(), form.data_for_service()),
                         lambda organisation: url_for(".organisation_detail", id=organisation.id),
                         "organisations/organisation_form.html", organisation=None)
    return invalid("organisations/organisation_form.html", form, organisation=None)


@bp.route("/<id:id>")
@allow(Role.COORDINATOR)
def organisation_detail(id: int):
    organisation = db.get_or_404(Organisation, id)
    return render_template(
        "organisations/organisation_detail.html", organisation=organisation, people=organisation_people(id),
        editions=organisation_editions(id), history=record_history("organisation", id), confirm=ConfirmForm(),
        contacts=paginate(organisation_contact_history(id), per_page=10), outbox_states=OUTBOX_STATES)


@bp.route("/<id:id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.ORG_EDITOR)
def organisation_edit(id: int):
    """The coordinator edits everything; an organisation's editor its profile (OrganisationProfileForm)."""
    organisation = db.get_or_404(Organisation, id)
    require(can_edit_organisation(current_user, organisation))
    form_class = OrganisationForm if current_user.role == Role.COORDINATOR else OrganisationProfileForm
    form = form_class(obj=organisation)
    if request.method == "GET":
        form.fill_from(organisation)
    elif form.validate_on_submit():
        confirming = request.form.get("confirm_profile") == "yes"  # "Save and confirm": what the form holds

        def save() -> Organisation:
            save_organisation(organisation, form.data_for_service())
            if confirming:
                confirm_profile(organisation)
            return organisation

        return save_form(form, save,
                         lambda _: after_edit(".organisation_detail", id), "organisations/organisation_form.html",
                         record=organisation, entity_type="organisation", organisation=organisation)
    return invalid("organisations/organisation_form.html", form, organisation=organisation)


@bp.route("/<id:id>/confirm", methods=["POST"])
@allow(Role.COORDINATOR, Role.ORG_EDITOR)
def organisation_confirm(id: int):
    """"The profile is up to date": clears the reminder flag for another year."""
    organisation = db.get_or_404(Organisation, id)
    require(can_edit_organisation(current_user, organisation))
    if ConfirmForm().validate_on_submit():
        confirm_profile(organisation)
        db.session.commit()
        flash(_("Thank you: the profile of %(name)s is confirmed as up to date.", name=organisation.name), "success")
    return redirect(after_edit(".organisation_detail", id))


@bp.route("/<id:id>/public", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.ORG_EDITOR)
def organisation_public(id: int):
    """Whether the organisation is on the public pages, and which fields: its editor's choice (or the coordinator's
    on its behalf), dated and logged."""
    organisation = db.get_or_404(Organisation, id)
    require(can_edit_organisation(current_user, organisation))
    form = PublicProfileForm(obj=organisation)
    if request.method == "GET":
        form.fill_from(organisation)
    elif form.validate_on_submit():
        return save_form(form, lambda: set_public_profile(organisation, form.data_for_service()),
                         lambda _: after_edit(".organisation_detail", id), "organisations/public_profile_form.html",
                         record=organisation, entity_type="organisation", organisation=organisation)
    return invalid("organisations/public_profile_form.html", form, organisation=organisation)


@bp.route("/<id:id>/archive", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def organisation_archive(id: int):
    return archive_page(db.get_or_404(Organisation, id), "organisation", ".organisation_detail")


@bp.route("/export.<fmt>")
@allow(Role.COORDINATOR)
def organisation_export(fmt: str):
    filters = OrganisationFilterForm(request.args, area_choices()).filters()
    return send(organisations_export(filters), file_format(fmt))


@bp.route("/suggestions")
@allow(Role.COORDINATOR)
def organisation_suggestions():
    """JSON for static/js/suggest.js: the organisations matching ?q= (see queries.organisation_suggestions)."""
    typed = request.args.get("q", "")[:300]
    found = queries.organisation_suggestions(typed)
    return jsonify(results=[{
        "value": organisation.name,
        "hint": " · ".join(filter(None, (organisation.short_name, organisation.locality and organisation.locality.name,
                                         str(SECTORS[organisation.sector])))),
    } for organisation in found], exact=any(organisation.name_key == fold(typed) for organisation in found))


@bp.route("/quick-add", methods=["POST"])
@allow(Role.COORDINATOR)
def organisation_quick_add():
    """A missing institution created from the field that names it, once the coordinator confirms: JSON for the
    field's script (a plain form goes to the new organisation's page)."""
    form = QuickOrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = save_organisation(Organisation(), form.data_for_service())
        except FieldProblem as problem:
            show_problem(form, problem)
        else:
            db.session.commit()
            message = _("Created: %(name)s (not a Forum member). Its profile can be filled in on its page.",
                        name=organisation.name)
            if not wants_json():
                flash(message, "success")
                return redirect(url_for(".organisation_detail", id=organisation.id))
            return jsonify(ok=True, value=organisation.name, message=message)
    messages = [str(message) for errors in form.errors.values() for message in errors]
    if not wants_json():
        for message in messages:
            flash(message, "error")
        return redirect(url_for(".organisation_new"))
    return jsonify(ok=False, message=" ".join(messages)), 422

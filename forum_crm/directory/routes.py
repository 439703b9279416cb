"""Pages of the directory: organisations and people (the coordinator's workspace), the pages where an
organisation's editor keeps its profile and people up to date, and everyone's own profile."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum_crm.auth.permissions import ALL_ROLES, allow, can_edit_organisation, can_edit_person, require
from forum_crm.changes.queries import recent_changes
from forum_crm.directory import bp
from forum_crm.directory.forms import (
    AffiliationForm, ConfirmForm, EndAffiliationForm, OrganisationFilterForm, OrganisationForm,
    OrganisationProfileForm, PersonContactForm, PersonFilterForm, PersonForm, PersonSelfForm,
)
from forum_crm.directory.queries import (
    areas_of_work, current_people, organisation_editions, organisation_list, organisation_people, person_affiliations,
    person_list, person_participations,
)
from forum_crm.directory.services import (
    add_affiliation, confirm_profile, end_affiliation, remove_affiliation, save_organisation, save_person,
    set_archived,
)
from forum_crm.editing import invalid, save_form
from forum_crm.extensions import db
from forum_crm.models import Affiliation, Organisation, Person, Role
from forum_crm.pagination import paginate

HISTORY_ON_PAGE = 20


def _history(entity_type: str, entity_id: int):
    return db.session.scalars(recent_changes(entity_type, entity_id).limit(HISTORY_ON_PAGE)).all()


# Organisations

@bp.route("/organisations")
@allow(Role.COORDINATOR)
def organisation_list_page():
    areas = areas_of_work()
    filters_form = OrganisationFilterForm(request.args, areas)
    page = paginate(organisation_list(filters_form.filters()))
    return render_template("directory/organisation_list.html", page=page, filters=filters_form)


@bp.route("/organisations/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def organisation_new():
    form = OrganisationForm()
    if form.validate_on_submit():
        return save_form(form, lambda: save_organisation(Organisation(), form.data_for_service()),
                         lambda organisation: url_for(".organisation_detail", id=organisation.id),
                         "directory/organisation_form.html", organisation=None)
    return invalid("directory/organisation_form.html", form, organisation=None)


@bp.route("/organisations/<int:id>")
@allow(Role.COORDINATOR)
def organisation_detail(id: int):
    organisation = db.get_or_404(Organisation, id)
    return render_template(
        "directory/organisation_detail.html", organisation=organisation, people=organisation_people(id),
        editions=organisation_editions(id), history=_history("organisation", id), confirm=ConfirmForm())


@bp.route("/organisations/<int:id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.ORG_EDITOR)
def organisation_edit(id: int):
    """The coordinator edits everything; an organisation's editor its profile (OrganisationProfileForm)."""
    organisation = db.get_or_404(Organisation, id)
    require(can_edit_organisation(current_user, organisation))
    form_class = OrganisationForm if current_user.role == Role.COORDINATOR else OrganisationProfileForm
    form = form_class(obj=organisation)
    form.record_id = id
    if request.method == "GET":
        form.fill_from(organisation)
    elif form.validate_on_submit():
        return save_form(form, lambda: save_organisation(organisation, form.data_for_service()),
                         lambda _: _after_edit(".organisation_detail", id), "directory/organisation_form.html",
                         record=organisation, entity_type="organisation", organisation=organisation,
                         confirm=ConfirmForm())
    return invalid("directory/organisation_form.html", form, organisation=organisation, confirm=ConfirmForm())


def _after_edit(detail_endpoint: str, id: int) -> str:
    """Where to go after saving: the record's page for the coordinator, their organisation's page for an editor."""
    if current_user.role == Role.COORDINATOR:
        return url_for(detail_endpoint, id=id)
    return url_for(".my_organisation")


@bp.route("/my-organisation")
@allow(*ALL_ROLES)
def my_organisation():
    """An organisation's editor: its profile and the people who work there now, with links to edit them."""
    organisation = current_user.organisation if current_user.role == Role.ORG_EDITOR else None
    return render_template("directory/my_organisation.html", organisation=organisation,
                           people=current_people(organisation.id) if organisation else [], confirm=ConfirmForm())


@bp.route("/organisations/<int:id>/confirm", methods=["POST"])
@allow(Role.COORDINATOR, Role.ORG_EDITOR)
def organisation_confirm(id: int):
    """"The profile is up to date": clears the reminder flag for another year."""
    organisation = db.get_or_404(Organisation, id)
    require(can_edit_organisation(current_user, organisation))
    if ConfirmForm().validate_on_submit():
        confirm_profile(organisation)
        db.session.commit()
        flash(_("Thank you: the profile of %(name)s is confirmed as up to date.", name=organisation.name), "success")
    return redirect(_after_edit(".organisation_detail", id))


@bp.route("/organisations/<int:id>/archive", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def organisation_archive(id: int):
    return _archive(db.get_or_404(Organisation, id), "organisation", ".organisation_detail")


@bp.route("/people/<int:id>/archive", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def person_archive(id: int):
    return _archive(db.get_or_404(Person, id), "person", ".person_detail")


def _archive(record, entity_type: str, detail_endpoint: str):
    """GET asks for confirmation; POST archives (or restores an archived record)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        archive = record.archived_at is None
        set_archived(record, entity_type, archive)
        db.session.commit()
        flash(_("Archived: %(name)s.", name=str(record)) if archive else _("Restored: %(name)s.", name=str(record)),
              "success")
        return redirect(url_for(detail_endpoint, id=record.id))
    return render_template("directory/confirm_archive.html", record=record, form=form,
                           cancel_url=url_for(detail_endpoint, id=record.id))


# People

@bp.route("/people")
@allow(Role.COORDINATOR)
def person_list_page():
    filters_form = PersonFilterForm(request.args)
    page = paginate(person_list(filters_form.filters()))
    return render_template("directory/person_list.html", page=page, filters=filters_form)


@bp.route("/people/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def person_new():
    form = PersonForm()
    if form.validate_on_submit():
        return save_form(form, lambda: save_person(Person(), form.data_for_service()),
                         lambda person: url_for(".person_detail", id=person.id), "directory/person_form.html",
                         person=None)
    return invalid("directory/person_form.html", form, person=None)


@bp.route("/people/<int:id>")
@allow(Role.COORDINATOR)
def person_detail(id: int):
    person = db.get_or_404(Person, id)
    return render_template(
        "directory/person_detail.html", person=person, affiliations=person_affiliations(id),
        participations=person_participations(id), history=_history("person", id),
        affiliation_form=AffiliationForm(), confirm=ConfirmForm())


@bp.route("/people/<int:id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.ORG_EDITOR)
def person_edit(id: int):
    """The coordinator edits everything; an organisation's editor its people's contact details."""
    person = db.get_or_404(Person, id)
    require(can_edit_person(current_user, person))
    form_class = PersonForm if current_user.role == Role.COORDINATOR else PersonContactForm
    form = form_class(obj=person)
    form.record_id = id
    if request.method == "GET":
        form.fill_from(person)
    elif form.validate_on_submit():
        return save_form(form, lambda: save_person(person, form.data_for_service()),
                         lambda _: _after_edit(".person_detail", id), "directory/person_form.html",
                         record=person, entity_type="person", person=person)
    return invalid("directory/person_form.html", form, person=person)


@bp.route("/me", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def my_profile():
    """Everyone's own entry in the directory (if their account is linked to one): contact details and consents."""
    person = current_user.person
    if person is None:
        return render_template("directory/my_profile.html", form=None, person=None)
    require(can_edit_person(current_user, person))
    form = PersonSelfForm(obj=person)
    form.record_id = person.id
    if request.method == "GET":
        form.fill_from(person)
    elif form.validate_on_submit():
        return save_form(form, lambda: save_person(person, form.data_for_service()),
                         lambda _: url_for(".my_profile"), "directory/my_profile.html",
                         record=person, entity_type="person", person=person)
    return invalid("directory/my_profile.html", form, person=person)


@bp.route("/people/<int:id>/affiliations", methods=["POST"])
@allow(Role.COORDINATOR)
def affiliation_add(id: int):
    person = db.get_or_404(Person, id)
    form = AffiliationForm()
    if not form.validate_on_submit():
        return render_template(
            "directory/person_detail.html", person=person, affiliations=person_affiliations(id),
            participations=person_participations(id), history=_history("person", id),
            affiliation_form=form, confirm=ConfirmForm()), 422
    add_affiliation(person, form.organisation.organisation, form.role_title.data, form.started_on.data,
                    form.ended_on.data, form.is_primary.data, form.replaces_current.data)
    db.session.commit()
    flash(_("Affiliation added: %(name)s.", name=form.organisation.organisation.name), "success")
    return redirect(url_for(".person_detail", id=id))


def _affiliation_of(person_id: int, affiliation_id: int) -> Affiliation:
    affiliation = db.get_or_404(Affiliation, affiliation_id)
    if affiliation.person_id != person_id:
        abort(404)
    return affiliation


@bp.route("/people/<int:id>/affiliations/<int:affiliation_id>/end", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def affiliation_end(id: int, affiliation_id: int):
    affiliation = _affiliation_of(id, affiliation_id)
    form = EndAffiliationForm()
    if form.validate_on_submit():
        if affiliation.started_on and form.ended_on.data < affiliation.started_on:
            form.ended_on.errors.append(_("The end date cannot be before the start date."))
        else:
            end_affiliation(affiliation, form.ended_on.data)
            db.session.commit()
            flash(_("Affiliation ended."), "success")
            return redirect(url_for(".person_detail", id=id))
    return invalid("directory/affiliation_end.html", form, affiliation=affiliation)


@bp.route("/people/<int:id>/affiliations/<int:affiliation_id>/delete", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def affiliation_delete(id: int, affiliation_id: int):
    affiliation = _affiliation_of(id, affiliation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        remove_affiliation(affiliation)
        db.session.commit()
        flash(_("Affiliation removed."), "success")
        return redirect(url_for(".person_detail", id=id))
    return render_template("directory/affiliation_delete.html", affiliation=affiliation, form=form)

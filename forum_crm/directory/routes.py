"""Pages of the directory: organisations and people (coordinator's workspace)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum_crm.auth.permissions import allow
from forum_crm.changes.queries import recent_changes
from forum_crm.directory import bp
from forum_crm.directory.forms import (
    AffiliationForm, ConfirmForm, EndAffiliationForm, OrganisationFilterForm, OrganisationForm, PersonFilterForm,
    PersonForm,
)
from forum_crm.directory.queries import (
    areas_of_work, organisation_editions, organisation_list, organisation_people, person_affiliations,
    person_list, person_participations,
)
from forum_crm.directory.services import (
    add_affiliation, end_affiliation, remove_affiliation, save_organisation, save_person, set_archived,
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
@allow(Role.COORDINATOR)
def organisation_edit(id: int):
    organisation = db.get_or_404(Organisation, id)
    form = OrganisationForm(obj=organisation)
    form.record_id = id
    if request.method == "GET":
        form.fill_from(organisation)
    elif form.validate_on_submit():
        return save_form(form, lambda: save_organisation(organisation, form.data_for_service()),
                         lambda _: url_for(".organisation_detail", id=id), "directory/organisation_form.html",
                         record=organisation, entity_type="organisation", organisation=organisation)
    return invalid("directory/organisation_form.html", form, organisation=organisation)


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
@allow(Role.COORDINATOR)
def person_edit(id: int):
    person = db.get_or_404(Person, id)
    form = PersonForm(obj=person)
    form.record_id = id
    if request.method == "GET":
        form.fill_from(person)
    elif form.validate_on_submit():
        return save_form(form, lambda: save_person(person, form.data_for_service()),
                         lambda _: url_for(".person_detail", id=id), "directory/person_form.html",
                         record=person, entity_type="person", person=person)
    return invalid("directory/person_form.html", form, person=person)


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

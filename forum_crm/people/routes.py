"""Pages of people (/people): the list, a record, editing by the coordinator or an editor, affiliations, archiving, the
export."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum_crm.auth.permissions import allow, can_edit_person, require
from forum_crm.auth.personal_data import send
from forum_crm.changelog import record_history
from forum_crm.consents import consent_history
from forum_crm.editing import after_edit, archive_page, invalid, save_form, saved
from forum_crm.extensions import db
from forum_crm.forms import ConfirmForm
from forum_crm.kept import kept_content
from forum_crm.labels import OUTBOX_STATES
from forum_crm.mailings.queries import person_contact_history
from forum_crm.models import Affiliation, Person, Role
from forum_crm.pagination import paginate
from forum_crm.people import queries
from forum_crm.people.exports import people_export
from forum_crm.people.forms import (
    AffiliationForm,
    EndAffiliationForm,
    NewPersonForm,
    PersonContactForm,
    PersonFilterForm,
    PersonForm,
)
from forum_crm.people.queries import likely_twins, person_affiliations, person_participations
from forum_crm.people.services import add_affiliation, end_affiliation, remove_affiliation, save_person
from forum_crm.spreadsheets.export import file_format

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.route("/suggestions")
@allow(Role.COORDINATOR)
def person_suggestions():
    """JSON for static/js/suggest.js: the people matching ?q=; the value is their e-mail address (or, without one,
    their name), which the fields that take a person find exactly."""
    return jsonify(results=[{
        "value": person.email or person.full_name,
        "label": person.full_name,
        "hint": " · ".join(filter(None, (person.email, ", ".join(
            affiliation.organisation.name for affiliation in person.affiliations if affiliation.is_current)))),
    } for person in queries.person_suggestions(request.args.get("q", "")[:300])], exact=False)


@bp.route("/<id:id>/archive", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def person_archive(id: int):
    return archive_page(db.get_or_404(Person, id), "person", ".person_detail")


@bp.route("")
@allow(Role.COORDINATOR)
def person_list():
    return render_template("kept_page.html", title=_("People"), content=kept_content(_person_list))


def _person_list() -> str:
    filters_form = PersonFilterForm(request.args)
    filters = filters_form.filters()
    page = paginate(queries.person_list(filters), order=queries.person_order(filters),
                    count_once=queries.counted_once(filters), rows=queries.listed_people())
    return render_template("people/_person_list.html", page=page, filters=filters_form,
                           organisations=queries.current_organisation_names([row[0].id for row in page.items]))


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def person_new():
    """Adds a person; one who likely exists already (same name, e-mail or phone) is shown first, not created."""
    form = NewPersonForm()
    if form.validate_on_submit():
        twins = [] if form.create_anyway.data else likely_twins(
            form.first_name.data, form.last_name.data, form.email.data, form.phone.data)
        if twins:
            if form.email.data and any(twin.email == form.email.data.lower() for twin in twins):
                form.email.errors.append(_("Another person has this e-mail address."))  # can't be created anyway
            return render_template("people/person_form.html", form=form, person=None, twins=twins), \
                422 if form.email.errors else 409
        return save_form(form, lambda: save_person(Person(), form.data_for_service()),
                         lambda person: url_for(".person_detail", id=person.id), "people/person_form.html",
                         person=None)
    return invalid("people/person_form.html", form, person=None)


@bp.route("/<id:id>")
@allow(Role.COORDINATOR)
def person_detail(id: int):
    return _detail_page(db.get_or_404(Person, id), AffiliationForm())


def _detail_page(person: Person, affiliation_form: AffiliationForm):
    """The person's page: affiliations, editions, the mailings they were sent (paginated), the history of their
    consents and of changes."""
    return render_template(
        "people/person_detail.html", person=person, affiliations=person_affiliations(person.id),
        participations=person_participations(person.id), history=record_history("person", person.id),
        contacts=paginate(person_contact_history(person.id), per_page=10), outbox_states=OUTBOX_STATES,
        consents=db.session.scalars(consent_history(person.id)).all(), affiliation_form=affiliation_form,
        confirm=ConfirmForm())


@bp.route("/<id:id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.ORG_EDITOR)
def person_edit(id: int):
    """The coordinator edits everything; an organisation's editor its people's contact details."""
    person = db.get_or_404(Person, id)
    require(can_edit_person(current_user, person))
    form_class = PersonForm if current_user.role == Role.COORDINATOR else PersonContactForm
    form = form_class(obj=person)
    if request.method == "GET":
        form.fill_from(person)
    elif form.validate_on_submit():
        return save_form(form, lambda: save_person(person, form.data_for_service()),
                         lambda _: after_edit(".person_detail", id), "people/person_form.html",
                         record=person, entity_type="person", person=person)
    return invalid("people/person_form.html", form, person=person)


@bp.route("/<id:id>/affiliations", methods=["POST"])
@allow(Role.COORDINATOR)
def affiliation_add(id: int):
    person = db.get_or_404(Person, id)
    form = AffiliationForm()
    if form.validate_on_submit() and saved(form, lambda: add_affiliation(
            person, form.organisation.organisation, form.role_title.data, form.started_on.data, form.ended_on.data,
            form.is_primary.data, form.replaces_current.data)):
        flash(_("Affiliation added: %(name)s.", name=form.organisation.organisation.name), "success")
        return redirect(url_for(".person_detail", id=id))
    return _detail_page(person, form), 422


def _affiliation_of(person_id: int, affiliation_id: int) -> Affiliation:
    affiliation = db.get_or_404(Affiliation, affiliation_id)
    if affiliation.person_id != person_id:
        abort(404)
    return affiliation


@bp.route("/<id:id>/affiliations/<id:affiliation_id>/end", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def affiliation_end(id: int, affiliation_id: int):
    affiliation = _affiliation_of(id, affiliation_id)
    form = EndAffiliationForm()
    if form.validate_on_submit() and saved(form, lambda: end_affiliation(affiliation, form.ended_on.data)):
        flash(_("Affiliation ended."), "success")
        return redirect(url_for(".person_detail", id=id))
    return invalid("people/affiliation_end.html", form, affiliation=affiliation)


@bp.route("/<id:id>/affiliations/<id:affiliation_id>/delete", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def affiliation_delete(id: int, affiliation_id: int):
    affiliation = _affiliation_of(id, affiliation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        remove_affiliation(affiliation)
        db.session.commit()
        flash(_("Affiliation removed."), "success")
        return redirect(url_for(".person_detail", id=id))
    return render_template("people/affiliation_delete.html", affiliation=affiliation, form=form)


@bp.route("/export.<fmt>")
@allow(Role.COORDINATOR)
def person_export(fmt: str):
    return send(people_export(PersonFilterForm(request.args).filters()), file_format(fmt))

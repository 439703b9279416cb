"""Pages of the members' directory: lists with search, and one page per person or organisation."""

from flask import Blueprint, abort, render_template, request

from forum_crm.auth.permissions import ALL_ROLES, allow
from forum_crm.directory.forms import OrganisationSearchForm, PeopleSearchForm
from forum_crm.directory.queries import (
    listed_colleagues,
    listed_organisation,
    listed_organisations,
    listed_people_page,
    listed_person,
)
from forum_crm.organisations.queries import area_choices
from forum_crm.pagination import paginate

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.route("")
@allow(*ALL_ROLES)
def person_list():
    form = PeopleSearchForm(request.args, area_choices())
    return render_template("directory/person_list.html", page=listed_people_page(form.search()), filters=form)


@bp.route("/organisations")
@allow(*ALL_ROLES)
def organisation_list():
    form = OrganisationSearchForm(request.args, area_choices())
    return render_template("directory/organisation_list.html", page=paginate(listed_organisations(form.search())),
                           filters=form)


@bp.route("/people/<id:id>")
@allow(*ALL_ROLES)
def person_detail(id: int):
    found = listed_person(id)
    if found is None:
        abort(404)  # not listed: members cannot tell it from a missing record
    return render_template("directory/person_detail.html", person=found)


@bp.route("/organisations/<id:id>")
@allow(*ALL_ROLES)
def organisation_detail(id: int):
    found = listed_organisation(id)
    if found is None:
        abort(404)
    return render_template("directory/organisation_detail.html", organisation=found, people=listed_colleagues(id))

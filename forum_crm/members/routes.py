"""Pages of the members' directory: lists with search, and one page per person or organisation."""

from flask import abort, render_template, request

from forum_crm.auth.permissions import ALL_ROLES, allow
from forum_crm.directory.queries import areas_of_work
from forum_crm.members import bp
from forum_crm.members.forms import OrganisationSearchForm, PeopleSearchForm
from forum_crm.members.queries import (
    listed_colleagues, listed_organisation, listed_organisations, listed_people, listed_person,
)
from forum_crm.pagination import paginate


@bp.route("/directory")
@allow(*ALL_ROLES)
def people():
    form = PeopleSearchForm(request.args, areas_of_work())
    return render_template("members/people.html", page=paginate(listed_people(form.search())), filters=form)


@bp.route("/directory/organisations")
@allow(*ALL_ROLES)
def organisations():
    form = OrganisationSearchForm(request.args, areas_of_work())
    return render_template("members/organisations.html", page=paginate(listed_organisations(form.search())),
                           filters=form)


@bp.route("/directory/people/<int:id>")
@allow(*ALL_ROLES)
def person(id: int):
    found = listed_person(id)
    if found is None:
        abort(404)  # not listed: members cannot tell it from a missing record
    return render_template("members/person.html", person=found)


@bp.route("/directory/organisations/<int:id>")
@allow(*ALL_ROLES)
def organisation(id: int):
    found = listed_organisation(id)
    if found is None:
        abort(404)
    return render_template("members/organisation.html", organisation=found, people=listed_colleagues(id))

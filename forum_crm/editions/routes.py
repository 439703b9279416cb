"""Pages of editions: the list and detail for everyone; the coordinator edits them. The programme, panels and
partners (programme_routes.py), participants (participant_routes.py) and the door check-in (checkin_routes.py)
are pages of this blueprint too."""

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from forum_crm.auth.permissions import ALL_ROLES, allow
from forum_crm.changelog import recent_changes
from forum_crm.editing import invalid, save_form
from forum_crm.editions.forms import EditionForm
from forum_crm.editions.programme_forms import PartnerForm, ProgrammeItemForm
from forum_crm.editions.queries import (
    edition_partners,
    edition_with_programme,
    editions_with_counts,
    next_edition_number,
    participant_counts,
    programme_by_day,
)
from forum_crm.editions.services import save_edition
from forum_crm.extensions import db
from forum_crm.models import Edition, Role
from forum_crm.pagination import paginate

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
    return detail_page(load_edition(id))


@bp.route("/<id:id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def edition_edit(id: int):
    edition = db.get_or_404(Edition, id)
    form = EditionForm(obj=edition)
    if request.method == "GET":
        form.fill_from(edition)
    elif form.validate_on_submit():
        return save_form(form, lambda: save_edition(edition, form.data_for_service()),
                         lambda _: url_for(".edition_detail", id=id), "editions/edition_form.html",
                         record=edition, entity_type="edition", edition=edition)
    return invalid("editions/edition_form.html", form, edition=edition)


def load_edition(id: int) -> Edition:
    edition = edition_with_programme(id)
    if edition is None:
        abort(404)
    return edition


def detail_page(edition: Edition, status: int = 200, programme_form: ProgrammeItemForm | None = None,
            partner_form: PartnerForm | None = None):
    """The detail page; the coordinator also gets the add forms (with errors, after a refused POST) and history."""
    coordinator = current_user.role == Role.COORDINATOR
    context = {}
    if coordinator:
        context = {
            "programme_form": programme_form or ProgrammeItemForm(edition, formdata=None),
            "partner_form": partner_form or PartnerForm(formdata=None),
            "history": db.session.scalars(recent_changes("edition", edition.id).limit(HISTORY_ON_PAGE)).all(),
        }
    return render_template(
        "editions/edition_detail.html", edition=edition, programme=programme_by_day(edition.programme),
        partners=edition_partners(edition.id), participants=participant_counts(edition.id),
        can_edit=coordinator, **context), status


from forum_crm.editions import badge_routes, checkin_routes, participant_routes, programme_routes  # noqa: E402,F401

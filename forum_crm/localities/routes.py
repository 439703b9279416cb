"""Pages for towns (/localities): the list, adding one by hand, correcting one."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum_crm.auth.permissions import allow
from forum_crm.editing import invalid, saved
from forum_crm.extensions import db
from forum_crm.localities.forms import LocalityForm
from forum_crm.localities.queries import localities
from forum_crm.localities.services import save_locality
from forum_crm.models import Locality, Role
from forum_crm.pagination import paginate

bp = Blueprint("localities", __name__, url_prefix="/localities")

PER_PAGE = 50


@bp.route("")
@allow(Role.COORDINATOR)
def locality_list():
    search = request.args.get("q", "").strip()
    page = paginate(localities(search), per_page=PER_PAGE)
    return render_template("localities/locality_list.html", page=page, search=search)


@bp.route("/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def locality_new():
    form = LocalityForm(name=request.args.get("name", "")[:120])
    if form.validate_on_submit():
        return _save(Locality(), form)
    return invalid("localities/locality_form.html", form, locality=None)


@bp.route("/<id:id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def locality_edit(id: int):
    locality = db.get_or_404(Locality, id)
    form = LocalityForm(obj=locality)
    if form.validate_on_submit():
        return _save(locality, form)
    return invalid("localities/locality_form.html", form, locality=locality)


def _save(locality: Locality, form: LocalityForm):
    if not saved(form, lambda: save_locality(locality, form.data_for_service())):
        return render_template("localities/locality_form.html", form=form, locality=locality.id and locality), 422
    flash(_("Saved: %(name)s.", name=locality.name), "success")
    return redirect(url_for("localities.locality_list", q=locality.name))



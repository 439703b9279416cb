"""Pages for towns (/localities): the list, adding one by hand, correcting one."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from forum_crm.auth.permissions import allow
from forum_crm.editing import invalid, saved
from forum_crm.extensions import db
from forum_crm.localities.forms import LocalityForm, PlaceForm
from forum_crm.localities.queries import localities, places_for
from forum_crm.localities.services import locate_locality, save_locality
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
    places = places_for(locality)
    return invalid("localities/locality_form.html", form, locality=locality,
                   place_form=PlaceForm(places, formdata=None) if places else None)


@bp.route("/<id:id>/place", methods=["POST"])
@allow(Role.COORDINATOR)
def locality_place(id: int):
    """A stored town without coordinates becomes the gazetteer place chosen: its voivodeship and coordinates."""
    locality = db.get_or_404(Locality, id)
    place_form = PlaceForm(places_for(locality))
    if place_form.validate_on_submit() and saved(place_form, lambda: locate_locality(locality, place_form.chosen)):
        flash(_("Saved: %(name)s.", name=locality.label), "success")
        return redirect(url_for("localities.locality_list", q=locality.name))
    return render_template("localities/locality_form.html", form=LocalityForm(formdata=None, obj=locality),
                           locality=locality, place_form=place_form), 422


def _save(locality: Locality, form: LocalityForm):
    if not saved(form, lambda: save_locality(locality, form.data_for_service())):
        return render_template("localities/locality_form.html", form=form, locality=locality.id and locality), 422
    flash(_("Saved: %(name)s.", name=locality.name), "success")
    return redirect(url_for("localities.locality_list", q=locality.name))

"""Pages for towns: the member map, the list of towns, and adding or correcting one by hand."""

from datetime import date

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from forum_crm.auth.permissions import ALL_ROLES, allow
from forum_crm.directory.queries import areas_of_work
from forum_crm.editing import invalid
from forum_crm.extensions import db
from forum_crm.mapping import bp
from forum_crm.mapping.forms import LocalityForm, MapFilterForm
from forum_crm.mapping.maps import (
    ORGANISATIONS_PER_POPUP, MapAssets, MapCache, RenderedMap, build_map, tile_source, voivodeship_bounds,
)
from forum_crm.mapping.queries import MapFilters, edition_choices, localities, map_data, map_data_version
from forum_crm.mapping.services import save_locality
from forum_crm.models import Locality, Role
from forum_crm.pagination import paginate

PER_PAGE = 50
MAP_ASSETS = {"js": ("vendor/leaflet/leaflet.js", "js/map.js"), "css": ("vendor/leaflet/leaflet.css",)}


@bp.route("/map")
@allow(*ALL_ROLES)
def member_map():
    form = MapFilterForm(request.args, areas_of_work(), edition_choices())
    exact = current_user.role == Role.COORDINATOR
    return render_template("mapping/map.html", form=form, map=_rendered_map(form.filters(), exact), exact=exact)


def _rendered_map(filters: MapFilters, exact: bool) -> RenderedMap:
    """The map from the app's cache, built again only when the data (or the day) has changed."""
    cache = current_app.extensions.setdefault("forum_crm.map_cache", MapCache())
    tiles = current_app.config["MAP_TILES"]
    key = (filters, exact, str(get_locale()), tiles)

    def build() -> RenderedMap:
        assets = MapAssets(*(tuple(url_for("static", filename=name) for name in MAP_ASSETS[kind])
                             for kind in ("js", "css")))
        # The coordinator's page of an organisation, or the members' directory page (the same member
        # organisations are listed there); url_for once, not once per organisation.
        page = "directory.organisation_detail" if exact else "members.organisation"
        links = url_for(page, id=0).removesuffix("0") + "{id}"
        bounds = voivodeship_bounds(filters.voivodeship) if filters.voivodeship else None
        return build_map(map_data(filters, ORGANISATIONS_PER_POPUP), exact=exact, organisation_url=links,
                         assets=assets, tiles=tile_source(tiles), bounds=bounds)

    return cache.get((map_data_version(), date.today()), key, build)


@bp.route("/localities")
@allow(Role.COORDINATOR)
def locality_list():
    search = request.args.get("q", "").strip()
    page = paginate(localities(search), per_page=PER_PAGE)
    return render_template("mapping/locality_list.html", page=page, search=search)


@bp.route("/localities/new", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def locality_new():
    form = LocalityForm(name=request.args.get("name", "")[:120])
    if form.validate_on_submit():
        return _save(Locality(), form)
    return invalid("mapping/locality_form.html", form, locality=None)


@bp.route("/localities/<int:id>/edit", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def locality_edit(id: int):
    locality = db.get_or_404(Locality, id)
    form = LocalityForm(obj=locality)
    if form.validate_on_submit():
        return _save(locality, form)
    return invalid("mapping/locality_form.html", form, locality=locality)


def _save(locality: Locality, form: LocalityForm):
    data = form.data_for_service()
    clash = db.session.scalar(sa.select(Locality.id).where(
        Locality.name == data["name"], Locality.voivodeship == data["voivodeship"], Locality.id != locality.id))
    if clash is not None:
        form.name.errors.append(_("This town is already on the list in this voivodeship."))
        return render_template("mapping/locality_form.html", form=form, locality=locality.id and locality), 422
    save_locality(locality, data)
    db.session.commit()
    flash(_("Saved: %(name)s.", name=locality.name), "success")
    return redirect(url_for("mapping.locality_list", q=locality.name))

"""The member map (/map): one circle per town, filters in the address, cached per filter, role and language."""

from datetime import date

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from forum_crm.auth.permissions import ALL_ROLES, allow
from forum_crm.compression import page_with_part
from forum_crm.config import tile_source
from forum_crm.mapping.forms import MapFilterForm
from forum_crm.mapping.frame import MapAssets
from forum_crm.mapping.maps import ORGANISATIONS_PER_POPUP, MapCache, RenderedMap, build_map, voivodeship_bounds
from forum_crm.mapping.queries import MapFilters, edition_choices, map_data, map_data_version
from forum_crm.models import Role
from forum_crm.organisations.queries import area_choices

bp = Blueprint("mapping", __name__)

@bp.route("/map")
@allow(*ALL_ROLES)
def member_map():
    form = MapFilterForm(request.args, area_choices(), edition_choices())
    exact = current_user.role == Role.COORDINATOR
    rendered = _rendered_map(form.filters(), exact)
    return page_with_part(render_template("mapping/map.html", form=form, map=rendered, exact=exact),
                          rendered.compressed_data)


def _rendered_map(filters: MapFilters, exact: bool) -> RenderedMap:
    """The map from the app's cache, built again only when the data (or the day) has changed."""
    cache = current_app.extensions.setdefault("forum_crm.map_cache", MapCache())
    tiles = current_app.config["MAP_TILES"]
    key = (filters, exact, str(get_locale()), tiles)

    def build() -> RenderedMap:
        # The coordinator's page of an organisation, or the members' directory page (the same member
        # organisations are listed there); url_for once, not once per organisation.
        page = "organisations.organisation_detail" if exact else "directory.organisation_detail"
        links = url_for(page, id=0).removesuffix("0") + "{id}"
        bounds = voivodeship_bounds(filters.voivodeship) if filters.voivodeship else None
        return build_map(map_data(filters, ORGANISATIONS_PER_POPUP), exact=exact, organisation_url=links,
                         assets=MapAssets.served(), tiles=tile_source(tiles), bounds=bounds)

    return cache.get((map_data_version(), date.today()), key, build)

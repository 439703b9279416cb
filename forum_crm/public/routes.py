"""The public pages (/public), open to anyone: the map and the list of organisations that chose to be shown,
the public editions calendar, and each member's own calendar at its secret address. Nothing about people.

The map and the list may be embedded in the sites named in EMBED_ORIGINS; they use no session (no cookie is
set, no CSRF token) so that browsers and proxies may cache them.
"""

from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import get_locale, gettext

from forum_crm.auth.permissions import public
from forum_crm.calendars import CalendarEvent, calendar_text, uid
from forum_crm.config import tile_source
from forum_crm.mapping.frame import MapAssets
from forum_crm.mapping.maps import ORGANISATIONS_PER_POPUP, MapCache, RenderedMap, build_map, voivodeship_bounds
from forum_crm.mapping.queries import map_data_version
from forum_crm.models.events import roman
from forum_crm.pagination import paginate
from forum_crm.public.caching import cached
from forum_crm.public.forms import PublicFilterForm
from forum_crm.public.limits import limit_public_requests
from forum_crm.public.personal_calendar import account_of, registered_editions
from forum_crm.public.queries import (
    PublicFilters,
    PublicProfile,
    public_areas,
    public_editions,
    public_map_data,
    public_organisation,
    public_organisations,
)
from forum_crm.security import embeddable

bp = Blueprint("public", __name__, url_prefix="/public")
bp.before_request(limit_public_requests)

@bp.route("/map")
@public
@embeddable
def organisation_map():
    def build() -> Response:
        form = PublicFilterForm(request.args, public_areas())
        return Response(render_template("public/map.html", form=form, map=_rendered_map(form.filters())))

    return cached(build)


@bp.route("/map.js")
@public
def organisation_map_script():
    """The map's script, for /public/map with the same filters (a file, not an inline script, so that the page
    needs no per-response nonce and stays the same for every visitor: cacheable)."""
    return cached(lambda: Response(str(_rendered_map(PublicFilterForm(request.args, public_areas()).filters()).script),
                                   mimetype="text/javascript"))


def _rendered_map(filters: PublicFilters) -> RenderedMap:
    """The public map from the app's cache, built again when the data (or the day) has changed."""
    cache = current_app.extensions.setdefault("forum_crm.public_map_cache", MapCache())
    tiles = current_app.config["MAP_TILES"]

    def build() -> RenderedMap:
        links = url_for(".organisation_detail", id=0, lang=str(get_locale())).replace("/0?", "/{id}?")
        bounds = voivodeship_bounds(filters.voivodeship) if filters.voivodeship else None
        return build_map(public_map_data(filters, ORGANISATIONS_PER_POPUP), exact=False, organisation_url=links,
                         assets=MapAssets.served(), tiles=tile_source(tiles), bounds=bounds, public=True)

    return cache.get((map_data_version(), date.today()), (filters, str(get_locale()), tiles), build)


@bp.route("/organisations")
@public
@embeddable
def organisation_list():
    def build() -> Response:
        form = PublicFilterForm(request.args, public_areas())
        page = paginate(public_organisations(form.filters()))
        profiles = [PublicProfile.of(row[0]) for row in page.items]
        return Response(render_template("public/organisation_list.html", form=form, page=page, profiles=profiles))

    return cached(build)


@bp.route("/organisations/<id:id>")
@public
@embeddable
def organisation_detail(id: int):
    def build() -> Response:
        organisation = public_organisation(id)
        if organisation is None:
            abort(404)
        return Response(render_template("public/organisation_detail.html", profile=PublicProfile.of(organisation)))

    return cached(build)


def _calendar(name: str, events: list[CalendarEvent]) -> Response:
    return Response(calendar_text(name, events), mimetype="text/calendar")


@bp.route("/editions.ics")
@public
def edition_calendar():
    """The editions marked public: dates, town and theme."""
    def build() -> Response:
        events = [CalendarEvent(uid("edition", edition.id), edition.start_date, edition.end_date,
                                f"{roman(edition.number)} Forum" + (f": {edition.theme}" if edition.theme else ""),
                                edition.town)
                  for edition in public_editions()]
        return _calendar(current_app.config["SITE_NAME"], events)

    return cached(build)


@bp.route("/calendar/<token>.ics")
@public
def personal_calendar(token: str):
    """A member's own editions, at the secret address shown on their profile (404 for an old or wrong one)."""
    account = account_of(token)
    if account is None:
        abort(404)
    response = _calendar(gettext("%(site)s: my editions", site=current_app.config["SITE_NAME"]),
                         registered_editions(account.person_id))
    response.headers["Cache-Control"] = "private, no-cache"
    return response

"""The read-only API (/api/v1): organisations that chose to be shown (only their published fields) and public
editions, as JSON; its OpenAPI description. No personal data of people, ever.

Cross-origin reads are allowed to EMBED_ORIGINS; answers carry ETags and may be cached for a few minutes.
"""

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from forum_crm.api.openapi import openapi_description
from forum_crm.auth.permissions import public
from forum_crm.models import Voivodeship
from forum_crm.models.events import roman
from forum_crm.pagination import page_number
from forum_crm.public.caching import cached
from forum_crm.public.limits import limit_public_requests
from forum_crm.public.queries import PublicFilters, PublicProfile, organisations_page, public_editions
from forum_crm.validators import ascii_int

bp = Blueprint("api", __name__, url_prefix="/api")
bp.before_request(limit_public_requests)

PER_PAGE, MAX_PER_PAGE = 50, 200


@bp.after_request
def allow_configured_origins(response: Response) -> Response:
    """CORS: the configured sites may read the API from their pages' scripts (GET only, no credentials)."""
    origin = request.headers.get("Origin")
    if origin and origin in current_app.config["EMBED_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
    response.vary.add("Origin")
    return response


def _organisation_json(profile: PublicProfile) -> dict:
    """The published fields only: an unpublished field is left out, not sent empty."""
    fields = {"id": profile.id, "name": profile.name, "short_name": profile.short_name, "town": profile.town,
              "voivodeship": profile.voivodeship.value if profile.voivodeship else None, "areas": profile.areas,
              "languages": profile.languages, "website": profile.website, "email": profile.email}
    return {name: value for name, value in fields.items() if value is not None}


@bp.route("/v1/organisations")
@public
def organisations():
    """A page of public organisations in Polish order; ?q= (name), ?voivodeship=, ?page=, ?per_page=."""
    voivodeship = request.args.get("voivodeship") or None
    if voivodeship is not None and voivodeship not in {v.value for v in Voivodeship}:
        return jsonify(error="unknown voivodeship", allowed=[v.value for v in Voivodeship]), 400
    per_page = min(ascii_int(request.args.get("per_page")) or PER_PAGE, MAX_PER_PAGE)
    filters = PublicFilters(search=(request.args.get("q") or "").strip()[:100] or None,
                            voivodeship=Voivodeship(voivodeship) if voivodeship else None)
    page = page_number()

    def build() -> Response:
        rows, more = organisations_page(filters, page, per_page)
        args = {**request.args.to_dict(), "page": page + 1, "per_page": per_page}
        return jsonify(items=[_organisation_json(PublicProfile.of(row)) for row in rows], page=page,
                       per_page=per_page, next=_address(".organisations", **args) if more else None)

    return cached(build)


@bp.route("/v1/editions")
@public
def editions():
    """Editions marked public, oldest first: dates, town and theme."""
    return cached(lambda: jsonify(items=[
        {"number": edition.number, "name": f"{roman(edition.number)} Forum",
         "start_date": edition.start_date.isoformat(), "end_date": edition.end_date.isoformat(),
         "town": edition.town, "theme": edition.theme}
        for edition in public_editions()]))


@bp.route("/v1/openapi.json")
@public
def openapi():
    return cached(lambda: jsonify(openapi_description(_address(".organisations").rsplit("/", 1)[0])))


def _address(endpoint: str, **values) -> str:
    """The full address of an API endpoint, from the site's BASE_URL (never from a request's Host header)."""
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)

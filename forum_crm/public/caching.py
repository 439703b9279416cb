"""Caching of the public pages and the API: the same answer for everyone, so it is built once per address and
language until the data change (in each process), and browsers and proxies may keep it too."""

from collections.abc import Callable
from datetime import date

from flask import Response, current_app, request
from flask_babel import get_locale

from forum_crm.mapping.maps import MapCache
from forum_crm.mapping.queries import map_data_version

CACHE_SECONDS = 300  # browsers and proxies may keep a public answer this long
CACHED_ANSWERS = 256  # answers kept in each process


def cached(build: Callable[[], Response]) -> Response:
    """The answer to this address in this language: kept from an earlier request while the data (and the day)
    are the same, else built by `build`. Public for caches for CACHE_SECONDS, with an ETag (a short 304 when
    unchanged). Only for answers that are the same for every visitor."""
    cache = current_app.extensions.setdefault("forum_crm.public_cache", MapCache(size=CACHED_ANSWERS))

    def answer() -> tuple[bytes, str]:
        response = build()
        return response.get_data(), response.mimetype

    body, mimetype = cache.get((map_data_version(), date.today()), (request.full_path, str(get_locale())), answer)
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.vary.add("Cookie")  # the language chosen in the session
    response.add_etag()
    return response.make_conditional(request)

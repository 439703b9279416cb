"""HTTP caching of the public pages and the API: the same answer for everyone, so browsers and proxies keep it."""

from flask import Response, request

CACHE_SECONDS = 300  # browsers and proxies may keep a public answer this long


def cacheable(response: Response) -> Response:
    """Public for caches, for CACHE_SECONDS; an ETag, so an unchanged answer is a short 304."""
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.vary.add("Cookie")  # the language chosen in the session
    response.add_etag()
    return response.make_conditional(request)

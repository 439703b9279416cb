"""Request hygiene: security headers on every response, Secure cookies over https, no NUL bytes in URLs,
ids in URLs that fit the database."""

import secrets
from collections.abc import Callable, Iterable

from flask import Response, abort, current_app, g, request, url_for
from werkzeug.routing import BaseConverter, ValidationError

from forum_crm.config import tile_source
from forum_crm.validators import MAX_ID, ascii_int

HSTS = "max-age=31536000; includeSubDomains"


class SecureCookiesOverHttps:
    """WSGI middleware: add the Secure flag to every cookie of a response to an https request.

    It wraps the whole app, so it also covers cookies set after Flask's after_request hooks
    (the session and Flask-Login's remember-me cookie). Behind a proxy, wrap with ProxyFix first.
    """

    def __init__(self, wsgi_app: Callable):
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status, headers, exc_info=None):
            headers = [
                (name, value + "; Secure")
                if name.lower() == "set-cookie" and "; secure" not in value.lower() else (name, value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start_response)


class IdConverter(BaseConverter):
    """`<id:name>`: a record's id in ASCII digits, 1 to MAX_ID; anything else (², 20 digits, 0) is a 404."""

    regex = "[0-9]+"
    weight = 50

    def to_python(self, value: str) -> int:
        if (number := ascii_int(value)) is None:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def record_urls(endpoint: str) -> Callable[[int], str]:
    """url_for(endpoint, id=...) for the many rows of a page: the address is built once and each id (written by
    IdConverter as its digits, which need no quoting) put in its place; building it for each row cost a tenth of a
    list page."""
    head, _, tail = url_for(endpoint, id=MAX_ID).rpartition(str(MAX_ID))
    return lambda id: f"{head}{int(id)}{tail}"


def refuse_nul_in_url():
    """before_request: a NUL byte in the query string is never meant (and PostgreSQL refuses it): 400."""
    if "\x00" in request.path or any("\x00" in value for value in request.args.values()):
        abort(400)


def csp_nonce() -> str:
    """This response's nonce for inline scripts: <script nonce="{{ csp_nonce() }}"> (a template global)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def embeddable(view: Callable) -> Callable:
    """A page the origins in EMBED_ORIGINS may show in an iframe (the public pages); every other page refuses."""
    view.embeddable = True
    return view


def _framing_origins() -> tuple[str, ...]:
    """Who may frame this response: nobody, or EMBED_ORIGINS for an embeddable view."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return current_app.config.get("EMBED_ORIGINS", ()) if getattr(view, "embeddable", False) else ()


def content_security_policy() -> str:
    """Scripts from this site or carrying this response's nonce; no plugins, eval or foreign forms; framing only
    of embeddable pages by the configured origins."""
    images = ["'self'", "data:"]
    tiles = tile_source(current_app.config.get("MAP_TILES", "none"))
    if tiles:
        images.append(tiles.origin)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{csp_nonce()}'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "object-src": ["'none'"],
        "frame-ancestors": list(_framing_origins()) or ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def set_security_headers(response: Response) -> Response:
    """after_request: the Content-Security-Policy and the other security headers, on every response."""
    response.headers["Content-Security-Policy"] = content_security_policy()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if not _framing_origins():  # X-Frame-Options cannot name origins: frame-ancestors alone allows them
        response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    return response

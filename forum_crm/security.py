"""Request hygiene that does not depend on settings: Secure cookies over https, no NUL bytes in URLs."""

from collections.abc import Callable, Iterable

from flask import abort, request


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


def refuse_nul_in_url():
    """before_request: a NUL byte in the query string is never meant (and PostgreSQL refuses it): 400."""
    if "\x00" in request.path or any("\x00" in value for value in request.args.values()):
        abort(400)

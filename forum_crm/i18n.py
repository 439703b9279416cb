"""Language choice: Polish by default, English on request; kept in the session."""

from flask import current_app, has_request_context, session


def N_(message: str) -> str:
    """Marks a message for translation where it is translated later (by Flask-Login, say)."""
    return message


def select_locale() -> str:
    """The session's language; outside a request (commands such as `flask gdpr retention`), the default."""
    chosen = session.get("lang") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]

"""Language choice: Polish by default, English on request; kept in the session, or named in the address
(`?lang=en`, for the public pages embedded in other sites, where the site's cookies do not travel)."""

from flask import current_app, request, session


def N_(message: str) -> str:
    """Marks a message for translation where it is translated later (by Flask-Login, say)."""
    return message


def select_locale() -> str:
    for chosen in (request.args.get("lang"), session.get("lang")):
        if chosen in current_app.config["LANGUAGES"]:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]

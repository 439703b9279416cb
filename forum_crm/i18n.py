"""Language choice: Polish by default, English or Ukrainian on request: named in the address (`?lang=en`, for the
public pages embedded in other sites, where the site's cookies do not travel), chosen in this session, or kept
by the account."""

from flask import current_app, has_request_context, request, session
from flask_login import current_user

# The interface languages, each named in itself (for the switch).
LANGUAGE_NAMES = {"pl": "Polski", "en": "English", "uk": "Українська"}


def N_(message: str) -> str:
    """Marks a message for translation where it is translated later (by Flask-Login, say)."""
    return message


def select_locale() -> str:
    """The language named in the address, chosen in this session, or kept by the account; outside a request
    (commands such as `flask gdpr retention`), the default."""
    if has_request_context():
        account = getattr(current_user, "language", None) if current_user else None
        for chosen in (request.args.get("lang"), session.get("lang"), account):
            if chosen in current_app.config["LANGUAGES"]:
                return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]

"""Language choice: Polish by default, English or Ukrainian on request: named in the address (`?lang=en`, for the
public pages embedded in other sites, where the site's cookies do not travel), chosen in this session, or kept
by the account."""

from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

# The interface languages, each named in itself (for the switch).
LANGUAGE_NAMES = {"pl": "Polski", "en": "English", "uk": "Українська"}
# Dates and times are formatted the European way in English too ("18–19 May 2023", 24-hour clock).
FORMATTING_LOCALES = {"en": "en_GB"}


def N_(message: str) -> str:
    """Marks a message for translation where it is translated later (by Flask-Login, say)."""
    return message


def select_locale() -> str:
    """The locale of the request: the language named in the address, chosen in this session or kept by the
    account (else Polish), with its formatting locale; outside a request (commands such as `flask gdpr
    retention`), the default."""
    language = current_app.config["BABEL_DEFAULT_LOCALE"]
    if has_request_context():
        account = getattr(current_user, "language", None) if current_user else None
        for chosen in (request.args.get("lang"), session.get("lang"), account):
            if chosen in current_app.config["LANGUAGES"]:
                language = chosen
                break
    return FORMATTING_LOCALES.get(language, language)


def ui_language() -> str:
    """The reader's language as the app names it: "pl", "en" or "uk" (not the formatting locale "en_GB")."""
    locale = get_locale()
    return locale.language if locale else "pl"

"""Language choice: Polish by default, English on request; kept in the session."""

from flask import current_app, session
from flask_babel import get_locale

# Dates and times are formatted the European way in English too ("18–19 May 2023", 24-hour clock).
FORMATTING_LOCALES = {"en": "en_GB"}


def N_(message: str) -> str:
    """Marks a message for translation where it is translated later (by Flask-Login, say)."""
    return message


def select_locale() -> str:
    """The locale of the request: the language chosen (or Polish), with its formatting locale."""
    chosen = session.get("lang")
    language = chosen if chosen in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]
    return FORMATTING_LOCALES.get(language, language)


def ui_language() -> str:
    """The reader's language as the app names it: "pl" or "en" (not the formatting locale "en_GB")."""
    locale = get_locale()
    return locale.language if locale else "pl"

"""Language choice: Polish by default, English or Ukrainian on request: named in the address (`?lang=en`, for the
public pages embedded in other sites, where the site's cookies do not travel), chosen in this session, or kept
by the account."""

from babel import Locale
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import Babel, Domain, get_domain, get_locale
from flask_babel.speaklater import LazyString
from flask_login import current_user
from werkzeug.utils import cached_property

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


def current_locale_object() -> Locale:
    """get_locale() for what asks it for each message or date of a page: the locale Flask-Babel keeps in the
    application context (chosen once, or forced by force_locale), read with one lookup of `g` rather than its four
    (a list page asked about a hundred times)."""
    state = getattr(g._get_current_object(), "_flask_babel", None)
    return getattr(state, "babel_locale", None) or get_locale()


def current_catalogue():
    """The current locale's translations, found once per locale an application context. Flask-Babel finds them
    again for every message (about 15 µs, and a list page shows a hundred messages); `force_locale` (an e-mail in
    its reader's language) gives another locale object, so it gets its own catalogue."""
    app_globals = g._get_current_object()
    locale = current_locale_object()
    cached = getattr(app_globals, "_catalogue", None)
    if cached is None or cached[0] is not locale:
        app_globals._catalogue = cached = (locale, Domain.get_translations(get_domain()))
    return cached[1]


def lazy_gettext(message: str, **variables) -> LazyString:
    """Flask-Babel's lazy_gettext (`_l`), translated through current_catalogue() when it is used: Flask-Babel's own
    path finds the domain with four lookups of `g` for each text (8 µs), and a list page's filter form uses about
    thirty (labels and choices)."""
    return LazyString(_catalogued_gettext, message, **variables)


def _catalogued_gettext(message: str, **variables) -> str:
    text = current_catalogue().ugettext(message) if has_app_context() else message
    return text % variables if variables else text


class CataloguedDomain(Domain):
    """Flask-Babel's domain, whose translations are current_catalogue(): gettext, ngettext and the lazy strings
    of forms and labels (a list page's filters resolve about sixty) no longer find the catalogue for each message."""

    def get_translations(self):
        return current_catalogue() if has_app_context() else super().get_translations()


class CataloguedBabel(Babel):
    """Flask-Babel with CataloguedDomain as the application's domain."""

    @cached_property
    def domain_instance(self):
        return CataloguedDomain(domain=self.domain)


def install_template_gettext(app: Flask) -> None:
    """Templates' _(), ngettext() and pgettext() through current_catalogue() (after Babel's init_app)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda message: current_catalogue().ugettext(message),
        ngettext=lambda singular, plural, number: current_catalogue().ungettext(singular, plural, number),
        pgettext=lambda context, message: current_catalogue().upgettext(context, message),
        npgettext=lambda context, singular, plural, number: current_catalogue().unpgettext(
            context, singular, plural, number),
        newstyle=True)

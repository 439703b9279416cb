"""Every user-facing message of the code and templates has a Polish and a Ukrainian translation, with each
language's plural forms."""

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale, format_date, get_locale, gettext, lazy_gettext, ngettext, refresh

from forum_crm.i18n import current_locale_object
from forum_crm.labels import day_format

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "forum_crm" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "N_": None, "lazy_gettext": None,
            "gettext_markup": None, "ngettext_markup": (1, 2)}


def extracted_messages() -> set[str]:
    method_map = [("forum_crm/**.py", "python"), ("templates/**.html", "jinja2")]
    messages = set()
    options_map = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map=method_map, options_map=options_map, keywords=KEYWORDS):
        messages.add(message[0] if isinstance(message, tuple) else message)
    return messages


def catalog_of(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_every_message_is_translated(language):
    catalog = catalog_of(language)
    translated = {
        (message.id[0] if isinstance(message.id, tuple) else message.id)
        for message in catalog
        if message.id and "fuzzy" not in message.flags
        and all(message.string if isinstance(message.string, tuple) else [message.string])
    }
    missing = extracted_messages() - translated
    assert not missing, f"untranslated: {sorted(missing)}"


def test_polish_catalog_has_three_plural_forms():
    assert catalog_of("pl").num_plurals == 3


def test_ukrainian_catalog_has_cldrs_four_plural_forms_and_every_message_fills_them():
    catalog = catalog_of("uk")
    assert catalog.num_plurals == 4
    assert all(len(message.string) == 4 and all(message.string) for message in catalog
               if message.id and isinstance(message.id, tuple))


@pytest.mark.parametrize(("count", "expected"), [
    (1, "1 організація"), (2, "2 організації"), (4, "4 організації"), (5, "5 організацій"), (11, "11 організацій"),
    (12, "12 організацій"), (21, "21 організація"), (22, "22 організації"), (25, "25 організацій"),
    (111, "111 організацій"), (1000, "1000 організацій")])
def test_ukrainian_plurals_follow_the_number(app, count, expected):
    with app.test_request_context(), force_locale("uk"):
        assert ngettext("%(num)s organisation", "%(num)s organisations", count) == expected


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_translations_keep_the_placeholders(language):
    """A translation that drops or renames a %(name)s placeholder would break the page that shows it."""
    wrong = []
    for message in catalog_of(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(re.findall(r"%\((\w+)\)s", ids[-1]))
        if any(set(re.findall(r"%\((\w+)\)s", string)) != expected for string in strings if string):
            wrong.append(ids[0])
    assert not wrong, wrong


def test_the_date_filter_remembers_plain_dates_per_language(ctx):
    """labels.day_format formats as Flask-Babel's `dateformat` does, each language its own way."""
    day = date(2023, 5, 18)
    for language in ("pl", "en_GB", "uk"):
        with force_locale(language):
            for format in (None, "full", "medium"):
                assert day_format(day, format) == day_format(day, format) == format_date(day, format)
            moment = datetime(2023, 5, 18, 22, 30)
            assert day_format(moment) == format_date(moment)
    with force_locale("pl"):
        polish = day_format(day, "full")
    with force_locale("en_GB"):
        assert day_format(day, "full") != polish


def test_messages_follow_the_locale_forced_inside_a_request(app):
    """gettext and lazy strings read the catalogue kept for the request's locale (i18n.CataloguedDomain): a locale
    forced for a while (an e-mail in its reader's language) gets its own, and the request's comes back after."""
    name = lazy_gettext("Name")
    with app.test_request_context("/"):
        assert (gettext("Organisations"), str(name)) == ("Organizacje", "Nazwa")
        with force_locale("en_GB"):
            assert (gettext("Organisations"), str(name)) == ("Organisations", "Name")
            with force_locale("uk"):
                assert gettext("Organisations") != "Organisations"
                assert gettext("Organisations") != "Organizacje"
        assert (gettext("Organisations"), str(name), ngettext("%(num)s person", "%(num)s people", 3)) == (
            "Organizacje", "Nazwa", "3 osoby")
    with app.test_request_context("/?lang=en"):
        assert (gettext("Organisations"), str(name)) == ("Organisations", "Name")


def test_the_locale_read_for_each_message_is_flask_babels(app):
    """i18n.current_locale_object reads the locale Flask-Babel keeps: chosen at the first message, forced for a while,
    chosen again after refresh()."""
    with app.test_request_context("/?lang=en"):
        assert str(current_locale_object()) == "en_GB" and current_locale_object() is get_locale()
        with force_locale("uk"):
            assert str(current_locale_object()) == "uk" and current_locale_object() is get_locale()
        assert str(current_locale_object()) == "en_GB"
        refresh()
        assert str(current_locale_object()) == "en_GB" and current_locale_object() is get_locale()

"""Form pieces every package uses: the record form with its version, confirmation, languages, filters."""

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from flask import url_for
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import HiddenField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from forum_crm.i18n import lazy_gettext as _l
from forum_crm.i18n import ui_language
from forum_crm.labels import VOIVODESHIPS, choices, language_name
from forum_crm.text import polish_sort_key

# Languages an organisation may work in; names are shown in the reader's language by Babel.
LANGUAGE_CODES = ("pl", "uk", "en", "ru", "be", "ka", "ar", "fa", "ps", "tr", "fr", "de", "es", "vi", "hi",
                  "zh", "so", "ti", "hy", "az", "kk", "uz", "tg", "ky")


VOIVODESHIP_CHOICES = [("", "—"), *sorted(choices(VOIVODESHIPS), key=lambda choice: polish_sort_key(choice[1]))]
YES_NO_ALL = (("", _l("All")), ("yes", _l("Yes")), ("no", _l("No")))


ARCHIVED = (("no", _l("Active")), ("yes", _l("Archived")), ("all", _l("All")))


SORT = (("name", _l("Name A-Ż")), ("-name", _l("Name Ż-A")))


def language_choices() -> list[tuple[str, str]]:
    """The languages named in the reader's language, in Polish alphabetical order."""
    return polish_sorted((code, language_name(code)) for code in LANGUAGE_CODES)


def polish_sorted(options: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Choices (value, label) in the Polish alphabetical order of their labels, as every list sorts."""
    return sorted(options, key=lambda option: polish_sort_key(str(option[1])))


def sorted_choices(labels: dict, empty: str | None = None) -> Callable[[], list[tuple[str, str]]]:
    """WTForms choices of translated names in Polish alphabetical order (which depends on the language), translated
    and sorted once per language rather than for every form made."""

    @cache
    def in_language(_language: str) -> tuple[tuple[str, str], ...]:
        options = [(value, str(text)) for value, text in choices(labels)]
        return (*([("", str(empty))] if empty is not None else []), *polish_sorted(options))

    return lambda: list(in_language(ui_language()))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class RecordForm(FlaskForm):
    """A form that edits a record: carries the version it was loaded at, to catch concurrent edits."""

    version = HiddenField()
    record_id: int | None = None
    # The change-log fields its user may see when an edit conflicts (None: all of them).
    logged_fields: frozenset[str] | None = None


class ConfirmForm(FlaskForm):
    """Only the CSRF token: confirms an action such as archiving."""


class EndpointUrl:
    """An endpoint's URL worked out when a field is rendered (url_for needs a request), for a field's render_kw."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint

    def __str__(self) -> str:
        return url_for(self.endpoint)

    def __html__(self) -> str:
        return str(escape(str(self)))


def suggesting(endpoint: str, create_endpoint: str | None = None, lines: bool = False) -> dict:
    """render_kw for a field that takes a record typed exactly: static/js/suggest.js offers the matches of the JSON
    endpoint as one types (and, with `create_endpoint`, creating a missing one); `lines`: one record a line."""
    attributes = {"data-suggest": EndpointUrl(endpoint), "autocomplete": "off"}
    if create_endpoint:
        attributes["data-create"] = EndpointUrl(create_endpoint)
    if lines:
        attributes["data-suggest-lines"] = "1"
    return attributes

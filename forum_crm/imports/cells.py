"""Reading the cells of a row: text through the row forms, other cells (flags, dates, voivodeships, sectors,
languages) through the parsers here, which raise CellError with a message for the coordinator."""

from collections.abc import Callable
from datetime import date
from typing import Any

from babel import Locale
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from forum_crm.forms import LANGUAGE_CODES
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.imports.forms import RowForm
from forum_crm.imports.parsing import MAX_CELL, Row, parse_date, parse_flag
from forum_crm.imports.plan import WHOLE_NAMES, Columns, Problem
from forum_crm.labels import SECTORS
from forum_crm.models import Sector, Voivodeship
from forum_crm.text import fold

KRS_DIGITS = 10

class CellError(ValueError):
    """A cell's value is not acceptable; `message` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# Sector names people write besides ours ("fundacja" is an NGO).
SECTOR_WORDS = {"fundacja": Sector.NGO, "stowarzyszenie": Sector.NGO, "organizacja pozarzadowa": Sector.NGO,
                "samorzad": Sector.LOCAL_GOVERNMENT, "jst": Sector.LOCAL_GOVERNMENT, "uczelnia": Sector.UNIVERSITY,
                "firma": Sector.BUSINESS, "company": Sector.BUSINESS}


def read_flag(text: str) -> bool:
    """Yes or no: tak, x or 1 mean yes; nie or an empty cell no."""
    value = parse_flag(text)
    if value is None:
        raise CellError(_l("Write yes or no here (tak or nie; x or 1 also mean yes, an empty cell no)."))
    return value


def read_date(text: str) -> date | None:
    """A date as 2023-05-18 or 18.05.2023; None for an empty cell."""
    if not text.strip():
        return None
    day = parse_date(text)
    if day is None:
        raise CellError(_l("Enter a date as 2023-05-18 or 18.05.2023."))
    return day


VOIVODESHIPS = {fold(voivodeship.value): voivodeship for voivodeship in Voivodeship}


def read_voivodeship(text: str) -> Voivodeship | None:
    """A voivodeship by its name, with or without "województwo"; None for an empty cell."""
    folded = fold(text).removeprefix("wojewodztwo").removeprefix("woj.").removeprefix("woj").strip()
    if not folded:
        return None
    if folded not in VOIVODESHIPS:
        raise CellError(_l("There is no voivodeship called %(name)s.", name=text.strip()))
    return VOIVODESHIPS[folded]


def _in_both_languages(label) -> set[str]:
    names = set()
    for language in ("pl", "en"):
        with force_locale(language):
            names.add(fold(str(label)))
    return names


def sector_reader() -> Callable[[str], Sector | None]:
    """A parser of sectors named in Polish or English, or by the words people use (SECTOR_WORDS)."""
    names = {**{fold(sector.value): sector for sector in Sector}, **SECTOR_WORDS}
    for sector, label in SECTORS.items():
        names.update(dict.fromkeys(_in_both_languages(label), sector))
    shown = ", ".join(sorted(str(label) for label in SECTORS.values()))

    def parse(text: str) -> Sector | None:
        if not text.strip():
            return None
        if fold(text) not in names:
            raise CellError(_l("There is no sector called %(name)s; use one of: %(sectors)s.",
                               name=text.strip(), sectors=shown))
        return names[fold(text)]

    return parse


def languages_reader() -> Callable[[str], list[str]]:
    """A parser of lists of languages named in Polish or English, or by their codes."""
    names = {code: code for code in LANGUAGE_CODES}
    for code in LANGUAGE_CODES:
        for language in ("pl", "en"):
            names[fold(Locale.parse(code).get_display_name(language))] = code

    def parse(text: str) -> list[str]:
        codes = []
        for name in (part.strip() for part in text.replace(";", ",").split(",")):
            if not name:
                continue
            if fold(name) not in names:
                raise CellError(_l("There is no language called %(name)s; write names such as ukraiński or "
                                   "codes such as uk.", name=name))
            if names[fold(name)] not in codes:
                codes.append(names[fold(name)])
        return codes

    return parse


def split_areas(text: str | None) -> list[str]:
    """Areas of work from "pomoc prawna, edukacja; Pomoc prawna": each once, whatever its case."""
    areas: dict[str, str] = {}
    for area in (text or "").replace(";", ",").split(","):
        if area.strip():
            areas.setdefault(area.strip().casefold(), area.strip()[:80])
    return list(areas.values())


def split_name(text: str, surname_first: bool) -> tuple[str, str]:
    """(first name, last name) of "Anna Nowak-Kowalska", or of "Nowak Kowalska Anna" when `surname_first`;
    a last name may have two words, a first name has one. One word alone is a first name."""
    words = text.split()
    if len(words) < 2:
        return " ".join(words), ""
    if surname_first:
        return words[-1], " ".join(words[:-1])
    return words[0], " ".join(words[1:])


class RowChecker:
    """Cleans one row: text through the row form, other cells through `parser(field)`; collects problems.

    With `split_names`, a column of whole names (WHOLE_NAMES) fills the first and last name.
    """

    def __init__(self, columns: Columns, form_class: type[RowForm],
                 parser: Callable[[str], Callable[[str], Any] | None], split_names: bool = False):
        self.columns = columns
        self.form = form_class(formdata=None)
        self.parser = parser
        self.whole_name = next((name for name in WHOLE_NAMES if name in columns.index), None) if split_names else None
        self.cleaned: dict[tuple[str, str], tuple[Any, list]] = {}

    def clean(self, name: str, text: str) -> tuple[Any, list]:
        """The form field's data and errors for `text`, as the whole form's process and validate give them.

        Each field of a row form depends on its own text alone (its filters, validators and the form's
        filter_<name> and validate_<name>), so a text met before in the file (a town, an organisation, a first
        name...) is not checked again: text data and the errors are kept (lists and other data are not)."""
        key = (name, text)
        if key in self.cleaned:
            return self.cleaned[key]
        field, form_class = self.form[name], type(self.form)
        inline_filter = getattr(self.form, f"filter_{name}", None)
        field.process(MultiDict({field.name: text}), extra_filters=[inline_filter] if inline_filter else [])
        inline = getattr(form_class, f"validate_{name}", None)
        field.validate(self.form, [inline] if inline is not None else ())
        result = field.data, list(field.errors)
        if field.data is None or isinstance(field.data, str):
            self.cleaned[key] = result
        return result

    def column(self, name: str) -> str:
        """The column a field comes from: a split name from the column of whole names."""
        if self.whole_name and name in ("first_name", "last_name"):
            return self.columns.name(self.whole_name)
        return self.columns.name(name)

    def check(self, row: Row) -> tuple[dict[str, Any], list[Problem]]:
        problems: list[Problem] = []
        texts: dict[str, str] = {}
        for name, index in self.columns.index.items():
            text = row.cell(index)
            if len(text) > MAX_CELL:
                problems.append(Problem(row.number, self.columns.name(name),
                                        _("This cell has more than %(count)s characters.", count=MAX_CELL)))
            else:
                texts[name] = text
        if self.whole_name and self.whole_name in texts:
            whole = texts.pop(self.whole_name)
            texts["first_name"], texts["last_name"] = split_name(whole, WHOLE_NAMES[self.whole_name])
            if whole.strip() and not texts["last_name"]:
                problems.append(Problem(row.number, self.column("last_name"),
                                        _("Write both the first and the last name here.")))
        if texts.get("krs", "").strip().isdigit():
            texts["krs"] = texts["krs"].strip().zfill(KRS_DIGITS)  # Excel drops the zeros KRS numbers start with
        values: dict[str, Any] = {}
        for name, text in texts.items():
            if name in self.form:
                data, errors = self.clean(name, text)
                if not any(problem.column == self.column(name) for problem in problems):  # one for a split name
                    problems.extend(Problem(row.number, self.column(name), str(error)) for error in errors)
                if not errors:
                    values[name] = data
                continue
            parse = self.parser(name)
            if parse is None:
                continue
            try:
                values[name] = parse(text)
            except CellError as error:
                problems.append(Problem(row.number, self.columns.name(name), str(error.message)))
        if values.get("email"):
            values["email"] = values["email"].lower()
        return values, problems

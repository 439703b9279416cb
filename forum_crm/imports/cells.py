"""Reading the cells of a row: text through the row forms, other cells (flags, dates, voivodeships, sectors,
languages) through the parsers here, which raise CellError with a message for the coordinator."""

from collections.abc import Callable
from datetime import date
from typing import Any

from babel import Locale
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from forum_crm.forms import LANGUAGE_CODES
from forum_crm.imports.forms import RowForm
from forum_crm.imports.parsing import MAX_CELL, Row, parse_date, parse_flag
from forum_crm.imports.plan import Columns, Problem
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


class RowChecker:
    """Cleans one row: text through the row form, other cells through `parser(field)`; collects problems."""

    def __init__(self, columns: Columns, form_class: type[RowForm],
                 parser: Callable[[str], Callable[[str], Any] | None]):
        self.columns = columns
        self.form = form_class(formdata=None)
        self.parser = parser

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
        if texts.get("krs", "").strip().isdigit():
            texts["krs"] = texts["krs"].strip().zfill(KRS_DIGITS)  # Excel drops the zeros KRS numbers start with
        self.form.process(MultiDict({name: text for name, text in texts.items() if name in self.form}))
        self.form.validate()
        values: dict[str, Any] = {}
        for name, text in texts.items():
            if name in self.form:
                errors = self.form[name].errors
                problems.extend(Problem(row.number, self.columns.name(name), str(error)) for error in errors)
                if not errors:
                    values[name] = self.form[name].data
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

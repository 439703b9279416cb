"""Checking a file before anything is written: what each row would do, and what is wrong with it.

A plan names every problem by its row (the header is row 1) and column; a file with a problem is
not imported at all. The rules for a row are the forms' rules (see imports.forms and imports.cells),
plus the gazetteer for towns (imports.towns) and the database for duplicates (imports.matching), which
are looked up once per file. Each kind of import has its own module: imports.plan_organisations,
imports.plan_people and imports.plan_attendance.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from forum_crm.i18n import lazy_gettext as _l
from forum_crm.imports.parsing import IGNORE, Table, column_letter, day_of_header, guess_fields
from forum_crm.labels import FIELDS
from forum_crm.models import Edition
from forum_crm.spreadsheets.columns import (
    ATTENDANCE_COLUMNS,
    ORGANISATION_IMPORT_COLUMNS,
    PERSON_IMPORT_COLUMNS,
    Column,
)

CREATE, UPDATE, UNCHANGED, SKIP, UNKNOWN = "create", "update", "unchanged", "skip", "unknown"
DAY = "day:"  # attendance fields of the edition's days: "day:2023-05-18"
Progress = Callable[[int], None] | None
# The fields of a column holding whole names: its first word is the first name ("Imię i nazwisko"), or its
# last word is ("Nazwisko i imię", True here); the rest is the other name.
WHOLE_NAMES = {"full_name": False, "reversed_name": True}

FIELD_LABELS = {
    **FIELDS, "town": FIELDS["locality"], "directory_consent": FIELDS["directory_consent_at"],
    "map_consent": FIELDS["map_consent_at"], "consent_given_on": _l("Consent given on"),
    "full_name": _l("First and last name"), "reversed_name": _l("Last and first name"),
    "affiliation": FIELDS["organisation"],
    "organisation_id": FIELDS["organisation"], "days": FIELDS["days_attended"],
}
ACTION_LABELS = {CREATE: _l("New"), UPDATE: _l("Updated"), UNCHANGED: _l("Unchanged"), SKIP: _l("Skipped"),
                 UNKNOWN: _l("Not found")}


def field_label(name: str) -> str:
    """How a field is named to people: "E-mail", or a day of an edition as its date."""
    if name.startswith(DAY):
        return format_date(date.fromisoformat(name.removeprefix(DAY)))
    return str(FIELD_LABELS.get(name, name))


@dataclass
class Problem:
    row: int  # 1: the header, or the file as a whole
    column: str  # "C (E-mail)", or empty for the whole row
    message: str


@dataclass
class Planned:
    """What one row will do: create, update (fill `fills`), leave unchanged, or skip."""

    row: int
    action: str
    label: str
    values: dict[str, Any]
    record_id: int | None = None
    fills: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """Every row's outcome and every problem; `records`: the stored records the rows match, by id."""

    kind: str
    rows: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    records: dict[int, Any] = field(default_factory=dict)
    towns_to_pick: list[Any] = field(default_factory=list)  # imports.towns.TownChoice: names several places share

    @property
    def is_valid(self) -> bool:
        return not self.problems

    def counts(self) -> Counter[str]:
        return Counter(planned.action for planned in self.rows)

    def rows_to(self, *actions: str) -> list[Planned]:
        return [planned for planned in self.rows if planned.action in actions]


@dataclass(frozen=True)
class Kind:
    """A kind of import: its columns, and the fields a column may be given in the mapping step."""

    name: str
    columns: tuple[Column, ...]

    def fields(self, edition: Edition | None = None) -> list[tuple[str, str]]:
        """(field, label) choices for a column the headers did not name."""
        named = [(column.field, field_label(column.field)) for column in self.columns if column.field]
        days = [(f"{DAY}{day.isoformat()}", field_label(f"{DAY}{day.isoformat()}"))
                for day in (edition.days if edition else [])]
        return named + days

    def whole_names(self, fields: Sequence[str | None]) -> str | None:
        """The field of the file's column of whole names, if this kind splits them (WHOLE_NAMES)."""
        if not all(any(column.field == name for column in self.columns) for name in WHOLE_NAMES):
            return None
        return next((name for name in fields if name in WHOLE_NAMES), None)

    def guess(self, table: Table, edition: Edition | None = None) -> list[str | None]:
        """Each column's field from its header (None: unknown; IGNORE: known, not imported)."""
        days = edition.days if edition else []

        def day_field(header: str) -> str | None:
            day = day_of_header(header, days)
            return f"{DAY}{day.isoformat()}" if day else None

        return guess_fields(table.headers, self.columns, day_field if days else None)


ORGANISATIONS = Kind("organisations", ORGANISATION_IMPORT_COLUMNS)
PEOPLE = Kind("people", PERSON_IMPORT_COLUMNS)
ATTENDANCE = Kind("attendance", ATTENDANCE_COLUMNS)


def with_choices(guesses: Sequence[str | None], chosen: dict[int, str]) -> list[str | None]:
    """The guessed fields with the coordinator's choices for the columns not guessed."""
    return [chosen.get(index, IGNORE) if guess is None else guess for index, guess in enumerate(guesses)]


class Columns:
    """Which column holds which field; two columns for one field, or a missing required one, are problems."""

    def __init__(self, table: Table, fields: Sequence[str | None]):
        self.headers = table.headers
        self.index: dict[str, int] = {}
        self.problems: list[Problem] = []
        for index, name in enumerate(fields):
            if not name:
                continue
            if name in self.index:
                self.problems.append(Problem(1, self.name_of(index), _(
                    "Columns %(first)s and %(second)s both hold %(field)s: set one of them not to be imported.",
                    first=column_letter(self.index[name]), second=column_letter(index), field=field_label(name))))
            else:
                self.index[name] = index

    def name_of(self, index: int) -> str:
        header = self.headers[index] if index < len(self.headers) else ""
        return f"{column_letter(index)} ({header})" if header else column_letter(index)

    def name(self, field_name: str) -> str:
        return self.name_of(self.index[field_name]) if field_name in self.index else ""

    def require(self, *names: str) -> None:
        for name in names:
            if name not in self.index:
                self.problems.append(Problem(1, "", _("The file needs a column for %(field)s.",
                                                      field=field_label(name))))

    def days(self) -> dict[str, date]:
        return {name: date.fromisoformat(name.removeprefix(DAY)) for name in self.index if name.startswith(DAY)}


def advance(progress: Progress) -> None:
    """Count one more row done, if someone is following the progress."""
    if progress is not None:
        progress(1)

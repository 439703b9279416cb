"""Checking a file before anything is written: what each row would do, and what is wrong with it.

A plan names every problem by its row (the header is row 1) and column; a file with a problem is
not imported at all. The rules for a row are the forms' rules (see imports.forms), plus the
gazetteer for towns and the database for duplicates, which are looked up once per file.

Matching and updating (the same file imported twice changes nothing the second time):
- an organisation is the one with the row's KRS, NIP or name (case and Polish letters ignored);
- a person is the one with the row's e-mail; without an e-mail (or if nobody has it), the only
  person with the same first and last name and no e-mail of their own;
- a record that is already there only gets its empty fields filled (a flag that is "no" becomes
  "yes", areas of work, languages and an affiliation are added); values that differ are kept and
  shown in the preview, never overwritten;
- a row repeated in the file is skipped; two rows about the same record with different values
  are a problem.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel import Locale
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from forum_crm.changelog import loggable
from forum_crm.forms import LANGUAGE_CODES
from forum_crm.imports.forms import AttendanceRowForm, OrganisationRowForm, PersonRowForm, RowForm
from forum_crm.imports.parsing import (
    IGNORE,
    MAX_CELL,
    Row,
    Table,
    column_letter,
    day_of_header,
    guess_fields,
    parse_date,
    parse_flag,
)
from forum_crm.imports.queries import (
    OrganisationIndex,
    PersonIndex,
    PersonKeys,
    edition_participations,
    name_key,
    organisations_by_id,
    people_by_id,
    represented_organisations,
)
from forum_crm.labels import FIELDS, SECTORS, change_value
from forum_crm.localities.gazetteer import Place
from forum_crm.localities.queries import AmbiguousTown, UnknownTown, find_town
from forum_crm.models import (
    Edition,
    Locality,
    Organisation,
    Participation,
    ParticipationStatus,
    Person,
    Sector,
    Voivodeship,
)
from forum_crm.spreadsheets.columns import ATTENDANCE_COLUMNS, ORGANISATION_COLUMNS, PERSON_COLUMNS, Column
from forum_crm.text import fold

CREATE, UPDATE, UNCHANGED, SKIP, UNKNOWN = "create", "update", "unchanged", "skip", "unknown"
KRS_DIGITS = 10
DAY = "day:"  # attendance fields of the edition's days: "day:2023-05-18"
Progress = Callable[[int], None] | None

FIELD_LABELS = {
    **FIELDS, "town": FIELDS["locality"], "directory_consent": FIELDS["directory_consent_at"],
    "map_consent": FIELDS["map_consent_at"], "consent_given_on": _l("Consent given on"),
    "full_name": _l("First and last name"), "affiliation": FIELDS["organisation"],
    "organisation_id": FIELDS["organisation"], "days": FIELDS["days_attended"],
}
ACTION_LABELS = {CREATE: _l("New"), UPDATE: _l("Updated"), UNCHANGED: _l("Unchanged"), SKIP: _l("Skipped"),
                 UNKNOWN: _l("Not found")}
# Sector names people write besides ours ("fundacja" is an NGO).
SECTOR_WORDS = {"fundacja": Sector.NGO, "stowarzyszenie": Sector.NGO, "organizacja pozarzadowa": Sector.NGO,
                "samorzad": Sector.LOCAL_GOVERNMENT, "jst": Sector.LOCAL_GOVERNMENT, "uczelnia": Sector.UNIVERSITY,
                "firma": Sector.BUSINESS, "company": Sector.BUSINESS}


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

    def guess(self, table: Table, edition: Edition | None = None) -> list[str | None]:
        """Each column's field from its header (None: unknown; IGNORE: known, not imported)."""
        days = edition.days if edition else []

        def day_field(header: str) -> str | None:
            day = day_of_header(header, days)
            return f"{DAY}{day.isoformat()}" if day else None

        return guess_fields(table.headers, self.columns, day_field if days else None)


ORGANISATIONS = Kind("organisations", ORGANISATION_COLUMNS)
PEOPLE = Kind("people", PERSON_COLUMNS)
ATTENDANCE = Kind("attendance", ATTENDANCE_COLUMNS)


def with_choices(guesses: Sequence[str | None], chosen: dict[int, str]) -> list[str | None]:
    """The guessed fields with the coordinator's choices for the columns not guessed."""
    return [chosen.get(index, IGNORE) if guess is None else guess for index, guess in enumerate(guesses)]


class CellError(ValueError):
    """A cell's value is not acceptable; `message` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


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


# Cells other than text: parsers raise CellError

def _flag(text: str) -> bool:
    value = parse_flag(text)
    if value is None:
        raise CellError(_l("Write yes or no here (tak or nie; x or 1 also mean yes, an empty cell no)."))
    return value


def _date(text: str) -> date | None:
    if not text.strip():
        return None
    day = parse_date(text)
    if day is None:
        raise CellError(_l("Enter a date as 2023-05-18 or 18.05.2023."))
    return day


VOIVODESHIPS = {fold(voivodeship.value): voivodeship for voivodeship in Voivodeship}


def _voivodeship(text: str) -> Voivodeship | None:
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


def _sector_parser() -> Callable[[str], Sector | None]:
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


def _languages_parser() -> Callable[[str], list[str]]:
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


class Towns:
    """Finds each town of a file once (name and voivodeship -> stored locality or gazetteer place)."""

    def __init__(self):
        self.found: dict[tuple[str, Voivodeship | None], Locality | Place | CellError] = {}

    def resolve(self, values: dict[str, Any], row: Row, columns: Columns, problems: list[Problem]) -> None:
        """Replace values["town"] (a name) by the place it means; a problem if none or several."""
        name, voivodeship = values.get("town"), values.pop("voivodeship", None)
        if not name:
            values["town"] = None
            return
        key = (fold(name), voivodeship)
        if key not in self.found:
            self.found[key] = self._find(name, voivodeship)
        found = self.found[key]
        if isinstance(found, CellError):
            problems.append(Problem(row.number, columns.name("town"), str(found.message)))
            values["town"] = None
        else:
            values["town"] = found

    @staticmethod
    def _find(name: str, voivodeship: Voivodeship | None) -> Locality | Place | CellError:
        try:
            return find_town(name, voivodeship)
        except AmbiguousTown as ambiguous:
            return CellError(_l("There are several places called %(name)s (%(where)s): add a Voivodeship column "
                                "and give the voivodeship.", name=name, where=", ".join(ambiguous.voivodeships)))
        except UnknownTown:
            return CellError(_l("We do not know a town called %(name)s. Check the spelling, or add the town under "
                                "Towns first.", name=name))


def _town_label(town: Locality | Place | None) -> str | None:
    if town is None:
        return None
    return f"{town.name} ({town.voivodeship})" if town.voivodeship else town.name


def _same_town(town: Locality | Place, locality: Locality) -> bool:
    return (town.name, town.voivodeship) == (locality.name, locality.voivodeship)


def _advance(progress: Progress) -> None:
    if progress is not None:
        progress(1)


class FileKeys:
    """Rows already seen, by key: a repeated row is skipped, a different row with the same key is a problem."""

    def __init__(self):
        self.rows: dict[tuple[str, Any], Planned] = {}
        self.records: dict[int, Planned] = {}

    def earlier(self, keys: Iterable[tuple[str, Any]]) -> tuple[str, Planned] | None:
        for name, key in keys:
            if key and (name, key) in self.rows:
                return name, self.rows[(name, key)]
        return None

    def add(self, planned: Planned, keys: Iterable[tuple[str, Any]]) -> None:
        for name, key in keys:
            if key:
                self.rows.setdefault((name, key), planned)
        if planned.record_id is not None:
            self.records.setdefault(planned.record_id, planned)


def _repeat_or_problem(row: Row, values: dict, label: str, earlier: tuple[str, Planned], columns: Columns,
                       problems: list[Problem]) -> Planned | None:
    """A row with the key of an earlier one: skipped if it says the same, else a problem."""
    name, first = earlier
    if first.values == values:
        return Planned(row.number, SKIP, label, values, notes=[_("The same as row %(row)s.", row=first.row)])
    problems.append(Problem(row.number, columns.name(name), _(
        "Row %(row)s has the same %(field)s with other values: keep one of the two rows.",
        row=first.row, field=field_label(name))))
    return None


def _shown(value: Any) -> str:
    if isinstance(value, Locality | Place):
        return _town_label(value) or "—"
    return change_value(loggable(value))


def _kept(planned: Planned, name: str, current: Any, value: Any) -> None:
    planned.notes.append(_("%(field)s: kept %(kept)s; the file has %(value)s.",
                           field=field_label(name), kept=_shown(current), value=_shown(value)))


def _fill(planned: Planned, name: str, current: Any, value: Any) -> None:
    """Fill an empty field; note a different value that is kept."""
    if value in (None, "", False) or value == current:
        return
    if current in (None, "", False):
        planned.fills[name] = value
    elif not isinstance(value, bool):
        _kept(planned, name, current, value)


def _fill_town(planned: Planned, current: Locality | None, town: Locality | Place | None) -> None:
    if town is None or (current is not None and _same_town(town, current)):
        return
    if current is None:
        planned.fills["town"] = town
    else:
        _kept(planned, "town", current, town)


def _settle(planned: Planned) -> None:
    planned.action = UPDATE if planned.fills else UNCHANGED


MATCHED_AT_ONCE = 1_000
NAMESAKES_SHOWN = 3


def _compare_matched(plan: Plan, load: Callable[[Iterable[int]], dict[int, Any]],
                     compare: Callable[[Planned, Any], None]) -> None:
    """Compare the rows that match stored records with them, loading MATCHED_AT_ONCE records at a time;
    the records that will change are kept in plan.records, the others let go."""
    matched = plan.rows_to(UPDATE)
    for start in range(0, len(matched), MATCHED_AT_ONCE):
        batch = matched[start:start + MATCHED_AT_ONCE]
        records = load(planned.record_id for planned in batch)
        for planned in batch:
            compare(planned, records[planned.record_id])
            if planned.action == UPDATE:
                plan.records[planned.record_id] = records[planned.record_id]


def _some(people: list[PersonKeys]) -> str:
    """A few of the people a name matches: "Anna Nowak <a@example.org>; Anna Nowak; …"."""
    shown = "; ".join(person.label for person in people[:NAMESAKES_SHOWN])
    return shown + ("; …" if len(people) > NAMESAKES_SHOWN else "")


# Organisations

ORGANISATION_FILLED = ("short_name", "krs", "nip", "website", "email", "phone", "description", "forum_member_since",
                       "consortium_member")


def plan_organisations(table: Table, fields: Sequence[str | None], progress: Progress = None) -> Plan:
    """What importing organisations from `table` (its columns holding `fields`) would do."""
    columns = Columns(table, fields)
    columns.require("name")
    plan = Plan(ORGANISATIONS.name, problems=columns.problems)
    if plan.problems:
        return plan
    parsers = {"sector": _sector_parser(), "languages": _languages_parser(), "voivodeship": _voivodeship,
               "forum_member_since": _date, "consortium_member": _flag}
    checker = RowChecker(columns, OrganisationRowForm, parsers.get)
    towns, index, seen = Towns(), OrganisationIndex(), FileKeys()
    for row in table.rows:
        values, problems = checker.check(row)
        towns.resolve(values, row, columns, problems)
        values["areas"] = split_areas(values.get("areas"))
        if not problems:
            planned = _plan_organisation(row, values, index, seen, columns, problems)
            if planned is not None and not problems:
                plan.rows.append(planned)
        plan.problems.extend(problems)
        _advance(progress)
    _compare_matched(plan, organisations_by_id, _organisation_fills)
    return plan


def _plan_organisation(row: Row, values: dict, index: OrganisationIndex, seen: FileKeys, columns: Columns,
                       problems: list[Problem]) -> Planned | None:
    label = values["name"]
    keys = [("name", fold(values["name"])), ("krs", values.get("krs")), ("nip", values.get("nip"))]
    if earlier := seen.earlier(keys):
        return _repeat_or_problem(row, values, label, earlier, columns, problems)
    matches = {match.id: match for match in (index.by_name.get(fold(values["name"])),
                                            index.by_krs.get(values.get("krs") or ""),
                                            index.by_nip.get(values.get("nip") or "")) if match}
    if len(matches) > 1:
        problems.append(Problem(row.number, "", _(
            "The name, KRS and NIP of this row belong to different organisations: %(names)s.",
            names="; ".join(sorted(match.name for match in matches.values())))))
        return None
    record_id = next(iter(matches), None)
    if record_id is not None and record_id in seen.records:
        problems.append(Problem(row.number, "", _(
            "Row %(row)s is about the same organisation (%(name)s): keep one of the two rows.",
            row=seen.records[record_id].row, name=matches[record_id].name)))
        return None
    planned = Planned(row.number, UPDATE if record_id else CREATE, label, values, record_id)
    seen.add(planned, keys)
    return planned


def _organisation_fills(planned: Planned, organisation: Organisation) -> None:
    values = planned.values
    if values["name"] != organisation.name:
        _kept(planned, "name", organisation.name, values["name"])
    if values.get("sector") and values["sector"] != organisation.sector:
        _kept(planned, "sector", organisation.sector, values["sector"])
    for name in ORGANISATION_FILLED:
        _fill(planned, name, getattr(organisation, name), values.get(name))
    _fill_town(planned, organisation.locality, values.get("town"))
    present = {area.name.casefold() for area in organisation.areas}
    if areas := [area for area in values["areas"] if area.casefold() not in present]:
        planned.fills["areas"] = areas
    present_languages = {language.code for language in organisation.languages}
    if languages := [code for code in values.get("languages", []) if code not in present_languages]:
        planned.fills["languages"] = languages
    _settle(planned)


# People

PERSON_FILLED = ("email", "phone", "expertise", "notes", "consent_source", "forum_member", "leader")
PERSON_PARSERS = {"voivodeship": _voivodeship, "forum_member": _flag, "leader": _flag, "directory_consent": _flag,
                  "map_consent": _flag, "consent_given_on": _date}


def plan_people(table: Table, fields: Sequence[str | None], progress: Progress = None) -> Plan:
    """What importing people from `table` would do; each is linked to their organisation if it is known."""
    columns = Columns(table, fields)
    columns.require("first_name", "last_name")
    plan = Plan(PEOPLE.name, problems=columns.problems)
    if plan.problems:
        return plan
    checker = RowChecker(columns, PersonRowForm, PERSON_PARSERS.get)
    towns = Towns()
    checked: list[tuple[Row, dict]] = []
    for row in table.rows:
        values, problems = checker.check(row)
        towns.resolve(values, row, columns, problems)
        plan.problems.extend(problems)
        if not problems:
            checked.append((row, values))
        _advance(progress)
    people = PersonIndex({values["email"] for _row, values in checked if values.get("email")},
                         {name_key(values["first_name"], values["last_name"]) for _row, values in checked})
    organisations, seen = OrganisationIndex(), FileKeys()
    for row, values in checked:
        problems = []
        planned = _plan_person(row, values, people, organisations, seen, columns, problems)
        plan.problems.extend(problems)
        if planned is not None and not problems:
            plan.rows.append(planned)
    _compare_matched(plan, people_by_id, _person_fills)
    return plan


def _organisation_of(row: Row, values: dict, organisations: OrganisationIndex, columns: Columns,
                     problems: list[Problem]) -> int | None:
    """The organisation named in the row, or else the only one at the domain of the person's e-mail."""
    if values.get("organisation"):
        named = organisations.named(values["organisation"])
        if len(named) == 1:
            return named[0].id
        message = (_("Several organisations have the short name %(name)s: write the full name.",
                     name=values["organisation"]) if named else
                   _("There is no organisation called %(name)s: import or add it first.", name=values["organisation"]))
        problems.append(Problem(row.number, columns.name("organisation"), message))
        return None
    at_domain = organisations.at_domain(values.get("email"))
    return at_domain[0].id if len(at_domain) == 1 else None


def _plan_person(row: Row, values: dict, people: PersonIndex, organisations: OrganisationIndex, seen: FileKeys,
                 columns: Columns, problems: list[Problem]) -> Planned | None:
    email, name = values.get("email"), name_key(values["first_name"], values["last_name"])
    label = f"{values['first_name']} {values['last_name']}" + (f" <{email}>" if email else "")
    values["organisation_id"] = _organisation_of(row, values, organisations, columns, problems)
    keys = [("email", email)] if email else [("full_name", name)]
    if earlier := seen.earlier(keys):
        return _repeat_or_problem(row, values, label, earlier, columns, problems)
    namesakes = people.named(name)
    notes = []
    match = people.by_email.get(email) if email else None
    if match is None:
        candidates = [person for person in namesakes if not person.email] if email else namesakes
        if len(candidates) == 1:
            match = candidates[0]
        elif len(candidates) > 1 and not email:
            problems.append(Problem(row.number, columns.name("last_name"), _(
                "Several people in the database are called %(name)s: add an E-mail column with their addresses.",
                name=f"{values['first_name']} {values['last_name']}")))
            return None
        elif namesakes:
            notes.append(_("Someone with the same name is already in the database: %(people)s.",
                           people=_some(namesakes)))
    if match is not None and match.id in seen.records:
        problems.append(Problem(row.number, "", _(
            "Row %(row)s is about the same person (%(name)s): keep one of the two rows.",
            row=seen.records[match.id].row, name=match.label)))
        return None
    planned = Planned(row.number, UPDATE if match else CREATE, label, values, match.id if match else None,
                      notes=notes)
    seen.add(planned, keys)
    return planned


def _person_fills(planned: Planned, person: Person) -> None:
    values = planned.values
    if (values["first_name"], values["last_name"]) != (person.first_name, person.last_name):
        _kept(planned, "full_name", person.full_name, f"{values['first_name']} {values['last_name']}")
    for name in PERSON_FILLED:
        _fill(planned, name, getattr(person, name), values.get(name))
    _fill_town(planned, person.locality, values.get("town"))
    for kind in ("directory", "map"):
        if values.get(f"{kind}_consent") and getattr(person, f"{kind}_consent_at") is None:
            planned.fills[f"{kind}_consent"] = True
    organisation_id = values.get("organisation_id")
    current = [affiliation for affiliation in person.affiliations if affiliation.is_current]
    if organisation_id and organisation_id not in {affiliation.organisation_id for affiliation in current}:
        planned.fills["affiliation"] = not any(affiliation.is_primary for affiliation in current)
    _settle(planned)


# Attendance

def _attendance_parser(name: str) -> Callable[[str], Any] | None:
    return _flag if name.startswith(DAY) else None


def plan_attendance(table: Table, fields: Sequence[str | None], edition: Edition, progress: Progress = None) -> Plan:
    """What importing a sign-in sheet of `edition` would do: who attended which days.

    People are found by e-mail, or by first and last name (in either order) if only one person has
    it; people who are not found are listed, not created.
    """
    columns = Columns(table, fields)
    plan = Plan(ATTENDANCE.name, problems=columns.problems)
    days = columns.days()
    if not days:
        plan.problems.append(Problem(1, "", _("The file needs a column for each day of the edition, named "
                                              "Dzień 1, Day 1 or by its date.")))
    names_given = "full_name" in columns.index or {"first_name", "last_name"} <= set(columns.index)
    if "email" not in columns.index and not names_given:
        plan.problems.append(Problem(1, "", _("The file needs a column with the people's e-mails or names.")))
    if plan.problems:
        return plan
    checker = RowChecker(columns, AttendanceRowForm, _attendance_parser)
    checked: list[tuple[Row, dict]] = []
    for row in table.rows:
        values, problems = checker.check(row)
        values["name"] = fold(values.get("full_name") or name_key(values.get("first_name"), values.get("last_name")))
        if not values.get("email") and not values["name"]:
            problems.append(Problem(row.number, "", _("Give the person's e-mail or name.")))
        values["days"] = {day for name, day in days.items() if values.get(name)}
        plan.problems.extend(problems)
        if not problems:
            checked.append((row, values))
        _advance(progress)
    people = PersonIndex({values["email"] for _row, values in checked if values.get("email")},
                         {values["name"] for _row, values in checked if values["name"]}, either_order=True)
    by_person: dict[int, Planned] = {}
    for row, values in checked:
        plan.rows.append(_plan_attendee(row, values, people, by_person))
    plan.records = _attendance_fills(edition, by_person)
    return plan


def _plan_attendee(row: Row, values: dict, people: PersonIndex, by_person: dict[int, Planned]) -> Planned:
    shown = values.get("full_name") or " ".join(filter(None, (values.get("first_name"), values.get("last_name"))))
    label = " ".join(filter(None, (shown, values.get("email") and f"<{values['email']}>")))
    if not values["days"]:
        return Planned(row.number, SKIP, label, values, notes=[_("No day is marked.")])
    match = people.by_email.get(values.get("email") or "")
    if match is None and values["name"]:
        namesakes = people.named(values["name"])
        if len(namesakes) > 1:
            return Planned(row.number, UNKNOWN, label, values, notes=[_(
                "Several people are called this: %(people)s. Add an E-mail column.",
                people=_some(namesakes))])
        match = namesakes[0] if namesakes else None
    if match is None:
        return Planned(row.number, UNKNOWN, label, values, notes=[_("Not in the database: add the person, "
                                                                    "then import the list again.")])
    if match.id in by_person:
        first = by_person[match.id]
        first.values["days"] |= values["days"]
        return Planned(row.number, SKIP, match.label, values, match.id, notes=[_(
            "The same person as row %(row)s: the days are added there.", row=first.row)])
    planned = by_person[match.id] = Planned(row.number, CREATE, match.label, values, match.id)
    return planned


def _attendance_fills(edition: Edition, by_person: dict[int, Planned]) -> dict[int, Participation]:
    """Each attendee's participation: created, or given the missing days, the status and the organisation.

    Returns the participations there are already, by person id.
    """
    participations = edition_participations(edition.id)
    organisations = represented_organisations(by_person)
    for person_id, planned in by_person.items():
        participation = participations.get(person_id)
        organisation_id = organisations.get(person_id)
        if participation is None:
            planned.fills = {"days": sorted(planned.values["days"]), "organisation_id": organisation_id}
            continue
        attended = {day.day for day in participation.days_attended}
        if new_days := sorted(planned.values["days"] - attended):
            planned.fills["days"] = new_days
        if participation.status != ParticipationStatus.ATTENDED:
            planned.fills["status"] = ParticipationStatus.ATTENDED
        if participation.organisation_id is None and organisation_id:
            planned.fills["organisation_id"] = organisation_id
        _settle(planned)
    return participations

"""Exports: organisations, people, an edition's participants and the change log, as CSV or XLSX.

CSV is UTF-8 with a byte order mark and ';' between cells: Polish Excel, which expects ';' (the
decimal separator is ','), opens it with Polish letters right; other programs read it too, and
our imports take it back. It is streamed: the rows are read from the database 1,000 at a time and
sent as they are written. XLSX is written by openpyxl's write-only workbook into a temporary file
(memory stays the same however many rows), then sent. In both formats a text cell that starts like
a formula (=, +, -, @, tab or carriage return) gets a leading quote, so no spreadsheet runs it.
The headers are those the imports read (see imports.columns), in the reader's language.

Exports that hold personal data (people, an edition's participants, the change log, the report table
of people) say which records they list: sending one needs the password typed in the last 10 minutes,
and is recorded in the security log (what, which filters, how many records). Organisations' details
and the reports' counts are not personal data: they are sent without either.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import openpyxl
import sqlalchemy as sa
from flask import Response, request, send_file, stream_with_context
from flask_babel import get_locale, gettext, to_user_timezone
from flask_login import current_user
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy.orm import aliased, joinedload, selectinload

from forum_crm.auth.permissions import confirm_password_first, has_recent_password
from forum_crm.auth.services import log_event
from forum_crm.changes.queries import recent_changes
from forum_crm.directory.forms import LANGUAGE_CODES
from forum_crm.directory.queries import OrganisationFilters, PersonFilters, organisation_list, person_list
from forum_crm.extensions import db
from forum_crm.imports.columns import (
    CHANGE_LOG_COLUMNS, ORGANISATION_COLUMNS, PARTICIPANT_COLUMNS, PERSON_COLUMNS, Column,
)
from forum_crm.imports.parsing import FORMULA_STARTS
from forum_crm.imports.queries import main_affiliation
from forum_crm.labels import ACTIONS, ENTITY_TYPES, FIELDS, change_value, label, language_name
from forum_crm.models import (
    Affiliation, AuthEventKind, ChangeLogEntry, Edition, Locality, Organisation, Participation, Person, Sector, User,
)

FORMATS = ("csv", "xlsx")
CSV_DELIMITER = ";"
BATCH = 1_000  # rows fetched from the database at a time
CSV_CHUNK = 64 * 1024  # characters sent at a time
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | date | None


@dataclass(frozen=True)
class Export:
    """A table to send: the file name without extension, the headers and the rows (read lazily).

    `personal_records`: for a table of personal data, the query of the people or entries it lists
    (counted for the security log); None for a table without personal data.
    """

    name: str
    headers: list[str]
    rows: Iterable[list[Cell]]
    personal_records: sa.Select | None = None


def neutralise(text: str) -> str:
    """A quote before text that a spreadsheet would run as a formula: "=1+1" -> "'=1+1"."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _language() -> str:
    return str(get_locale() or "pl")


def _headers(columns: Iterable[Column]) -> list[str]:
    language = _language()
    return [column.header(language) for column in columns]


def _yes_no() -> Callable[[bool], str]:
    """"tak"/"nie" (or "yes"/"no") for a flag, translated once per export rather than once per cell."""
    yes, no = gettext("yes"), gettext("no")
    return lambda value: yes if value else no


def _stream(select: sa.Select) -> Iterator[Any]:
    """The rows of `select`, fetched BATCH at a time (a server-side cursor on PostgreSQL)."""
    return iter(db.session.execute(select.execution_options(yield_per=BATCH)))


# What is exported

def organisations(filters: OrganisationFilters) -> Export:
    """The organisations of the list page with these filters, in its order."""
    query = organisation_list(filters).options(selectinload(Organisation.areas), selectinload(Organisation.languages))

    def rows() -> Iterator[list[Cell]]:
        flag, sectors = _yes_no(), {sector: label(sector) for sector in Sector}
        languages = {code: language_name(code) for code in LANGUAGE_CODES}
        for organisation, people in _stream(query):
            locality = organisation.locality
            yield [organisation.name, organisation.short_name, sectors[organisation.sector],
                   locality.name if locality else None, _text(locality.voivodeship) if locality else None,
                   organisation.krs, organisation.nip, organisation.website, organisation.email, organisation.phone,
                   organisation.description, ", ".join(area.name for area in organisation.areas),
                   ", ".join(languages.get(language.code, language.code) for language in organisation.languages),
                   organisation.forum_member_since, flag(organisation.consortium_member), people,
                   flag(organisation.archived_at is not None)]

    return Export("organisations", _headers(ORGANISATION_COLUMNS), rows())


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _consent_date(*moments: datetime | None) -> date | None:
    given = [moment for moment in moments if moment]
    return to_user_timezone(min(given)).date() if given else None


def people(filters: PersonFilters) -> Export:
    """The people of the list page with these filters, each with their main current organisation and role.

    Plain columns rather than records (the list's query, its filters and order, with other columns):
    100,000 people are read in seconds.
    """
    main, organisation = aliased(Affiliation), aliased(Organisation)
    query = (person_list(filters)
             .outerjoin(main, main.id == main_affiliation(Person.id))
             .outerjoin(organisation, organisation.id == main.organisation_id)
             .with_only_columns(
                 Person.first_name, Person.last_name, Person.email, Person.phone, Locality.name, Locality.voivodeship,
                 organisation.name, main.role_title, Person.expertise, Person.forum_member, Person.leader,
                 Person.directory_consent_at, Person.map_consent_at, Person.consent_source, Person.notes,
                 Person.archived_at))

    def rows() -> Iterator[list[Cell]]:
        flag = _yes_no()
        for (first_name, last_name, email, phone, town, voivodeship, organisation_name, role_title, expertise,
             forum_member, leader, directory_consent_at, map_consent_at, consent_source, notes,
             archived_at) in _stream(query):
            yield [first_name, last_name, email, phone, town, _text(voivodeship), organisation_name, role_title,
                   expertise, flag(forum_member), flag(leader), flag(directory_consent_at is not None),
                   flag(map_consent_at is not None), _consent_date(directory_consent_at, map_consent_at),
                   consent_source, notes, flag(archived_at is not None)]

    return Export("people", _headers(PERSON_COLUMNS), rows(), personal_records=query)


def participants(edition: Edition) -> Export:
    """Everyone at an edition, by name: the organisation they represented, status, role and days attended
    (a column per day, marked x), as the attendance import reads it back."""
    days = edition.days
    query = (sa.select(Participation).join(Person, Participation.person_id == Person.id)
             .where(Participation.edition_id == edition.id)
             .options(joinedload(Participation.person), joinedload(Participation.organisation),
                      selectinload(Participation.days_attended))
             .order_by(Person.name_sort, Person.id))

    def rows() -> Iterator[list[Cell]]:
        for (participation,) in _stream(query):
            person, attended = participation.person, {day.day for day in participation.days_attended}
            yield [person.first_name, person.last_name, person.email,
                   participation.organisation.name if participation.organisation else None,
                   label(participation.status), label(participation.role),
                   *("x" if day in attended else None for day in days)]

    return Export(f"participants-{edition.roman_number}",
                  [*_headers(PARTICIPANT_COLUMNS), *(day.isoformat() for day in days)], rows(), personal_records=query)


def change_log() -> Export:
    """The whole change log, newest first: a row for each field changed (a row for an entry without fields)."""
    query = (recent_changes().outerjoin(User, ChangeLogEntry.user_id == User.id)
             .with_only_columns(ChangeLogEntry.occurred_at, User.email, ChangeLogEntry.entity_type,
                                ChangeLogEntry.entity_id, ChangeLogEntry.entity_label, ChangeLogEntry.action,
                                ChangeLogEntry.changes))

    def rows() -> Iterator[list[Cell]]:
        system = gettext("system")
        kinds, actions, fields = ({key: str(text) for key, text in names.items()}
                                  for names in (ENTITY_TYPES, ACTIONS, FIELDS))
        for occurred_at, email, entity_type, entity_id, entity_label, action, changes in _stream(query):
            head = [to_user_timezone(occurred_at).strftime("%Y-%m-%d %H:%M:%S"), email or system,
                    kinds.get(entity_type, entity_type), entity_id, entity_label, actions.get(action, action)]
            if not changes:
                yield [*head, None, None, None]
            for name, (before, after) in changes.items():
                yield [*head, fields.get(name, name), _logged(before), _logged(after)]

    return Export("changes", _headers(CHANGE_LOG_COLUMNS), rows(), personal_records=recent_changes())


def _logged(value: Any) -> str | None:
    return None if value in (None, "", []) else change_value(value)


# How it is sent

def log_personal_data_export(export: Export, file_format: str) -> None:
    """Record in the security log, before anything is sent, who exports what, with which filters, and how many
    records the export's query lists at this moment (the change log has a row per changed field of each entry)."""
    records = db.session.scalar(sa.select(sa.func.count()).select_from(
        export.personal_records.order_by(None).subquery()))
    filters = "&".join(f"{key}={value}" for key, value in request.args.items(multi=True) if value)
    detail = f"{export.name}.{file_format}: {records} records" + (f"; filters: {filters}" if filters else "")
    log_event(AuthEventKind.DATA_EXPORTED, user=current_user._get_current_object(), detail=detail)
    db.session.commit()


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value)) if isinstance(value, str) else str(value)


def csv_chunks(export: Export) -> Iterator[str]:
    """The export as CSV text in chunks of about CSV_CHUNK characters, starting with the byte order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([_csv_cell(header) for header in export.headers])
    for row in export.rows:
        writer.writerow([_csv_cell(value) for value in row])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def xlsx_file(export: Export) -> IO[bytes]:
    """The export as an XLSX workbook in an anonymous temporary file, positioned at its start."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(export.name[:31])
    sheet.append([_xlsx_cell(header) for header in export.headers])
    for row in export.rows:
        sheet.append([_xlsx_cell(value) for value in row])
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle


def send(export: Export, file_format: str) -> Response:
    """The export as a download named like organisations-2024-05-18.csv.

    Personal data first needs a recent password (otherwise: a redirect to confirm it), then goes in the security log.
    """
    if export.personal_records is not None:
        if not has_recent_password():
            return confirm_password_first()
        log_personal_data_export(export, file_format)
    name = f"{export.name}-{date.today().isoformat()}.{file_format}"
    if file_format == "xlsx":
        return send_file(xlsx_file(export), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)
    response = Response(stream_with_context(csv_chunks(export)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""Exports: organisations, people, an edition's participants and the change log, as CSV or XLSX.

CSV is UTF-8 with a byte order mark and ';' between cells: Polish Excel, which expects ';' (the
decimal separator is ','), opens it with Polish letters right; other programs read it too, and
our imports take it back. It is streamed: the rows are read from the database 1,000 at a time and
sent as they are written. XLSX is written by openpyxl's write-only workbook into a temporary file
(memory stays the same however many rows), then sent. In both formats a text cell that starts like
a formula (=, +, -, @, tab or carriage return) gets a leading quote, so no spreadsheet runs it.
The headers are those the imports read (see imports.columns), in the reader's language.
"""

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from forum_crm.labels import label
from forum_crm.models import Edition, Participation, Person
from forum_crm.spreadsheets.columns import PARTICIPANT_COLUMNS
from forum_crm.spreadsheets.export import Cell, Export, headers, stream_rows


def participants_export(edition: Edition) -> Export:
    """Everyone at an edition, by name: the organisation they represented, status, role and days attended
    (a column per day, marked x), as the attendance import reads it back."""
    days = edition.days
    query = (sa.select(Participation).join(Person, Participation.person_id == Person.id)
             .where(Participation.edition_id == edition.id)
             .options(joinedload(Participation.person), joinedload(Participation.organisation),
                      selectinload(Participation.days_attended))
             .order_by(Person.name_sort, Person.id))

    def rows() -> Iterator[list[Cell]]:
        for (participation,) in stream_rows(query):
            person, attended = participation.person, {day.day for day in participation.days_attended}
            yield [person.first_name, person.last_name, person.email,
                   participation.organisation.name if participation.organisation else None,
                   label(participation.status), label(participation.role),
                   *("x" if day in attended else None for day in days)]

    return Export(f"participants-{edition.roman_number}",
                  [*headers(PARTICIPANT_COLUMNS), *(day.isoformat() for day in days)], rows(),
                  personal_records=query)



"""An edition's participants as a CSV or XLSX download, with a column per day of the edition."""

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

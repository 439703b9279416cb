"""The people list (with its filters) as a CSV or XLSX download, in the columns the imports read."""

from collections.abc import Callable, Iterator
from datetime import date, datetime

from sqlalchemy.orm import aliased

from forum_crm.consents import latest_consent_note
from forum_crm.models import Affiliation, Locality, Organisation, Person
from forum_crm.people.queries import PersonFilters, main_affiliation, person_list
from forum_crm.spreadsheets.columns import PERSON_COLUMNS
from forum_crm.spreadsheets.export import Cell, Export, headers, local_times, stream_rows, text_or_none, yes_no_words


def people_export(filters: PersonFilters) -> Export:
    """The people of the list page with these filters, each with their main current organisation and role.

    Plain columns rather than records (the list's query, its filters and order, with other columns):
    100,000 people are read in seconds.
    """
    main, organisation = aliased(Affiliation), aliased(Organisation)
    query = (person_list(filters)
             .outerjoin(Locality, Person.locality_id == Locality.id)
             .outerjoin(main, main.id == main_affiliation(Person.id))
             .outerjoin(organisation, organisation.id == main.organisation_id)
             .with_only_columns(
                 Person.first_name, Person.last_name, Person.email, Person.phone, Locality.name, Locality.voivodeship,
                 organisation.name, main.role_title, Person.expertise, Person.forum_member, Person.leader,
                 Person.directory_consent_at, Person.map_consent_at, latest_consent_note(), Person.notes,
                 Person.archived_at))

    def rows() -> Iterator[list[Cell]]:
        flag, local = yes_no_words(), local_times()
        for (first_name, last_name, email, phone, town, voivodeship, organisation_name, role_title, expertise,
             forum_member, leader, directory_consent_at, map_consent_at, consent_source, notes,
             archived_at) in stream_rows(query):
            yield [first_name, last_name, email, phone, town, text_or_none(voivodeship), organisation_name, role_title,
                   expertise, flag(forum_member), flag(leader), flag(directory_consent_at is not None),
                   flag(map_consent_at is not None), _first_consent_date(local, directory_consent_at, map_consent_at),
                   consent_source, notes, flag(archived_at is not None)]

    return Export("people", headers(PERSON_COLUMNS), rows(), personal_records=query)


def _first_consent_date(local: Callable[[datetime], datetime], *moments: datetime | None) -> date | None:
    """The day (where the reader is) of the first of these consents given."""
    given = [moment for moment in moments if moment]
    return local(min(given)).date() if given else None

"""Reading places: which town a typed name means, and what the member map shows."""

from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import (
    Affiliation,
    ChangeLogEntry,
    Edition,
    Locality,
    Organisation,
    Participation,
    ParticipationStatus,
    Person,
    Sector,
    Voivodeship,
)
from forum_crm.models.directory import organisation_area

# The member map: every count is an SQL aggregate (a voivodeship's may be the sum of its towns'); Python only
# arranges the rows.

@dataclass(frozen=True)
class MapFilters:
    """What the map shows; an empty field does not filter."""

    sector: Sector | None = None
    area_id: int | None = None
    voivodeship: Voivodeship | None = None
    edition: int | None = None  # the number of an edition attended


_VOIVODESHIPS: dict[str | None, Voivodeship] = {member.value: member for member in Voivodeship}


class TownCount(NamedTuple):
    """A town with its member organisations and consenting people (exact counts: filter before showing).
    A named tuple: made from each of thousands of rows, three times faster than a frozen dataclass."""

    id: int
    name: str
    voivodeship: Voivodeship | None
    latitude: float | None
    longitude: float | None
    organisations: int
    people: int

    @property
    def is_located(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @classmethod
    def of(cls, id_: int, name: str, voivodeship: str | None, latitude: float | None, longitude: float | None,
           organisations: int, people: int = 0) -> "TownCount":
        """A town from a plain row, its voivodeship's value made the Voivodeship again."""
        return cls(id_, name, _VOIVODESHIPS.get(voivodeship), latitude, longitude, organisations, people)


@dataclass(frozen=True)
class Venue:
    """A town where forum editions took place, with their numbers and first days."""

    id: int
    name: str
    latitude: float
    longitude: float
    editions: tuple[tuple[int, date], ...]


@dataclass(frozen=True)
class MapData:
    towns: list[TownCount]
    organisations: dict[int, list[tuple[int, str]]]  # town id -> (id, name) of its first organisations
    venues: list[Venue]
    by_voivodeship: dict[Voivodeship, int]  # member organisations, ignoring the voivodeship filter


def _attended(edition: int) -> sa.Select:
    """Participations with status attended in the edition numbered `edition`."""
    edition_id = sa.select(Edition.id).where(Edition.number == edition).scalar_subquery()
    return sa.select(Participation).where(Participation.edition_id == edition_id,
                                          Participation.status == ParticipationStatus.ATTENDED)


def _in_voivodeship(column, voivodeship: Voivodeship) -> sa.ColumnElement[bool]:
    return column.in_(sa.select(Locality.id).where(Locality.voivodeship == voivodeship))


def _matching_organisations(filters: MapFilters) -> list[sa.ColumnElement[bool]]:
    """Sector and area of work: shared by organisations and (through their work) people."""
    conditions = [Organisation.archived_at.is_(None)]
    if filters.sector:
        conditions.append(Organisation.sector == filters.sector)
    if filters.area_id:
        conditions.append(Organisation.id.in_(
            sa.select(organisation_area.c.organisation_id).where(organisation_area.c.area_id == filters.area_id)))
    return conditions


def member_organisation_conditions(filters: MapFilters) -> list[sa.ColumnElement[bool]]:
    """Forum members, not archived, matching the filters (those in no town drop out when joined to towns)."""
    conditions = [Organisation.is_active_member, *_matching_organisations(filters)]
    if filters.voivodeship:
        conditions.append(_in_voivodeship(Organisation.locality_id, filters.voivodeship))
    if filters.edition:
        conditions.append(Organisation.id.in_(
            _attended(filters.edition).with_only_columns(Participation.organisation_id)))
    return conditions


def map_people_conditions(filters: MapFilters) -> list[sa.ColumnElement[bool]]:
    """People who agreed to be on the map, neither archived nor anonymised, matching the filters.

    Sector and area of work apply through the organisations people work at now.
    """
    conditions = [Person.is_on_map]
    if filters.edition:
        conditions.append(Person.id.in_(_attended(filters.edition).with_only_columns(Participation.person_id)))
    if filters.sector or filters.area_id:
        # After the edition's few thousand people, one probe of each one's current work (EXISTS) is far cheaper
        # than listing everyone who works at a matching organisation; without it, that list is read once.
        employers = sa.select(Organisation.id).where(*_matching_organisations(filters))
        works_there = sa.and_(Affiliation.is_current, Affiliation.organisation_id.in_(employers))
        conditions.append(sa.exists().where(Affiliation.person_id == Person.id, works_there) if filters.edition
                          else Person.id.in_(sa.select(Affiliation.person_id).where(works_there)))
    if filters.voivodeship:
        conditions.append(_in_voivodeship(Person.locality_id, filters.voivodeship))
    return conditions


def town_counts(filters: MapFilters) -> list[TownCount]:
    """Towns with member organisations or consenting people, with both counts, in Polish order."""
    # Both grouped by the column itself, so both databases count in the partial indexes of the member organisations
    # and of the people on the map (ix_*_locality_id) without reading the tables. (Grouped by the full locality
    # index instead, SQLite would read 100,000 people row by row in its order: seven times slower.)
    organisations = (sa.select(Organisation.locality_id.label("locality_id"), sa.func.count().label("organisations"),
                               sa.literal(0).label("people"))
                     .where(*member_organisation_conditions(filters)).group_by(Organisation.locality_id))
    people = (sa.select(Person.locality_id, sa.literal(0), sa.func.count())
              .where(*map_people_conditions(filters)).group_by(Person.locality_id))
    both = sa.union_all(organisations, people).subquery()
    totals = (sa.select(both.c.locality_id,
                        sa.cast(sa.func.sum(both.c.organisations), sa.Integer).label("organisations"),
                        sa.cast(sa.func.sum(both.c.people), sa.Integer).label("people"))
              .group_by(both.c.locality_id).subquery())
    return [TownCount.of(*row) for row in plain_rows(
        sa.select(Locality.id, Locality.name, Locality.voivodeship, Locality.latitude, Locality.longitude,
                  totals.c.organisations, totals.c.people)
        .join(totals, totals.c.locality_id == Locality.id).order_by(Locality.name_sort, Locality.id))]


def plain_rows(query: sa.Select) -> list[tuple]:
    """All rows of a query of plain columns (numbers, text), as the database driver's own tuples read through the
    session's connection: no ORM, no Row objects, no result processing (an enumeration comes as its value). The map's
    10,000 popup names and 3,285 towns in about 2/3 of the time of Core rows, on both databases."""
    result = db.session.connection().execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def first_in_towns(query: sa.Select[tuple[int | None, int, str]], per_town: int) -> dict[int, list[tuple[int, str]]]:
    """Town id -> the first `per_town` (id, name) of the rows (town id, id, name) of `query`, in its order."""
    towns: dict[int, list[tuple[int, str]]] = {}
    for town_id, organisation_id, name in plain_rows(query):
        listed = towns.get(town_id)  # not setdefault: that makes an empty list for each of 10,000 rows
        if listed is None:
            towns[town_id] = [(organisation_id, name)]
        elif len(listed) < per_town:
            listed.append((organisation_id, name))
    return towns


def town_organisations(filters: MapFilters, per_town: int) -> dict[int, list[tuple[int, str]]]:
    """Town id -> (id, name) of its first `per_town` member organisations in Polish order."""
    return first_in_towns(sa.select(Organisation.locality_id, Organisation.id, Organisation.name)
                          .where(*member_organisation_conditions(filters))
                          .order_by(Organisation.name_sort, Organisation.id), per_town)


def organisations_by_voivodeship(filters: MapFilters) -> dict[Voivodeship, int]:
    """Member organisations per voivodeship (the voivodeship filter is ignored: coverage is national)."""
    counts = db.session.execute(
        sa.select(Locality.voivodeship, sa.func.count(Organisation.id))
        .join(Locality, Organisation.locality_id == Locality.id)
        .where(*member_organisation_conditions(replace(filters, voivodeship=None)), Locality.voivodeship.is_not(None))
        .group_by(Locality.voivodeship))
    return {Voivodeship(voivodeship): count for voivodeship, count in counts}


def voivodeship_totals(towns: list[TownCount]) -> dict[Voivodeship, int]:
    """Organisations per voivodeship, summed from the towns' counts (no query)."""
    totals: dict[Voivodeship, int] = {}
    for town in towns:
        if town.organisations and town.voivodeship is not None:
            totals[town.voivodeship] = totals.get(town.voivodeship, 0) + town.organisations
    return totals


def edition_venues(filters: MapFilters) -> list[Venue]:
    """Towns with coordinates where editions took place (only edition N, or in the voivodeship, if filtered)."""
    query = (sa.select(Locality.id, Locality.name, Locality.latitude, Locality.longitude, Edition.number,
                       Edition.start_date)
             .join(Locality, Edition.locality_id == Locality.id)
             .where(Locality.latitude.is_not(None), Locality.longitude.is_not(None))
             .order_by(Locality.name_sort, Locality.id, Edition.number))
    if filters.edition:
        query = query.where(Edition.number == filters.edition)
    if filters.voivodeship:
        query = query.where(Locality.voivodeship == filters.voivodeship)
    venues: dict[int, Venue] = {}
    for town_id, name, latitude, longitude, number, start in db.session.execute(query):
        venue = venues.get(town_id) or Venue(town_id, name, latitude, longitude, ())
        venues[town_id] = replace(venue, editions=(*venue.editions, (number, start)))
    return list(venues.values())


def map_data(filters: MapFilters, organisations_per_town: int) -> MapData:
    """Everything the member map shows, in four queries (five with a voivodeship: coverage is still national)."""
    towns = town_counts(filters)
    by_voivodeship = organisations_by_voivodeship(filters) if filters.voivodeship else voivodeship_totals(towns)
    return MapData(towns, town_organisations(filters, organisations_per_town), edition_venues(filters),
                   by_voivodeship)


def edition_choices() -> list[tuple[int, date]]:
    """(number, first day) of every edition, for the filter."""
    return list(db.session.execute(sa.select(Edition.number, Edition.start_date).order_by(Edition.number)).tuples())


def map_data_version() -> tuple:
    """A value that changes when anything the map shows changes: the newest id of each table the map
    reads (new rows) and of the change log (every edit and removal made through the app or an import
    is logged). One query of index look-ups: well under a millisecond at 100,000 people, where row
    counts or the newest updated_at would scan whole tables (100 ms on PostgreSQL). Writes that
    bypass the log are caught by MapCache.max_age.
    """
    tables = (Organisation, Person, Locality, Edition, Participation, Affiliation, ChangeLogEntry)
    newest = [sa.select(sa.func.max(table.id)).scalar_subquery() for table in tables]
    return tuple(db.session.execute(sa.select(*newest)).one())

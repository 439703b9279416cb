"""What the public pages and the API may read: organisations that opted in, only the fields they published,
public editions; never a person.

Every filter works only on what an organisation published (the voivodeship filter sees only organisations
that publish their town), so a filter cannot reveal an unpublished field either.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from forum_crm.extensions import db
from forum_crm.mapping.queries import MapData, TownCount, first_in_towns, plain_rows, voivodeship_totals
from forum_crm.models import AreaOfWork, Edition, Locality, Organisation, Origin, Voivodeship
from forum_crm.models.directory import organisation_area
from forum_crm.text import fold, polish_sort_key

PUBLIC = sa.and_(Organisation.is_public, Organisation.origin != Origin.DEMO)  # demo records never leave the office


@dataclass(frozen=True)
class PublicFilters:
    """What the public list and map show; an empty field does not filter."""

    search: str | None = None
    area_id: int | None = None
    voivodeship: Voivodeship | None = None


@dataclass(frozen=True)
class PublicProfile:
    """One organisation's public profile: the name, and the fields it chose to publish (None when not)."""

    id: int
    name: str
    short_name: str | None
    town: str | None
    voivodeship: Voivodeship | None
    areas: list[str] | None
    languages: list[str] | None
    website: str | None
    email: str | None

    @classmethod
    def of(cls, organisation: Organisation) -> "PublicProfile":
        town = organisation.locality if organisation.public_town else None
        return cls(
            id=organisation.id, name=organisation.name, short_name=organisation.short_name,
            town=town.name if town else None, voivodeship=town.voivodeship if town else None,
            areas=sorted((area.name for area in organisation.areas), key=polish_sort_key) if organisation.public_areas
            else None,
            languages=[language.code for language in organisation.languages] if organisation.public_languages
            else None,
            website=organisation.website if organisation.public_website else None,
            email=organisation.public_email)


def _conditions(filters: PublicFilters) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [PUBLIC]
    if filters.search:
        conditions.append(Organisation.search_text.contains(fold(filters.search), autoescape=True))
    if filters.area_id:
        conditions.append(Organisation.public_areas)
        conditions.append(Organisation.id.in_(
            sa.select(organisation_area.c.organisation_id).where(organisation_area.c.area_id == filters.area_id)))
    if filters.voivodeship:
        conditions.append(Organisation.public_town)
        conditions.append(Organisation.locality_id.in_(
            sa.select(Locality.id).where(Locality.voivodeship == filters.voivodeship)))
    return conditions


def public_organisations(filters: PublicFilters) -> sa.Select[tuple[Organisation]]:
    """Organisations shown publicly, matching the filters, in Polish order (their areas and languages loaded)."""
    return (sa.select(Organisation).where(*_conditions(filters))
            .options(selectinload(Organisation.locality), selectinload(Organisation.areas),
                     selectinload(Organisation.languages))
            .order_by(Organisation.name_sort, Organisation.id))


def organisations_page(filters: PublicFilters, page: int, per_page: int) -> tuple[list[Organisation], bool]:
    """One page of public organisations, and whether another page follows (no count of all of them needed)."""
    rows = db.session.scalars(public_organisations(filters).limit(per_page + 1).offset((page - 1) * per_page)).all()
    return list(rows[:per_page]), len(rows) > per_page


def public_organisation(organisation_id: int) -> Organisation | None:
    return db.session.scalar(public_organisations(PublicFilters()).where(Organisation.id == organisation_id))


def public_areas() -> list[AreaOfWork]:
    """Areas of work that some public organisation publishes, in Polish order (for the filter)."""
    used = (sa.select(organisation_area.c.area_id)
            .join(Organisation, Organisation.id == organisation_area.c.organisation_id)
            .where(PUBLIC, Organisation.public_areas))
    areas = db.session.scalars(sa.select(AreaOfWork).where(AreaOfWork.id.in_(used)))
    return sorted(areas, key=lambda area: polish_sort_key(area.name))


def public_map_data(filters: PublicFilters, organisations_per_town: int) -> MapData:
    """The public map: one circle per town of the organisations that publish their town; no people at all."""
    town = Organisation.locality_id
    matching = sa.and_(*_conditions(filters), Organisation.public_town)
    counts = (sa.select(town.label("locality_id"), sa.func.count().label("organisations"))
              .where(matching).group_by(town).subquery())
    towns = [TownCount.of(*row) for row in plain_rows(
        sa.select(Locality.id, Locality.name, Locality.voivodeship, Locality.latitude, Locality.longitude,
                  counts.c.organisations)
        .join(counts, counts.c.locality_id == Locality.id).order_by(Locality.name_sort, Locality.id))]
    names = first_in_towns(sa.select(town, Organisation.id, Organisation.name).where(matching)
                           .order_by(Organisation.name_sort, Organisation.id), organisations_per_town)
    if not filters.voivodeship:
        return MapData(towns, names, [], voivodeship_totals(towns))
    everywhere = PublicFilters(filters.search, filters.area_id)  # coverage is national: no voivodeship filter
    by_voivodeship = db.session.execute(
        sa.select(Locality.voivodeship, sa.func.count(Organisation.id))
        .join(Locality, Organisation.locality_id == Locality.id)
        .where(*_conditions(everywhere), Organisation.public_town, Locality.voivodeship.is_not(None))
        .group_by(Locality.voivodeship)).all()
    return MapData(towns, names, [], {Voivodeship(key): count for key, count in by_voivodeship})


@dataclass(frozen=True)
class PublicEdition:
    id: int
    number: int
    start_date: date
    end_date: date
    town: str | None
    theme: str | None


def public_editions() -> list[PublicEdition]:
    """Editions marked public, oldest first: dates, town and theme only."""
    return [PublicEdition(*row) for row in db.session.execute(
        sa.select(Edition.id, Edition.number, Edition.start_date, Edition.end_date, Locality.name, Edition.theme)
        .outerjoin(Locality, Edition.locality_id == Locality.id)
        .where(Edition.is_public, Edition.origin != Origin.DEMO).order_by(Edition.start_date, Edition.number))]

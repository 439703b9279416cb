"""Reading organisations and people: lists with search and filters, detail pages, name lookups."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from forum_crm.extensions import db
from forum_crm.models import (
    Affiliation, AreaOfWork, Edition, Locality, Organisation, Participation, ParticipationStatus, Person, Role,
    Sector, User, Voivodeship,
)
from forum_crm.models.base import utcnow
from forum_crm.models.directory import PROFILE_CONFIRMATION_INTERVAL, organisation_area
from forum_crm.text import fold


@dataclass(frozen=True)
class OrganisationFilters:
    search: str | None = None
    town: str | None = None
    voivodeship: Voivodeship | None = None
    sector: Sector | None = None
    area_id: int | None = None
    forum_member: bool | None = None
    archived: bool | None = False  # None: both
    descending: bool = False


def _current():
    """The affiliation has not ended (or ends in the future)."""
    return sa.or_(Affiliation.ended_on.is_(None), Affiliation.ended_on >= date.today())


def _text_and_place(search_text, search: str | None, town: str | None,
                    voivodeship: Voivodeship | None) -> list[sa.ColumnElement[bool]]:
    """List conditions shared by organisations and people (the query outer-joins Locality):
    the folded search in the record's text or its town, an exact town, a voivodeship."""
    conditions = []
    if search:
        folded = fold(search)
        conditions.append(sa.or_(search_text.contains(folded, autoescape=True),
                                 Locality.name_key.contains(folded, autoescape=True)))
    if town:
        conditions.append(Locality.name_key == fold(town))
    if voivodeship:
        conditions.append(Locality.voivodeship == voivodeship)
    return conditions


def _set_or_not(flags) -> list[sa.ColumnElement[bool]]:
    """For each (nullable column, wanted): the column is set (True), empty (False), or either (None)."""
    return [column.is_not(None) if wanted else column.is_(None) for column, wanted in flags if wanted is not None]


def organisation_list(filters: OrganisationFilters) -> sa.Select:
    """Organisations matching the filters in Polish alphabetical order, with their current people count."""
    people = (sa.select(sa.func.count(Affiliation.id))
              .where(Affiliation.organisation_id == Organisation.id, _current())
              .correlate(Organisation).scalar_subquery())
    query = (sa.select(Organisation, people.label("people"))
             .outerjoin(Locality, Organisation.locality_id == Locality.id)
             .options(joinedload(Organisation.locality)))
    query = query.where(*_text_and_place(Organisation.search_text, filters.search, filters.town, filters.voivodeship))
    if filters.sector:
        query = query.where(Organisation.sector == filters.sector)
    if filters.area_id:
        query = query.where(Organisation.id.in_(
            sa.select(organisation_area.c.organisation_id).where(organisation_area.c.area_id == filters.area_id)))
    query = query.where(*_set_or_not(((Organisation.forum_member_since, filters.forum_member),
                                      (Organisation.archived_at, filters.archived))))
    order = Organisation.name_sort.desc() if filters.descending else Organisation.name_sort
    return query.order_by(order, Organisation.id)


def current_people(organisation_id: int) -> list[Person]:
    """The people who work at the organisation now, by name (what its editor keeps up to date)."""
    return list(db.session.scalars(
        sa.select(Person).join(Affiliation).where(Affiliation.organisation_id == organisation_id, _current(),
                                                  Person.anonymised_at.is_(None))
        .options(joinedload(Person.locality)).distinct().order_by(Person.name_sort, Person.id)))


# Editors are reminded at most this often that their organisation's profile needs confirming.
REMINDER_INTERVAL = timedelta(days=30)


def organisations_due_reminder() -> list[tuple[Organisation, list[str]]]:
    """Organisations not confirmed for PROFILE_CONFIRMATION_INTERVAL, not reminded in REMINDER_INTERVAL,
    with the e-mail addresses of their active editors."""
    now = utcnow()
    rows = db.session.execute(
        sa.select(Organisation, User.email).join(User, User.organisation_id == Organisation.id)
        .where(User.role == Role.ORG_EDITOR, User.active, Organisation.archived_at.is_(None),
               sa.func.coalesce(Organisation.profile_confirmed_at, Organisation.created_at)
               < now - PROFILE_CONFIRMATION_INTERVAL,
               sa.or_(Organisation.profile_reminder_sent_at.is_(None),
                      Organisation.profile_reminder_sent_at < now - REMINDER_INTERVAL))
        .order_by(Organisation.id, User.email))
    due: dict[int, tuple[Organisation, list[str]]] = {}
    for organisation, email in rows:
        due.setdefault(organisation.id, (organisation, []))[1].append(email)
    return list(due.values())


def organisation_people(organisation_id: int) -> list[Affiliation]:
    """Everyone who works or worked at the organisation, current first, then by name."""
    return list(db.session.scalars(
        sa.select(Affiliation).join(Person).where(Affiliation.organisation_id == organisation_id)
        .options(joinedload(Affiliation.person))
        .order_by(sa.case((_current(), 0), else_=1), Person.name_sort, Affiliation.started_on)))


@dataclass(frozen=True)
class EditionTakenPart:
    edition: Edition
    people: int
    attended: int


def organisation_editions(organisation_id: int) -> list[EditionTakenPart]:
    """The editions the organisation was represented at, with how many people it sent and how many came."""
    attended = sa.func.count(Participation.id).filter(Participation.status == ParticipationStatus.ATTENDED)
    rows = db.session.execute(
        sa.select(Edition, sa.func.count(Participation.id), attended)
        .join(Participation, Participation.edition_id == Edition.id)
        .where(Participation.organisation_id == organisation_id)
        .group_by(Edition.id).order_by(Edition.number))
    return [EditionTakenPart(edition, people, came) for edition, people, came in rows]


def areas_of_work() -> list[AreaOfWork]:
    return list(db.session.scalars(sa.select(AreaOfWork).order_by(AreaOfWork.name)))


class OrganisationNotFound(LookupError):
    """No organisation, or several (`candidates`), match a typed name."""

    def __init__(self, candidates: list[str]):
        super().__init__(candidates)
        self.candidates = candidates


def find_organisation(typed: str) -> Organisation:
    """The organisation a person typed: its exact name or short name, or the only one whose name contains it."""
    folded = fold(typed)
    exact = list(db.session.scalars(sa.select(Organisation).where(
        sa.or_(Organisation.name_key == folded, sa.func.lower(Organisation.short_name) == typed.strip().lower()))
        .limit(5)))
    if len(exact) == 1:
        return exact[0]
    matches = exact or list(db.session.scalars(
        sa.select(Organisation).where(Organisation.search_text.contains(folded, autoescape=True))
        .order_by(Organisation.name_sort).limit(6)))
    if len(matches) == 1:
        return matches[0]
    raise OrganisationNotFound([organisation.name for organisation in matches[:5]])


@dataclass(frozen=True)
class PersonFilters:
    search: str | None = None
    town: str | None = None
    voivodeship: Voivodeship | None = None
    organisation_id: int | None = None
    forum_member: bool | None = None
    directory_consent: bool | None = None
    map_consent: bool | None = None
    archived: bool | None = False
    descending: bool = False


def person_list(filters: PersonFilters) -> sa.Select:
    """People matching the filters, by last name in Polish order, with their current organisations."""
    query = (sa.select(Person).outerjoin(Locality, Person.locality_id == Locality.id)
             .options(joinedload(Person.locality),
                      selectinload(Person.affiliations).joinedload(Affiliation.organisation)))
    query = query.where(*_text_and_place(Person.search_text, filters.search, filters.town, filters.voivodeship))
    if filters.organisation_id:
        query = query.where(Person.id.in_(sa.select(Affiliation.person_id).where(
            Affiliation.organisation_id == filters.organisation_id, _current())))
    if filters.forum_member is not None:
        query = query.where(Person.forum_member.is_(filters.forum_member))
    query = query.where(*_set_or_not(((Person.directory_consent_at, filters.directory_consent),
                                      (Person.map_consent_at, filters.map_consent),
                                      (Person.archived_at, filters.archived))))
    order = Person.name_sort.desc() if filters.descending else Person.name_sort
    return query.order_by(order, Person.id)


def person_participations(person_id: int) -> list[Participation]:
    return list(db.session.scalars(
        sa.select(Participation).join(Edition).where(Participation.person_id == person_id)
        .options(joinedload(Participation.edition), joinedload(Participation.organisation),
                 selectinload(Participation.days_attended))
        .order_by(Edition.number)))


def person_affiliations(person_id: int) -> list[Affiliation]:
    return list(db.session.scalars(
        sa.select(Affiliation).where(Affiliation.person_id == person_id)
        .options(joinedload(Affiliation.organisation))
        .order_by(sa.case((_current(), 0), else_=1), Affiliation.started_on.desc().nulls_last(), Affiliation.id)))


def find_person(typed: str) -> Person:
    """The person a coordinator typed: an e-mail address, or a full name that only one person has."""
    folded = fold(typed)
    matches = list(db.session.scalars(sa.select(Person).where(
        sa.or_(Person.email == typed.strip().lower(), Person.search_text == folded,  # the name of someone with no e-mail
               Person.search_text.startswith(folded + " ", autoescape=True)))
        .limit(6)))
    if len(matches) == 1:
        return matches[0]
    raise LookupError([person.full_name for person in matches[:5]])

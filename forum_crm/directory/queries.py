"""Reading the members' directory: only listed people and member organisations, searched without e-mails.

People leave this module as ListedPerson rows holding only what a member may see, never as Person
records (which carry the coordinator's notes and contact details the person has not shared).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from forum_crm.extensions import db
from forum_crm.models import Affiliation, Locality, Organisation, OrganisationLanguage, Person
from forum_crm.models.directory import organisation_area
from forum_crm.pagination import RowPagination, paginate
from forum_crm.search import text_contains
from forum_crm.text import fold


@dataclass(frozen=True)
class DirectorySearch:
    name: str | None = None
    town: str | None = None
    area_id: int | None = None
    language: str | None = None  # organisations only


@dataclass(frozen=True)
class ListedAffiliation:
    """Where a listed person works now; linked in the directory when the organisation is a member."""
    organisation_id: int
    organisation_name: str
    role_title: str | None
    is_listed: bool


@dataclass(frozen=True)
class ListedPerson:
    """What members see of a person: email and phone are None unless the person shares them."""
    id: int
    first_name: str
    last_name: str
    town: str | None
    affiliations: tuple[ListedAffiliation, ...] = ()
    expertise: str | None = None
    email: str | None = None
    phone: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @classmethod
    def of(cls, person: Person) -> "ListedPerson":
        affiliations = tuple(ListedAffiliation(a.organisation.id, a.organisation.name, a.role_title,
                                               a.organisation.is_active_member)
                             for a in person.affiliations if a.is_current)
        return cls(id=person.id, first_name=person.first_name, last_name=person.last_name,
                   town=person.locality.name if person.locality else None, affiliations=affiliations,
                   expertise=person.expertise, email=person.email if person.share_contact else None,
                   phone=person.phone if person.share_contact else None)


def _person_name_text():
    """The person's folded search text without the e-mail address at its end: members search by name only."""
    without_email = sa.func.substr(Person.search_text, 1,
                                   sa.func.length(Person.search_text) - sa.func.length(Person.email) - 1)
    return sa.case((Person.email.is_(None), Person.search_text), else_=without_email)


def _organisations_with(area_id: int | None, language: str | None) -> sa.Select | None:
    """Ids of organisations working in the area and the language (None if neither is asked for)."""
    if area_id is None and language is None:
        return None
    query = sa.select(Organisation.id)
    if area_id is not None:
        query = query.where(Organisation.id.in_(
            sa.select(organisation_area.c.organisation_id).where(organisation_area.c.area_id == area_id)))
    if language is not None:
        query = query.where(Organisation.id.in_(
            sa.select(OrganisationLanguage.organisation_id).where(OrganisationLanguage.code == language)))
    return query


def listed_people(search: DirectorySearch) -> sa.Select:
    """Listed people by last name in Polish order, with their town and current organisations."""
    query = (sa.select(Person).outerjoin(Locality, Person.locality_id == Locality.id).where(Person.is_listed)
             .options(joinedload(Person.locality),
                      selectinload(Person.affiliations).joinedload(Affiliation.organisation)))
    if search.name:
        query = query.where(_person_name_text().contains(fold(search.name), autoescape=True))
    if search.town:
        query = query.where(Locality.name_key == fold(search.town))
    organisations = _organisations_with(search.area_id, search.language)
    if organisations is not None:
        query = query.where(Person.id.in_(sa.select(Affiliation.person_id).where(
            Affiliation.is_current, Affiliation.organisation_id.in_(organisations))))
    return query.order_by(Person.name_sort, Person.id)


def listed_people_page(search: DirectorySearch) -> RowPagination:
    """The page of listed people asked for by ?page=, as ListedPerson items."""
    page = paginate(listed_people(search))
    page.items = [ListedPerson.of(row[0]) for row in page.items]
    return page


def listed_organisations(search: DirectorySearch) -> sa.Select:
    """The Forum's member organisations in Polish order, with their town."""
    query = (sa.select(Organisation).outerjoin(Locality, Organisation.locality_id == Locality.id)
             .where(Organisation.is_active_member).options(joinedload(Organisation.locality)))
    if search.name:
        query = query.where(text_contains(Organisation, fold(search.name)))
    if search.town:
        query = query.where(Locality.name_key == fold(search.town))
    organisations = _organisations_with(search.area_id, search.language)
    if organisations is not None:
        query = query.where(Organisation.id.in_(organisations))
    return query.order_by(Organisation.name_sort, Organisation.id)


def listed_person(person_id: int) -> ListedPerson | None:
    person = db.session.scalar(sa.select(Person).where(Person.id == person_id, Person.is_listed).options(
        joinedload(Person.locality), selectinload(Person.affiliations).joinedload(Affiliation.organisation)))
    return ListedPerson.of(person) if person else None


def listed_organisation(organisation_id: int) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.id == organisation_id,
                                                           Organisation.is_active_member).options(
        joinedload(Organisation.locality), selectinload(Organisation.areas), selectinload(Organisation.languages)))


def listed_colleagues(organisation_id: int) -> list[ListedPerson]:
    """The listed people who work at the organisation now (names and towns only)."""
    rows = db.session.execute(
        sa.select(Person.id, Person.first_name, Person.last_name, Locality.name)
        .outerjoin(Locality, Person.locality_id == Locality.id)
        .where(Person.is_listed, Person.id.in_(sa.select(Affiliation.person_id).where(
            Affiliation.organisation_id == organisation_id, Affiliation.is_current)))
        .order_by(Person.name_sort, Person.id))
    return [ListedPerson(id=id, first_name=first_name, last_name=last_name, town=town)
            for id, first_name, last_name, town in rows]

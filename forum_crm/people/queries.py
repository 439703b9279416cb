"""Reading people: the list with search and filters, a person's affiliations and editions, name lookups."""

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from forum_crm.extensions import db
from forum_crm.listing import built_once, set_or_not, text_and_place
from forum_crm.models import Affiliation, Edition, Organisation, Participation, Person, Voivodeship
from forum_crm.models.directory import phone_key
from forum_crm.pagination import Order
from forum_crm.search import TRIGRAM
from forum_crm.text import fold


def current_people(organisation_id: int) -> list[Person]:
    """The people who work at the organisation now, by name (what its editor keeps up to date)."""
    return list(db.session.scalars(
        sa.select(Person).join(Affiliation).where(Affiliation.organisation_id == organisation_id,
                                                  Affiliation.is_current, Person.anonymised_at.is_(None))
        .options(joinedload(Person.locality)).distinct().order_by(Person.name_sort, Person.id)))


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


_LISTED_PEOPLE = sa.select(Person).options(joinedload(Person.locality))  # built once (listing.built_once)


def listed_people() -> sa.Select:
    """People as the list shows them, with their town (no conditions, no order; their organisations:
    current_organisation_names)."""
    return _LISTED_PEOPLE


def current_organisation_names(person_ids: list[int]) -> dict[int, list[str]]:
    """The names of the organisations each of these people works at now (by affiliation, oldest first), as plain
    rows: a page of the list needs no affiliation and organisation records."""
    names: dict[int, list[str]] = {}
    if not person_ids:
        return names
    for person_id, name in db.session.execute(
            sa.select(Affiliation.person_id, Organisation.name)
            .join(Organisation, Organisation.id == Affiliation.organisation_id)
            .where(Affiliation.person_id.in_(person_ids), Affiliation.is_current)
            .order_by(Affiliation.person_id, Affiliation.id)):
        names.setdefault(person_id, []).append(name)
    return names


@built_once(unless=lambda filters: bool(filters.search))
def person_list(filters: PersonFilters) -> sa.Select:
    """People matching the filters, by last name in Polish order, with their town."""
    query = listed_people().where(*text_and_place(Person, filters.search, filters.town, filters.voivodeship))
    if filters.organisation_id:
        query = query.where(Person.id.in_(sa.select(Affiliation.person_id).where(
            Affiliation.organisation_id == filters.organisation_id, Affiliation.is_current)))
    if filters.forum_member is not None:
        query = query.where(Person.forum_member.is_(filters.forum_member))
    query = query.where(*set_or_not(((Person.directory_consent_at, filters.directory_consent),
                                      (Person.map_consent_at, filters.map_consent),
                                      (Person.archived_at, filters.archived))))
    return query.order_by(*person_order(filters).clauses())


def counted_once(filters: PersonFilters) -> bool:
    """Whether the list's keys and count come from one statement (pagination.CountedOnceKeysetPagination): a search
    the trigram index answers must find all its hits to count them anyway; a shorter one (one or two letters,
    matching most people) finds its page faster along the name order, stopping at 25 hits."""
    return len(fold(filters.search or "")) >= TRIGRAM


def person_order(filters: PersonFilters) -> Order:
    """The people list's order: by last name in Polish order (the id among equal names), either way."""
    return Order(Person.name_sort, Person.id, filters.descending)


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
        .order_by(sa.case((Affiliation.is_current, 0), else_=1), Affiliation.started_on.desc().nulls_last(),
                  Affiliation.id)))


def find_person(typed: str) -> Person:
    """The person a coordinator typed: an e-mail address, or a full name that only one person has."""
    folded = fold(typed)
    matches = list(db.session.scalars(sa.select(Person).where(
        sa.or_(Person.email == typed.strip().lower(),
               Person.search_text == folded,  # the name of someone with no e-mail
               Person.search_text.startswith(folded + " ", autoescape=True)))
        .limit(6)))
    if len(matches) == 1:
        return matches[0]
    raise LookupError([person.full_name for person in matches[:5]])


SUGGESTIONS = 10  # people offered while typing


def _starting_with(column: sa.ColumnElement, prefix: str) -> sa.ColumnElement[bool]:
    """`column` starts with `prefix`, as a range an index on the column serves (on SQLite and PostgreSQL alike)."""
    alphanumeric = re.match(r"[a-z0-9]+", prefix)
    if not alphanumeric:
        return column.startswith(prefix, autoescape=True)
    start = alphanumeric.group()
    return sa.and_(column >= start, column < start[:-1] + chr(ord(start[-1]) + 1),
                   column.startswith(prefix, autoescape=True))


def person_suggestions(typed: str, limit: int = SUGGESTIONS) -> list[Person]:
    """People whose first name, last name or e-mail address starts with the first word typed (Polish letters
    optional) and whose name or e-mail contains the other words, not archived or anonymised, in Polish order of
    last names; with their current organisations (to tell people of the same name apart).

    The first word is looked up in the indexes on the folded names and the e-mail address, so this stays fast on
    100,000 people (see docs/performance.md); a word inside a name ("wisniewska" in "Ślęzak-Wiśniewska") is found
    only after a first word that starts one."""
    words = fold(typed).split()
    if not words:
        return []
    first = words[0]
    return list(db.session.scalars(
        sa.select(Person).where(
            sa.or_(_starting_with(Person.last_key, first), _starting_with(Person.first_key, first),
                   _starting_with(Person.email, typed.strip().split()[0].lower())),
            *[Person.search_text.contains(word, autoescape=True) for word in words[1:]],
            Person.archived_at.is_(None), Person.anonymised_at.is_(None))
        .options(selectinload(Person.affiliations).joinedload(Affiliation.organisation))
        .order_by(Person.name_sort, Person.id).limit(limit)))


def person_with_email(email: str, other_than: int | None) -> Person | None:
    """Another person (not `other_than`) with this e-mail address, whatever its case."""
    return db.session.scalar(sa.select(Person).where(Person.email == email.strip().lower(),
                                                     Person.id != (other_than or 0)).limit(1))


TWINS_SHOWN = 5


def likely_twins(first_name: str, last_name: str, email: str | None, phone: str | None) -> list[Person]:
    """People a new record with these values would likely duplicate: the same e-mail address or phone number, or
    the same name (Polish letters and the order of first and last name aside), with their organisations and town."""
    first_key, last_key = fold(first_name), fold(last_name)
    same = [sa.and_(Person.first_key == first_key, Person.last_key == last_key),
            sa.and_(Person.first_key == last_key, Person.last_key == first_key)]
    if email:
        same.append(Person.email == email.strip().lower())
    if phone_key(phone):
        same.append(Person.phone_key == phone_key(phone))
    return list(db.session.scalars(
        sa.select(Person).where(sa.or_(*same), Person.anonymised_at.is_(None))
        .options(joinedload(Person.locality), selectinload(Person.affiliations).joinedload(Affiliation.organisation))
        .order_by(Person.name_sort, Person.id).limit(TWINS_SHOWN)))


def main_affiliation(person_id) -> sa.ScalarSelect:
    """The affiliation a person is listed with (`person_id` a column: correlated): their current primary one,
    else their latest current one, in the order editions.participation_queries.represented_organisation uses."""
    return (sa.select(Affiliation.id)
            .where(Affiliation.person_id == person_id,
                   Affiliation.is_current)
            .order_by(Affiliation.is_primary.desc(), Affiliation.started_on.desc().nulls_last(), Affiliation.id.desc())
            .limit(1).scalar_subquery())

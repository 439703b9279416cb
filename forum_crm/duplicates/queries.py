"""Finding likely duplicates: SQL self-joins on the indexed keys, one SELECT per reason, never a loop over pairs.

Each reason yields (first_id, second_id, reason, score) with the lower id first; a pair found for several
reasons is one row whose score is its best reason's plus 5 for each other one, and whose `reasons` is the
sum of the reasons' bits. Pairs the coordinator dismissed are left out.
"""

import enum
import functools
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from forum_crm.extensions import db
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.kept import kept_scalar
from forum_crm.models import (
    Affiliation,
    ChangeLogEntry,
    DismissedPair,
    DuplicateKind,
    NamePair,
    NamePairKind,
    Organisation,
    Participation,
    Person,
    PersonMerge,
)


class PersonReason(enum.IntFlag):
    SAME_PHONE = 1
    SAME_NAME_ORGANISATION = 2
    SPELLING = 4
    SAME_NAME_TOWN = 8
    SWAPPED = 16
    TYPO = 32


class OrganisationReason(enum.IntFlag):
    SHORT_NAME_IS_NAME = 1
    SAME_SHORT_NAME = 2
    SAME_SHORT_NAME_TOWN = 4


PERSON_SCORES = {PersonReason.SAME_NAME_ORGANISATION: 95, PersonReason.SAME_PHONE: 90, PersonReason.SPELLING: 85,
                 PersonReason.SWAPPED: 80, PersonReason.SAME_NAME_TOWN: 75, PersonReason.TYPO: 60}
ORGANISATION_SCORES = {OrganisationReason.SAME_SHORT_NAME_TOWN: 90, OrganisationReason.SHORT_NAME_IS_NAME: 85,
                       OrganisationReason.SAME_SHORT_NAME: 70}
# Separate dicts: the two enumerations' members compare equal as integers.
PERSON_REASONS = {
    PersonReason.SAME_PHONE: _l("the same phone number"),
    PersonReason.SAME_NAME_ORGANISATION: _l("the same name at the same organisation"),
    PersonReason.SPELLING: _l("the same name spelled differently"),
    PersonReason.SAME_NAME_TOWN: _l("the same name in the same town"),
    PersonReason.SWAPPED: _l("first and last name swapped"),
    PersonReason.TYPO: _l("names one typo apart"),
}
ORGANISATION_REASONS = {
    OrganisationReason.SHORT_NAME_IS_NAME: _l("one's short name is the other's name"),
    OrganisationReason.SAME_SHORT_NAME: _l("the same short name"),
    OrganisationReason.SAME_SHORT_NAME_TOWN: _l("the same short name in the same town"),
}
EACH_OTHER_REASON = 5  # a pair found for two reasons is likelier than for one
MAX_SCORE = 99


def _found(first: sa.ColumnElement, second: sa.ColumnElement, reason: enum.IntFlag, score: int,
           *conditions: sa.ColumnElement, froms: tuple = ()) -> sa.Select:
    """One reason's pairs, each once, lower id first."""
    return (sa.select(first.label("first_id"), second.label("second_id"), sa.literal(int(reason)).label("reason"),
                      sa.literal(score).label("score"))
            .select_from(*froms).where(first < second, *conditions).distinct())


def _ranked(kind: DuplicateKind, reasons: list[sa.Select]) -> sa.Select:
    """The pairs of all reasons, one row a pair, best first, without the dismissed ones."""
    found = sa.union_all(*reasons).subquery("found")
    score = sa.func.max(found.c.score) + EACH_OTHER_REASON * (sa.func.count() - 1)
    pairs = (sa.select(found.c.first_id, found.c.second_id,
                       sa.case((score > MAX_SCORE, MAX_SCORE), else_=score).label("score"),
                       sa.func.sum(found.c.reason).label("reasons"))
             .group_by(found.c.first_id, found.c.second_id).subquery("pairs"))
    dismissed = sa.exists().where(DismissedPair.kind == kind, DismissedPair.first_id == pairs.c.first_id,
                                  DismissedPair.second_id == pairs.c.second_id)
    return (sa.select(pairs.c.first_id, pairs.c.second_id, pairs.c.score, pairs.c.reasons).where(~dismissed)
            .order_by(pairs.c.score.desc(), pairs.c.first_id, pairs.c.second_id))


def _materialised(select: sa.Select, name: str) -> sa.CTE:
    """A small intermediate result computed once, so the planner starts from it rather than from every person."""
    return select.cte(name).prefix_with("MATERIALIZED")


def person_pairs() -> sa.Select:
    """Likely duplicate people: (first_id, second_id, score, reasons), best first."""
    return _ranked(DuplicateKind.PERSON, person_reasons())


def person_reasons() -> list[sa.Select]:
    """Each reason's pairs of people: (first_id, second_id, reason, score)."""
    a, b = aliased(Person), aliased(Person)
    alive = (a.anonymised_at.is_(None), b.anonymised_at.is_(None))
    same_name = (a.first_key == b.first_key, a.last_key == b.last_key)
    works_a, works_b = aliased(Affiliation), aliased(Affiliation)

    def paired(kind: NamePairKind) -> tuple:
        """The conditions and tables of two living people whose names are a stored pair of this kind."""
        return (NamePair.kind == kind, a.first_key == NamePair.first_key, a.last_key == NamePair.last_key,
                b.first_key == NamePair.other_first_key, b.last_key == NamePair.other_last_key, *alive)

    # Namesakes at one organisation: the (organisation, name) groups of more than one person, then their people.
    # Grouped name first: people are read in the order of their name index, each one's organisations from theirs.
    namesakes = _materialised(
        sa.select(Person.first_key, Person.last_key, Affiliation.organisation_id)
        .join(Affiliation, Person.id == Affiliation.person_id).where(Person.anonymised_at.is_(None))
        .group_by(Person.first_key, Person.last_key, Affiliation.organisation_id)
        .having(sa.func.min(Person.id) < sa.func.max(Person.id)), "namesakes")
    # Names spelled two ways (diacritics, capitals): the keys of such names, found by grouping, not by pairing.
    spelling = Person.first_name + " " + Person.last_name
    spelled_twice = _materialised(
        sa.select(Person.first_key, Person.last_key).where(Person.anonymised_at.is_(None))
        .group_by(Person.first_key, Person.last_key)
        .having(sa.func.min(spelling) < sa.func.max(spelling)), "spelled_twice")
    # Namesakes in one town: the (name, town) groups of more than one person, then their people.
    townsfolk = _materialised(
        sa.select(Person.first_key, Person.last_key, Person.locality_id)
        .where(Person.anonymised_at.is_(None), Person.locality_id.is_not(None))
        .group_by(Person.first_key, Person.last_key, Person.locality_id)
        .having(sa.func.min(Person.id) < sa.func.max(Person.id)), "townsfolk")
    # One typo: the stored pairs of names one typo apart (NameKey, NamePair), then their people. A typo alone is
    # weak: people in two different towns are left out. Each case of the towns is its own indexed join.
    typo = sa.union(*(
        _found(a.id, b.id, PersonReason.TYPO, PERSON_SCORES[PersonReason.TYPO], *paired(NamePairKind.TYPO), towns,
               froms=(NamePair, a, b))
        for towns in (a.locality_id == b.locality_id, b.locality_id.is_(None), a.locality_id.is_(None))
    )).subquery("typo")
    return [
        _found(a.id, b.id, PersonReason.SAME_PHONE, PERSON_SCORES[PersonReason.SAME_PHONE],
               a.phone_key == b.phone_key, a.phone_key.is_not(None), *alive, froms=(a, b)),
        _found(a.id, b.id, PersonReason.SAME_NAME_ORGANISATION, PERSON_SCORES[PersonReason.SAME_NAME_ORGANISATION],
               works_a.organisation_id == namesakes.c.organisation_id, a.id == works_a.person_id,
               a.first_key == namesakes.c.first_key, a.last_key == namesakes.c.last_key,
               works_b.organisation_id == namesakes.c.organisation_id, b.id == works_b.person_id, *same_name,
               froms=(namesakes, works_a, a, works_b, b)),
        _found(a.id, b.id, PersonReason.SPELLING, PERSON_SCORES[PersonReason.SPELLING],
               a.first_key == spelled_twice.c.first_key, a.last_key == spelled_twice.c.last_key, *same_name,
               sa.or_(a.first_name != b.first_name, a.last_name != b.last_name), *alive, froms=(spelled_twice, a, b)),
        _found(a.id, b.id, PersonReason.SAME_NAME_TOWN, PERSON_SCORES[PersonReason.SAME_NAME_TOWN],
               a.first_key == townsfolk.c.first_key, a.last_key == townsfolk.c.last_key,
               a.locality_id == townsfolk.c.locality_id, *same_name, a.locality_id == b.locality_id, *alive,
               froms=(townsfolk, a, b)),
        _found(a.id, b.id, PersonReason.SWAPPED, PERSON_SCORES[PersonReason.SWAPPED], *paired(NamePairKind.SWAPPED),
               froms=(NamePair, a, b)),
        sa.select(typo),
    ]


def pair_count(kind: DuplicateKind) -> int:
    """How many pairs of this kind the finder shows (dismissed ones left out). Counting runs the finder's
    self-joins to the end, so the count is kept until a table they read changes (forum_crm.kept)."""
    return kept_scalar(_pair_count_statement(kind))


@functools.cache
def _pair_count_statement(kind: DuplicateKind) -> sa.Select:
    """The count of the finder's pairs, built once a process: building the finder's statement and its cache key
    costs more (10-15 ms) than looking the kept count up."""
    pairs = person_pairs() if kind == DuplicateKind.PERSON else organisation_pairs()
    return sa.select(sa.func.count()).select_from(pairs.order_by(None).subquery())


def organisation_pairs() -> sa.Select:
    """Likely duplicate organisations: (first_id, second_id, score, reasons), best first.

    The same KRS, NIP or folded name cannot happen: the database refuses a second organisation with any of them.
    """
    return _ranked(DuplicateKind.ORGANISATION, organisation_reasons())


def organisation_reasons() -> list[sa.Select]:
    """Each reason's pairs of organisations: (first_id, second_id, reason, score)."""
    a, b = aliased(Organisation), aliased(Organisation)
    # Either way round, each an indexed join (an OR of the two would compare every organisation with every other).
    short_name_is_name = sa.union(*(
        _found(a.id, b.id, OrganisationReason.SHORT_NAME_IS_NAME,
               ORGANISATION_SCORES[OrganisationReason.SHORT_NAME_IS_NAME], condition, froms=(a, b))
        for condition in (a.short_key == b.name_key, b.short_key == a.name_key))).subquery("short_name_is_name")
    return [
        sa.select(short_name_is_name),
        _found(a.id, b.id, OrganisationReason.SAME_SHORT_NAME,
               ORGANISATION_SCORES[OrganisationReason.SAME_SHORT_NAME], a.short_key == b.short_key, froms=(a, b)),
        _found(a.id, b.id, OrganisationReason.SAME_SHORT_NAME_TOWN,
               ORGANISATION_SCORES[OrganisationReason.SAME_SHORT_NAME_TOWN], a.short_key == b.short_key,
               a.locality_id == b.locality_id, froms=(a, b)),
    ]


@dataclass(frozen=True)
class Pair:
    """A pair on the page: both records, the score and the reasons."""

    first: Person | Organisation
    second: Person | Organisation
    score: int
    reasons: list[enum.IntFlag]


def people_of_pairs(rows: list[sa.Row]) -> list[Pair]:
    """The page's pairs with their people loaded (with town and organisations) in one query."""
    ids = {row.first_id for row in rows} | {row.second_id for row in rows}
    people = {person.id: person for person in db.session.scalars(
        sa.select(Person).where(Person.id.in_(ids)).options(
            joinedload(Person.locality), selectinload(Person.affiliations).joinedload(Affiliation.organisation)))}
    return [Pair(people[row.first_id], people[row.second_id], row.score, list(PersonReason(row.reasons)))
            for row in rows]


def organisations_of_pairs(rows: list[sa.Row]) -> list[Pair]:
    """The page's pairs with their organisations (and towns) loaded in one query."""
    ids = {row.first_id for row in rows} | {row.second_id for row in rows}
    organisations = {organisation.id: organisation for organisation in db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(ids)).options(joinedload(Organisation.locality)))}
    return [Pair(organisations[row.first_id], organisations[row.second_id], row.score,
                 list(OrganisationReason(row.reasons))) for row in rows]


def participation_counts(person_ids: list[int]) -> dict[int, int]:
    """How many editions each of these people took part in (the merge page shows it)."""
    return dict(db.session.execute(sa.select(Participation.person_id, sa.func.count()).where(
        Participation.person_id.in_(person_ids)).group_by(Participation.person_id)).tuples().all())


def recent_merges(since) -> sa.Select:
    """Merges of people made after `since`, newest first, with the kept person and the change-log entry."""
    return (sa.select(PersonMerge, Person, ChangeLogEntry).join(Person, Person.id == PersonMerge.kept_id)
            .outerjoin(ChangeLogEntry, ChangeLogEntry.id == PersonMerge.change_log_id)
            .where(PersonMerge.merged_at > since).order_by(PersonMerge.merged_at.desc(), PersonMerge.id.desc()))


def merges_of_entries(entry_ids: list[int]) -> dict[int, PersonMerge]:
    """The merges recorded by these change-log entries, by entry id (the review feed offers to undo them)."""
    return {merge.change_log_id: merge for merge in db.session.scalars(
        sa.select(PersonMerge).where(PersonMerge.change_log_id.in_(entry_ids)))}

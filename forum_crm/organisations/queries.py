"""Reading organisations: the list with search and filters, its people and editions, name lookups, reminders due."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum_crm.extensions import db
from forum_crm.kept import kept_row, kept_rows
from forum_crm.listing import built_once, set_or_not, text_and_place
from forum_crm.models import (
    Affiliation,
    AreaOfWork,
    Edition,
    Locality,
    Organisation,
    Participation,
    ParticipationStatus,
    Person,
    Role,
    RowCount,
    Sector,
    User,
    Voivodeship,
)
from forum_crm.models.base import utcnow
from forum_crm.models.directory import PROFILE_CONFIRMATION_INTERVAL, organisation_area
from forum_crm.pagination import Order
from forum_crm.search import text_contains
from forum_crm.text import fold, polish_sort_key


@dataclass(frozen=True)
class OrganisationFilters:
    search: str | None = None
    town: str | None = None
    voivodeship: Voivodeship | None = None
    sector: Sector | None = None
    area_id: int | None = None
    forum_member: bool | None = None
    archived: bool | None = False  # None: both
    stale: bool = False  # only profiles not confirmed for PROFILE_CONFIRMATION_INTERVAL
    descending: bool = False


def profile_is_stale() -> sa.ColumnElement[bool]:
    """SQL for Organisation.profile_is_stale: not confirmed as up to date (or, if never, created) for a year."""
    return (sa.func.coalesce(Organisation.profile_confirmed_at, Organisation.created_at)
            < utcnow() - PROFILE_CONFIRMATION_INTERVAL)


def stale_profile_count() -> int:
    """Organisations (not archived) whose profile has not been confirmed for a year."""
    return db.session.scalar(sa.select(sa.func.count(Organisation.id))
                             .where(Organisation.archived_at.is_(None), profile_is_stale()))


@dataclass(frozen=True)
class MemberSplit:
    """The organisations of the list (not archived): Forum members and other institutions (guests, partners)."""

    members: int
    others: int


def _counted(*conditions: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
    """How many organisations meet the conditions (a subquery of the member split)."""
    return sa.select(sa.func.count()).select_from(Organisation).where(*conditions).scalar_subquery()


# Built once, as the statements of every page (see kept._VERSIONS). All organisations are counted by the database as
# they are written (row_count), the archived ones and the others each read an index's short range alone.
_MEMBER_SPLIT = sa.select(
    sa.func.coalesce(sa.select(RowCount.records).where(RowCount.table_name == Organisation.__tablename__)
                     .scalar_subquery(), 0),
    _counted(Organisation.archived_at.is_not(None)),
    _counted(Organisation.forum_member_since.is_(None), Organisation.archived_at.is_(None)))


def member_split() -> MemberSplit:
    """All organisations (row_count) less the archived ones and the others (ix_organisation_archived_at and
    ix_organisation_forum_member_since_archived_at) are the members."""
    everyone, archived, others = kept_row(_MEMBER_SPLIT)
    return MemberSplit(members=everyone - archived - others, others=others)


def total_in_split(filters: OrganisationFilters, split: MemberSplit) -> int | None:
    """How many organisations the list holds, if `split` counted them already: no filters but "not archived" and,
    perhaps, "Forum member" (either way); else None, for the list to count."""
    if (filters.search or filters.town or filters.voivodeship or filters.sector or filters.area_id or filters.stale
            or filters.archived is not False):
        return None
    if filters.forum_member is None:
        return split.members + split.others
    return split.members if filters.forum_member else split.others


def _people_now() -> sa.ScalarSelect[int]:
    """How many people work at the organisation now (a subquery of the organisation's row): count(*), which
    PostgreSQL answers from ix_affiliation_organisation_id_ended_on alone (count of the id read the rows)."""
    return (sa.select(sa.func.count()).select_from(Affiliation)
            .where(Affiliation.organisation_id == Organisation.id, Affiliation.is_current)
            .correlate(Organisation).scalar_subquery())


def _matching(query: sa.Select, filters: OrganisationFilters) -> sa.Select:
    """`query` limited to the organisations matching the filters, in the list's order."""
    query = query.where(*text_and_place(Organisation, filters.search, filters.town, filters.voivodeship))
    if filters.sector:
        query = query.where(Organisation.sector == filters.sector)
    if filters.area_id:
        query = query.where(Organisation.id.in_(
            sa.select(organisation_area.c.organisation_id).where(organisation_area.c.area_id == filters.area_id)))
    query = query.where(*set_or_not(((Organisation.forum_member_since, filters.forum_member),
                                      (Organisation.archived_at, filters.archived))))
    if filters.stale:
        query = query.where(profile_is_stale())
    return query.order_by(*organisation_order(filters).clauses())


@built_once(unless=lambda filters: bool(filters.search) or filters.stale)  # stale: compared with the time now
def organisation_list(filters: OrganisationFilters) -> sa.Select:
    """Organisations matching the filters in Polish alphabetical order, with their current people count."""
    return _matching(sa.select(Organisation, _people_now().label("people"))
                     .options(joinedload(Organisation.locality)), filters)


@built_once(unless=lambda filters: bool(filters.search) or filters.stale)
def organisation_rows(filters: OrganisationFilters) -> sa.Select:
    """organisation_list as the list page's plain columns (its town's name, its people count and its key among
    them): loading 25 records and their towns as objects cost more than the rest of the page's query."""
    return _matching(sa.select(
        Organisation.id, Organisation.name, Organisation.short_name, Organisation.sector,
        Organisation.forum_member_since, Organisation.archived_at, Organisation.origin, Organisation.name_sort,
        Locality.name.label("town"), _people_now().label("people"),
    ).outerjoin(Locality, Organisation.locality_id == Locality.id), filters)


def organisation_order(filters: OrganisationFilters) -> Order:
    """The organisations list's order: by name in Polish order (the id among equal names), either way."""
    return Order(Organisation.name_sort, Organisation.id, filters.descending)


# Editors are reminded at most this often that their organisation's profile needs confirming.
REMINDER_INTERVAL = timedelta(days=30)


def organisations_due_reminder() -> list[tuple[Organisation, list[tuple[str, str | None]]]]:
    """Organisations not confirmed for PROFILE_CONFIRMATION_INTERVAL, not reminded in REMINDER_INTERVAL,
    with the e-mail address and language of each of their active editors."""
    now = utcnow()
    rows = db.session.execute(
        sa.select(Organisation, User.email, User.language).join(User, User.organisation_id == Organisation.id)
        .where(User.role == Role.ORG_EDITOR, User.active, Organisation.archived_at.is_(None),
               profile_is_stale(),
               sa.or_(Organisation.profile_reminder_sent_at.is_(None),
                      Organisation.profile_reminder_sent_at < now - REMINDER_INTERVAL))
        .order_by(Organisation.id, User.email))
    due: dict[int, tuple[Organisation, list[tuple[str, str | None]]]] = {}
    for organisation, email, language in rows:
        due.setdefault(organisation.id, (organisation, []))[1].append((email, language))
    return list(due.values())


def organisation_people(organisation_id: int) -> list[Affiliation]:
    """Everyone who works or worked at the organisation, current first, then by name."""
    return list(db.session.scalars(
        sa.select(Affiliation).join(Person).where(Affiliation.organisation_id == organisation_id)
        .options(joinedload(Affiliation.person))
        .order_by(sa.case((Affiliation.is_current, 0), else_=1), Person.name_sort, Affiliation.started_on)))


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


_AREAS = sa.select(AreaOfWork.id, AreaOfWork.name)  # built once (the lists' filters ask it)


def area_choices() -> list[tuple[str, str]]:
    """Every area of work as a filter's choice (id, name) in Polish alphabetical order ("świetlica" before
    "zdrowie"): a short list, sorted here, read as plain rows kept until the areas change (as objects, they cost
    a list page built anew a twentieth of its time)."""
    return sorted(((str(id), name) for id, name in kept_rows(_AREAS)), key=lambda choice: polish_sort_key(choice[1]))


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
        sa.select(Organisation).where(text_contains(Organisation, folded))
        .order_by(Organisation.name_sort).limit(6)))
    if len(matches) == 1:
        return matches[0]
    raise OrganisationNotFound([organisation.name for organisation in matches[:5]])


SUGGESTIONS = 10  # names offered while typing


def organisation_suggestions(typed: str, limit: int = SUGGESTIONS) -> list[Organisation]:
    """Organisations whose name or short name contains `typed` (Polish letters optional), not archived: the exact
    name or short name first, then names that start with it, then the rest, each in Polish order."""
    folded = fold(typed)
    if not folded:
        return []
    rank = sa.case((sa.or_(Organisation.name_key == folded, Organisation.short_key == folded), 0),
                   (Organisation.name_key.startswith(folded, autoescape=True), 1), else_=2)
    return list(db.session.scalars(
        sa.select(Organisation).where(Organisation.search_text.contains(folded, autoescape=True),
                                      Organisation.archived_at.is_(None))
        .options(joinedload(Organisation.locality))
        .order_by(rank, Organisation.name_sort, Organisation.id).limit(limit)))


def clashing_organisation(column: sa.ColumnElement, value: object, other_than: int | None) -> Organisation | None:
    """Another organisation (not `other_than`) with this value in a unique column: name_key, krs or nip."""
    return db.session.scalar(sa.select(Organisation).where(column == value, Organisation.id != (other_than or 0))
                             .limit(1))

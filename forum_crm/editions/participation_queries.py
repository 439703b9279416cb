"""Reading who takes part in an edition: the participants list, and the door check-in's search and tallies."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import get_timezone
from sqlalchemy.orm import joinedload, selectinload

from forum_crm.extensions import db
from forum_crm.models import (
    Affiliation,
    DayAttendance,
    Edition,
    Participation,
    ParticipationStatus,
    Person,
    Registration,
)
from forum_crm.search import text_contains
from forum_crm.text import fold

CHECKIN_RESULTS = 15  # people shown per list on the check-in page; more means "type more of the name"
RECENT_CHECKINS = 5


@dataclass(frozen=True)
class ParticipantFilters:
    search: str | None = None
    status: ParticipationStatus | None = None


def participant_list(edition_id: int, filters: ParticipantFilters) -> sa.Select:
    """The edition's participants matching the filters, by last name in Polish order, with their days."""
    query = (sa.select(Participation).join(Person, Participation.person_id == Person.id)
             .where(Participation.edition_id == edition_id)
             .options(joinedload(Participation.person), joinedload(Participation.organisation),
                      selectinload(Participation.days_attended),
                      selectinload(Participation.registration).selectinload(Registration.choices)))
    if filters.search:
        query = query.where(text_contains(Person, fold(filters.search)))
    if filters.status:
        query = query.where(Participation.status == filters.status)
    return query.order_by(Person.name_sort, Person.id)


def represented_organisation(person_id) -> sa.ScalarSelect:
    """The organisation a person represents now: their current primary affiliation's, else their latest current one.

    `person_id` is a number or a column (correlated, for INSERT ... SELECT over many people).
    """
    return (sa.select(Affiliation.organisation_id)
            .where(Affiliation.person_id == person_id, Affiliation.is_current)
            .order_by(Affiliation.is_primary.desc(), Affiliation.started_on.desc().nulls_last(), Affiliation.id.desc())
            .limit(1).scalar_subquery())


def participation_of(edition_id: int, person_id: int) -> Participation | None:
    return db.session.scalar(sa.select(Participation).where(
        Participation.edition_id == edition_id, Participation.person_id == person_id))


def walk_in_already_added(edition_id: int, first_name: str, last_name: str, email: str | None) -> Person | None:
    """The person a walk-in submitted again (a double tap, a second submission) is: the same name and e-mail
    address, or with no e-mail, someone of the same name and no e-mail on this edition's list."""
    same_name = (Person.first_key == fold(first_name), Person.last_key == fold(last_name),
                 Person.anonymised_at.is_(None))
    if email:
        return db.session.scalar(sa.select(Person).where(Person.email == email.strip().lower(), *same_name))
    taking_part = sa.exists().where(Participation.edition_id == edition_id, Participation.person_id == Person.id)
    return db.session.scalar(sa.select(Person).where(*same_name, Person.email.is_(None), taking_part)
                             .order_by(Person.id.desc()).limit(1))


def email_taken(email: str) -> bool:
    """Someone in the directory has this e-mail address (stored in lower case)."""
    return db.session.scalar(sa.select(Person.id).where(Person.email == email.lower()).limit(1)) is not None


def today() -> date:
    """Today where the Forum meets (the app's time zone), not where the server is."""
    return datetime.now(get_timezone()).date()


def default_checkin_day(edition: Edition) -> date:
    """The day the door check-in is for unless another is chosen: today during the edition, else its first day."""
    current = today()
    return current if current in edition.days else edition.start_date


@dataclass(frozen=True)
class CheckInRow:
    participation: Participation
    checked_in: bool  # on the chosen day


@dataclass(frozen=True)
class CheckInSearch:
    participants: list[CheckInRow]
    others: list[Person]  # in the directory, not yet taking part
    more: bool  # more people match than are shown


def checkin_search(edition: Edition, typed: str, day: date, limit: int = CHECKIN_RESULTS) -> CheckInSearch:
    """People whose name or e-mail contains `typed` (diacritics optional): the edition's participants, with
    whether they are checked in on `day`, and the directory's other people. Anonymised people are never found."""
    folded = fold(typed)
    matches = sa.and_(text_contains(Person, folded), Person.anonymised_at.is_(None))
    checked_in = sa.exists().where(DayAttendance.participation_id == Participation.id, DayAttendance.day == day)
    participants = db.session.execute(
        sa.select(Participation, checked_in).join(Person, Participation.person_id == Person.id)
        .where(Participation.edition_id == edition.id, matches)
        .options(joinedload(Participation.person), joinedload(Participation.organisation),
                 selectinload(Participation.registration))
        .order_by(Person.name_sort, Person.id).limit(limit + 1)).all()
    taking_part = sa.exists().where(Participation.edition_id == edition.id, Participation.person_id == Person.id)
    others = list(db.session.scalars(
        sa.select(Person).where(matches, Person.archived_at.is_(None), ~taking_part)
        .options(selectinload(Person.affiliations).joinedload(Affiliation.organisation))
        .order_by(Person.name_sort, Person.id).limit(limit + 1)))
    return CheckInSearch([CheckInRow(participation, bool(flag)) for participation, flag in participants[:limit]],
                         others[:limit], len(participants) > limit or len(others) > limit)


def checked_in_count(edition_id: int, day: date) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(DayAttendance)
        .join(Participation, Participation.id == DayAttendance.participation_id)
        .where(Participation.edition_id == edition_id, DayAttendance.day == day))


def recent_checkins(edition_id: int, day: date, limit: int = RECENT_CHECKINS) -> list[Participation]:
    """The last people checked in on `day`, latest first (to undo a wrong tap)."""
    return list(db.session.scalars(
        sa.select(Participation).join(DayAttendance, DayAttendance.participation_id == Participation.id)
        .where(Participation.edition_id == edition_id, DayAttendance.day == day)
        .options(joinedload(Participation.person), joinedload(Participation.organisation),
                 selectinload(Participation.registration))
        .order_by(DayAttendance.checked_in_at.desc(), Participation.id.desc()).limit(limit)))


def badge_list(edition_id: int, filters: ParticipantFilters) -> sa.Select:
    """The participants to print name badges for: the list's filters, anonymised people left out."""
    return participant_list(edition_id, filters).where(Person.anonymised_at.is_(None))

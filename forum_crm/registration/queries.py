"""Reading registrations: an edition's settings and places, a person's place on the waiting list, the answers
list with its totals per day and night, and the reminders that are due."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from forum_crm.editions.participation_queries import today
from forum_crm.extensions import db
from forum_crm.models import (
    ChoiceKind,
    Edition,
    EditionRegistration,
    MessageKind,
    OutboxMessage,
    Participation,
    ParticipationStatus,
    Person,
    Registration,
    RegistrationChoice,
)
from forum_crm.models.base import utcnow
from forum_crm.text import fold

# The statuses that hold one of the edition's places.
HOLDING_A_PLACE = (ParticipationStatus.REGISTERED, ParticipationStatus.ATTENDED)


def settings_of(edition_id: int) -> EditionRegistration | None:
    return db.session.get(EditionRegistration, edition_id)


def is_open(settings: EditionRegistration | None, on: date | None = None) -> bool:
    """Registration is open on `on` (default: today where the Forum meets)."""
    on = on or today()
    return settings is not None and settings.opens_on <= on <= settings.closes_on


def places_taken(edition_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(Participation.id)).where(
        Participation.edition_id == edition_id, Participation.status.in_(HOLDING_A_PLACE)))


def _waiting(edition_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(Participation.edition_id == edition_id, Participation.status == ParticipationStatus.INVITED,
                   Registration.waiting_number.is_not(None))


def waiting_place(registration: Registration) -> int | None:
    """1 for the first on the waiting list...; None if not on it."""
    if registration.waiting_number is None or registration.participation.status != ParticipationStatus.INVITED:
        return None
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration)
        .join(Participation, Participation.id == Registration.participation_id)
        .where(_waiting(registration.participation.edition_id),
               Registration.waiting_number <= registration.waiting_number))


def next_waiting_number(edition_id: int) -> int:
    highest = db.session.scalar(
        sa.select(sa.func.max(Registration.waiting_number))
        .join(Participation, Participation.id == Registration.participation_id)
        .where(Participation.edition_id == edition_id))
    return (highest or 0) + 1


def first_waiting(edition_id: int, limit: int) -> list[Registration]:
    """The first `limit` people on the waiting list, in the order they joined it."""
    return list(db.session.scalars(
        sa.select(Registration).join(Participation, Participation.id == Registration.participation_id)
        .where(_waiting(edition_id)).order_by(Registration.waiting_number).limit(limit)
        .options(joinedload(Registration.participation).joinedload(Participation.person))))


def registration_of(participation_id: int) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(Registration.participation_id == participation_id)
        .options(joinedload(Registration.participation).joinedload(Participation.edition),
                 joinedload(Registration.participation).joinedload(Participation.person),
                 selectinload(Registration.choices)))


def to_invite(edition_id: int, participation_ids: list[int] | None = None) -> sa.Select:
    """Invited participants with an e-mail address, not on the waiting list, who have not been sent the
    registration form yet (or, with `participation_ids`, those of them, sent it or not)."""
    query = (sa.select(Participation).join(Person, Person.id == Participation.person_id)
             .outerjoin(Registration, Registration.participation_id == Participation.id)
             .where(Participation.edition_id == edition_id, Participation.status == ParticipationStatus.INVITED,
                    Person.email.is_not(None), Person.anonymised_at.is_(None), Person.archived_at.is_(None),
                    Registration.waiting_number.is_(None))
             .options(joinedload(Participation.person), joinedload(Participation.registration)))
    if participation_ids is None:
        return query.where(Registration.invited_at.is_(None))
    return query.where(Participation.id.in_(participation_ids))


def count_to_invite(edition_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(to_invite(edition_id).order_by(None).subquery()))


@dataclass(frozen=True)
class RegistrationFilters:
    search: str | None = None
    state: str | None = None  # one of STATES


STATES = ("registered", "waiting", "declined", "not_answered")


def answers_list(edition_id: int, filters: RegistrationFilters) -> sa.Select:
    """The edition's participants with their answers (none for those never sent the form), by name; the waiting
    list in its order."""
    query = (sa.select(Participation, Registration)
             .join(Person, Person.id == Participation.person_id)
             .outerjoin(Registration, Registration.participation_id == Participation.id)
             .where(Participation.edition_id == edition_id)
             .options(joinedload(Participation.person), joinedload(Participation.organisation)))
    if filters.search:
        query = query.where(Person.search_text.contains(fold(filters.search), autoescape=True))
    if filters.state == "registered":
        query = query.where(Participation.status.in_(HOLDING_A_PLACE))
    elif filters.state == "waiting":  # in the order people move up
        return query.where(_waiting(edition_id)).order_by(Registration.waiting_number)
    elif filters.state == "declined":
        query = query.where(Participation.status == ParticipationStatus.CANCELLED,
                            Registration.answered_at.is_not(None))
    elif filters.state == "not_answered":
        query = query.where(Participation.status == ParticipationStatus.INVITED, Registration.answered_at.is_(None))
    return query.order_by(Person.name_sort, Person.id)


def choices_of(participation_ids: list[int]) -> dict[int, dict[ChoiceKind, list[date]]]:
    """The days and nights chosen by each of these participants (one query for a page of them)."""
    chosen: dict[int, dict[ChoiceKind, list[date]]] = {}
    for row in db.session.scalars(sa.select(RegistrationChoice).where(
            RegistrationChoice.participation_id.in_(participation_ids))
            .order_by(RegistrationChoice.participation_id, RegistrationChoice.day)):
        chosen.setdefault(row.participation_id, {}).setdefault(row.kind, []).append(row.day)
    return chosen


@dataclass(frozen=True)
class Totals:
    """What the organisers prepare for: who holds a place, per day and per night, and their needs."""

    capacity: int | None
    registered: int
    waiting: int
    declined: int
    not_answered: int
    refunds: int
    per_day: list[tuple[date, int, int]]  # day, attending, of whom with dietary needs
    per_night: list[tuple[date, int]]  # night starting on the day, people needing accommodation


def totals(edition: Edition) -> Totals:
    """Counts in a few SQL aggregates, counting only people who hold a place."""
    base = (sa.select(sa.func.count()).select_from(Participation)
            .outerjoin(Registration, Registration.participation_id == Participation.id)
            .where(Participation.edition_id == edition.id))
    holding = Participation.status.in_(HOLDING_A_PLACE)
    count = db.session.scalar
    settings = settings_of(edition.id)
    chosen = (sa.select(RegistrationChoice.kind, RegistrationChoice.day, sa.func.count(),
                        sa.func.count(Registration.dietary_needs))
              .join(Registration, Registration.participation_id == RegistrationChoice.participation_id)
              .join(Participation, Participation.id == Registration.participation_id)
              .where(Participation.edition_id == edition.id, holding)
              .group_by(RegistrationChoice.kind, RegistrationChoice.day))
    by_kind: dict[tuple[str, date], tuple[int, int]] = {
        (kind, day): (people, dietary) for kind, day, people, dietary in db.session.execute(chosen)}
    return Totals(
        capacity=settings.capacity if settings else None,
        registered=count(base.where(holding)),
        waiting=count(base.where(_waiting(edition.id))),
        declined=count(base.where(Participation.status == ParticipationStatus.CANCELLED,
                                  Registration.answered_at.is_not(None))),
        not_answered=count(base.where(Participation.status == ParticipationStatus.INVITED,
                                      Registration.invited_at.is_not(None), Registration.answered_at.is_(None))),
        refunds=count(base.where(holding, Registration.refund_needed)),
        per_day=[(day, *by_kind.get((ChoiceKind.DAY, day), (0, 0))) for day in edition.days],
        per_night=[(day, by_kind.get((ChoiceKind.NIGHT, day), (0, 0))[0]) for day in nights_of(edition)],
    )


def nights_of(edition: Edition) -> list[date]:
    """The nights one may need a room for: the one before the first day, and each night between the days."""
    return [edition.start_date - timedelta(days=1), *edition.days[:-1]]


MAX_REMINDER_DAYS = 60
NEW_LINK_INTERVAL = timedelta(minutes=10)  # at most one asked-for link per person and edition in this time


def link_sent_lately(person_id: int, edition_id: int) -> bool:
    """A new link was queued for this person and edition less than NEW_LINK_INTERVAL ago (so that asking
    again and again cannot fill their mailbox)."""
    return db.session.scalar(sa.select(sa.exists().where(
        OutboxMessage.person_id == person_id, OutboxMessage.edition_id == edition_id,
        OutboxMessage.kind == MessageKind.REGISTRATION_LINK,
        OutboxMessage.created_at > utcnow() - NEW_LINK_INTERVAL)))


def due_reminders(on: date) -> sa.Select:
    """Registrations of people holding a place at an edition that starts within its reminder days of `on` and
    has not started yet, not reminded yet. (Editions are few: which are due is decided on their rows.)"""
    soon = db.session.execute(
        sa.select(Edition.id, Edition.start_date, EditionRegistration.reminder_days)
        .join(EditionRegistration, EditionRegistration.edition_id == Edition.id)
        .where(Edition.start_date >= on, Edition.start_date <= on + timedelta(days=MAX_REMINDER_DAYS))).all()
    due = [edition_id for edition_id, start, days in soon if start - timedelta(days=days) <= on]
    return (sa.select(Registration.participation_id)
            .join(Participation, Participation.id == Registration.participation_id)
            .where(Participation.edition_id.in_(due), Participation.status == ParticipationStatus.REGISTERED,
                   Registration.reminder_queued_at.is_(None))
            .order_by(Registration.participation_id))

"""Writes of registration: settings, invitations, answers, cancellations, the waiting list and reminders.

Functions flush, never commit. Everything that gives or frees a place first locks the edition's registration
row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite an UPDATE of the row, which takes the database's write
lock, waiting for it up to the busy timeout), then counts the places taken in SQL: of people registering at
once, exactly as many get a place as there are places, and the others join the waiting list in order.
"""

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext

from forum_crm.changelog import record_change
from forum_crm.consents import record_consent
from forum_crm.editions.participation import add_participant, invite_organisations
from forum_crm.editions.participation_queries import participation_of, today
from forum_crm.errors import FieldProblem
from forum_crm.extensions import db
from forum_crm.models import (
    ChoiceKind,
    ConsentPurpose,
    ConsentSource,
    Edition,
    EditionRegistration,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    Person,
    Registration,
    RegistrationChoice,
)
from forum_crm.models.base import utcnow
from forum_crm.registration import emails
from forum_crm.registration.queries import (
    HOLDING_A_PLACE,
    MAX_REMINDER_DAYS,
    due_reminders,
    first_waiting,
    is_open,
    link_sent_lately,
    next_waiting_number,
    nights_of,
    places_taken,
    registration_of,
    settings_of,
    waiting_place,
)
from forum_crm.reports.queries import Period, last_two_editions, organisations_to_reengage


class Outcome(enum.StrEnum):
    REGISTERED = "registered"
    UPDATED = "updated"  # already registered: answers changed
    WAITING = "waiting"
    DECLINED = "declined"  # not coming (never had a place)
    CANCELLED = "cancelled"  # gave up a place or left the waiting list


class RegistrationClosed(Exception):
    """Registration for the edition is not open (not set up, not yet open, or closed)."""


class LinkUsed(Exception):
    """The personal link was used for an answer a moment ago (by another request)."""


def use_link(registration: Registration, sequence: int) -> None:
    """Use up the link with this sequence for one answer; raises LinkUsed if another answer used it first.

    A conditional UPDATE, so of two answers sent at once with one link, only one is taken.
    """
    used = db.session.execute(
        sa.update(Registration).where(Registration.participation_id == registration.participation_id,
                                      Registration.link_sequence == sequence)
        .values(link_sequence=sequence + 1)).rowcount
    if not used:
        raise LinkUsed
    db.session.refresh(registration, ["link_sequence"])


@dataclass(frozen=True)
class Answers:
    days: list[date]
    nights: list[date]
    travel_from: str | None
    refund_needed: bool
    dietary_needs: str | None
    accessibility_needs: str | None
    photo_consent: bool
    free_answer: str | None = None


def save_settings(edition: Edition, data: dict) -> EditionRegistration:
    """Open (or change) registration for the edition; more places move people up from the waiting list."""
    if data["closes_on"] < data["opens_on"]:
        raise FieldProblem("closes_on", gettext("Registration cannot close before it opens."))
    if data["closes_on"] > edition.end_date:
        raise FieldProblem("closes_on", gettext("Registration must close by the last day of the edition."))
    if not 0 <= data["reminder_days"] <= MAX_REMINDER_DAYS:
        raise FieldProblem("reminder_days", gettext("Between 0 and %(most)s days.", most=MAX_REMINDER_DAYS))
    settings = settings_of(edition.id) or EditionRegistration(edition_id=edition.id)
    before = {name: _logged(getattr(settings, name, None)) for name in data}
    for name, value in data.items():
        setattr(settings, name, value)
    db.session.add(settings)
    db.session.flush()
    changes = {name: [before[name], _logged(value)] for name, value in data.items() if before[name] != _logged(value)}
    if changes:
        record_change("edition", edition, "registration_settings", changes)
    lock_places(edition.id)
    fill_free_places(edition)
    return settings


def _logged(value):
    return value.isoformat() if isinstance(value, date) else value


def lock_places(edition_id: int) -> None:
    """Hold the edition's registration row until the transaction ends: one registration at a time decides."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(EditionRegistration.edition_id)
                           .where(EditionRegistration.edition_id == edition_id).with_for_update())
    else:
        db.session.execute(sa.update(EditionRegistration).where(EditionRegistration.edition_id == edition_id)
                           .values(edition_id=EditionRegistration.edition_id))


def fill_free_places(edition: Edition) -> int:
    """Move people up from the waiting list into free places (the caller holds the lock); each gets an e-mail."""
    settings = settings_of(edition.id)
    free = None if settings.capacity is None else settings.capacity - places_taken(edition.id)
    if free is not None and free <= 0:
        return 0
    moved = first_waiting(edition.id, free if free is not None else 1_000_000)
    for registration in moved:
        registration.participation.status = ParticipationStatus.REGISTERED
        registration.waiting_number = None
        emails.queue_confirmation(registration, moved_up=True)
    if moved:
        db.session.flush()
        record_change("edition", edition, "moved_up_from_waiting_list",
                      {"participants": [None, [r.participation.person.full_name for r in moved]]})
    return len(moved)


def ensure_registration(participation: Participation, language: str = "pl") -> Registration:
    if participation.registration is None:
        participation.registration = Registration(language=language)
        db.session.flush()
    return participation.registration


def send_invitations(edition: Edition, participations: list[Participation]) -> int:
    """E-mail each of these (invited) participants the registration form with their personal link."""
    settings = settings_of(edition.id)
    if not is_open(settings):
        raise RegistrationClosed
    now = utcnow()
    for participation in participations:  # the rows are written by one flush at the end: batched INSERTs
        if participation.registration is None:
            participation.registration = Registration(participation_id=participation.id, link_sequence=0,
                                                      language=participation.person.language or "pl")
        participation.registration.invited_at = now
        emails.queue_invitation(participation.registration, settings.closes_on, flush=False)
    if participations:
        db.session.flush()
        record_change("edition", edition, "registration_invitations_sent",
                      {"invitations": [None, len(participations)]})
    return len(participations)


def invite_to_reengage(edition: Edition) -> tuple[int, int]:
    """Put on the edition's list, as invited, everyone who works now at the member organisations that sent nobody
    to either of the last two editions held (the reports' "organisations to re-engage").

    Returns (organisations, people added); both 0 before two editions have been held.
    """
    last_two = last_two_editions(Period())
    if len(last_two) < 2:
        return 0, 0
    organisations = list(db.session.scalars(organisations_to_reengage(last_two)))
    return len(organisations), invite_organisations(edition, organisations) if organisations else 0


def _check(edition: Edition, answers: Answers) -> None:
    if not answers.days:
        raise FieldProblem("days", gettext("Choose at least one day."))
    if not set(answers.days) <= set(edition.days):
        raise FieldProblem("days", gettext("Choose one of the days of this edition."))
    if not set(answers.nights) <= set(nights_of(edition)):
        raise FieldProblem("nights", gettext("Choose one of the nights listed."))


def _store(registration: Registration, answers: Answers, language: str) -> None:
    for name in ("travel_from", "refund_needed", "dietary_needs", "accessibility_needs", "free_answer"):
        setattr(registration, name, getattr(answers, name))
    record_consent(registration.participation.person, ConsentPurpose.PHOTOGRAPHS, answers.photo_consent,
                   ConsentSource.REGISTRATION, note=str(registration.participation.edition))
    registration.choices = [RegistrationChoice(kind=ChoiceKind.DAY, day=day) for day in sorted(set(answers.days))] + [
        RegistrationChoice(kind=ChoiceKind.NIGHT, day=day) for day in sorted(set(answers.nights))]
    _answered(registration, language)


def _answered(registration: Registration, language: str) -> None:
    registration.answered_at = utcnow()
    registration.language = language


def accept(registration: Registration, sequence: int, answers: Answers, language: str) -> Outcome:
    """Coming, with these answers (given through the link with `sequence`): a place if one is free, else the end
    of the waiting list."""
    participation = registration.participation
    edition = participation.edition
    if not is_open(settings_of(edition.id)):
        raise RegistrationClosed
    _check(edition, answers)
    lock_places(edition.id)  # first: every write of the edition's registrations waits here, so none deadlock
    use_link(registration, sequence)
    db.session.refresh(participation, ["status"])  # as it is now that we hold the lock
    _store(registration, answers, language)
    settings = settings_of(edition.id)
    if participation.status in HOLDING_A_PLACE:
        outcome = Outcome.UPDATED
    elif participation.status == ParticipationStatus.INVITED and registration.waiting_number is not None:
        outcome = Outcome.WAITING
    elif settings.capacity is None or places_taken(edition.id) < settings.capacity:
        participation.status, outcome = ParticipationStatus.REGISTERED, Outcome.REGISTERED
    else:
        participation.status, outcome = ParticipationStatus.INVITED, Outcome.WAITING
        registration.waiting_number = next_waiting_number(edition.id)
    db.session.flush()
    if outcome == Outcome.WAITING:
        emails.queue_waiting_list(registration, waiting_place(registration))
    else:
        emails.queue_confirmation(registration)
    if outcome != Outcome.UPDATED:
        name = participation.person.full_name
        record_change("edition", edition, "registered", {"person": [name, name], "outcome": [None, outcome.value]})
    return outcome


def decline(registration: Registration, sequence: int, language: str) -> Outcome:
    """Not coming (said through the link with `sequence`): a place given up goes to the first on the waiting
    list."""
    participation = registration.participation
    edition = participation.edition
    if not is_open(settings_of(edition.id)):
        raise RegistrationClosed
    lock_places(edition.id)  # first: every write of the edition's registrations waits here, so none deadlock
    use_link(registration, sequence)
    db.session.refresh(participation, ["status"])
    had_place_or_queue = participation.status in HOLDING_A_PLACE or registration.waiting_number is not None
    participation.status = ParticipationStatus.CANCELLED
    registration.waiting_number = None
    registration.choices = []
    _answered(registration, language)
    db.session.flush()
    fill_free_places(edition)
    emails.queue_cancelled(registration)
    name = participation.person.full_name
    outcome = Outcome.CANCELLED if had_place_or_queue else Outcome.DECLINED
    record_change("edition", edition, "registration_cancelled", {"person": [name, name],
                                                                 "outcome": [None, outcome.value]})
    return outcome


def register_member(edition: Edition, person: Person, answers: Answers, language: str) -> Outcome:
    """A member with an account registers from the edition's page (added to its list if they are not on it)."""
    if not is_open(settings_of(edition.id)):
        raise RegistrationClosed
    participation = participation_of(edition.id, person.id) or add_participant(
        edition, person, ParticipationRole.PARTICIPANT, ParticipationStatus.INVITED)
    registration = ensure_registration(participation, language)
    return accept(registration, registration.link_sequence, answers, language)


def queue_due_reminders(on: date | None = None) -> int:
    """Queue the reminder to each registered person whose edition is within its reminder days; each once,
    also when two workers run this at the same moment (the row is marked by a conditional UPDATE)."""
    queued = 0
    for participation_id in db.session.scalars(due_reminders(on or today())).all():
        claimed = db.session.execute(
            sa.update(Registration).where(Registration.participation_id == participation_id,
                                          Registration.reminder_queued_at.is_(None))
            .values(reminder_queued_at=utcnow())).rowcount
        if claimed:
            emails.queue_reminder(registration_of(participation_id))
            queued += 1
    return queued


def send_new_links(email: str) -> int:
    """A new personal link for each open registration of the person with this e-mail (earlier links stop
    working); how many were sent (the page says the same whatever the answer)."""
    person = db.session.scalar(sa.select(Person).where(Person.email == email.strip().lower(),
                                                       Person.anonymised_at.is_(None)))
    if person is None:
        return 0
    registrations = db.session.scalars(
        sa.select(Registration).join(Participation, Participation.id == Registration.participation_id)
        .where(Participation.person_id == person.id,
               Participation.status.in_([ParticipationStatus.INVITED, ParticipationStatus.REGISTERED,
                                         ParticipationStatus.CANCELLED]))).all()
    sent = 0
    for registration in registrations:
        edition_id = registration.participation.edition_id
        if is_open(settings_of(edition_id)) and not link_sent_lately(person.id, edition_id):
            registration.link_sequence += 1
            db.session.flush()
            emails.queue_new_link(registration)
            sent += 1
    return sent

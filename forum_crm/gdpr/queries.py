"""Reads of data protection: erasure requests, who an erasure would leave an organisation without, and the people
past the retention period (SQL over the indexed person, participation, change-log and account columns)."""

from calendar import monthrange
from datetime import UTC, date, datetime

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import (
    ChangeLogEntry,
    Edition,
    ErasureRequest,
    ErasureState,
    Organisation,
    Origin,
    Participation,
    Person,
    Role,
    User,
)


def erasure_requests(state: ErasureState | None) -> sa.Select:
    """Requests to erase, waiting first and then the newest, optionally in one state."""
    query = sa.select(ErasureRequest).join(ErasureRequest.person).order_by(
        (ErasureRequest.state == ErasureState.REQUESTED).desc(), ErasureRequest.requested_at.desc(),
        ErasureRequest.id.desc())
    return query.where(ErasureRequest.state == state) if state else query


def waiting_request(person_id: int) -> ErasureRequest | None:
    """The person's request to erase that the coordinator has not handled yet, if any."""
    return db.session.scalar(sa.select(ErasureRequest).where(
        ErasureRequest.person_id == person_id, ErasureRequest.state == ErasureState.REQUESTED).limit(1))


def count_waiting_requests() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(ErasureRequest.state == ErasureState.REQUESTED))


def organisation_left_without_editor(person_id: int) -> Organisation | None:
    """The organisation whose only active editor is the person's account (erasing them leaves it without one)."""
    account = db.session.scalar(sa.select(User).where(User.person_id == person_id))
    if account is None or account.role != Role.ORG_EDITOR or not account.active:
        return None
    others = db.session.scalar(sa.select(sa.func.count()).where(
        User.organisation_id == account.organisation_id, User.role == Role.ORG_EDITOR, User.active.is_(True),
        User.id != account.id))
    return None if others else account.organisation


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day if it has no such day: 31 May - 3 -> 28/29 February)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def retention_cutoff(today: date, months: int) -> datetime:
    """The moment before which a person's last activity must lie for them to be past the retention period."""
    return datetime.combine(months_before(today, months), datetime.min.time(), UTC)


def inactive_people(cutoff: datetime) -> sa.Select:
    """People (not anonymised, not demo) with no activity since `cutoff`: not created or changed, no change-log
    entry, no participation registered or in an edition ending since, no account created or logged in since."""
    since = cutoff.date()
    participated = (sa.select(Participation.id).join(Edition, Edition.id == Participation.edition_id)
                    .where(Participation.person_id == Person.id,
                           sa.or_(Participation.created_at >= cutoff, Edition.end_date >= since)).exists())
    changed = sa.select(ChangeLogEntry.id).where(
        ChangeLogEntry.entity_type == "person", ChangeLogEntry.entity_id == Person.id,
        ChangeLogEntry.occurred_at >= cutoff).exists()
    logged_in = sa.select(User.id).where(User.person_id == Person.id, sa.or_(
        User.created_at >= cutoff, User.last_login_at >= cutoff)).exists()
    return (sa.select(Person).where(
        Person.anonymised_at.is_(None), Person.origin != Origin.DEMO, Person.created_at < cutoff,
        Person.updated_at < cutoff, ~participated, ~changed, ~logged_in).order_by(Person.name_sort, Person.id))

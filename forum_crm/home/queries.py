"""What the start page shows: one query function per card, each a few SQL aggregates.

The coordinator's cards are listed in COORDINATOR_CARDS: a card is a function here that returns what it shows
(or None to leave the card out) and a macro of the same name in templates/home/_cards.html that shows it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum_crm.changes.queries import changes_to_review_count
from forum_crm.duplicates.queries import pair_count
from forum_crm.editions.participation_queries import today as local_today
from forum_crm.editions.queries import participant_counts
from forum_crm.extensions import db
from forum_crm.gdpr.queries import count_waiting_requests
from forum_crm.gdpr.retention import count_past_retention
from forum_crm.mailings.queries import mailing_list
from forum_crm.models import (
    ChangeLogEntry,
    DuplicateKind,
    Edition,
    EditionRegistration,
    Organisation,
    OutboxMessage,
    OutboxState,
    ParticipationStatus,
)
from forum_crm.models.base import utcnow
from forum_crm.organisations.queries import stale_profile_count
from forum_crm.outbox.queries import count_by_state
from forum_crm.registration.queries import Totals, is_open, settings_of, totals

RECENT = timedelta(days=30)  # imports counted on the home page
RECENT_MESSAGES = 5
RECENT_MAILINGS = 3
UPCOMING_EDITIONS = 5
IMPORT_ACTIONS = ("imported", "attendance_imported")


@dataclass(frozen=True)
class NextEdition:
    edition: Edition
    days_to_go: int  # 0 while it is on
    counts: dict[ParticipationStatus, int]


def next_edition() -> NextEdition | None:
    """The edition on now or the next one, with its participants counted by status."""
    today = local_today()
    edition = db.session.scalar(sa.select(Edition).where(Edition.end_date >= today)
                                .options(joinedload(Edition.locality)).order_by(Edition.start_date).limit(1))
    if edition is None:
        return None
    return NextEdition(edition, max((edition.start_date - today).days, 0), participant_counts(edition.id))


def upcoming_editions() -> list[Edition]:
    """Editions on now or to come, soonest first."""
    return list(db.session.scalars(sa.select(Edition).where(Edition.end_date >= local_today())
                                   .options(joinedload(Edition.locality))
                                   .order_by(Edition.start_date).limit(UPCOMING_EDITIONS)))


@dataclass(frozen=True)
class Duplicates:
    people: int
    organisations: int


def likely_duplicates() -> Duplicates:
    """How many pairs the duplicate finder shows (dismissed ones left out), as its pages count them."""
    return Duplicates(pair_count(DuplicateKind.PERSON), pair_count(DuplicateKind.ORGANISATION))


@dataclass(frozen=True)
class RecentImports:
    by_kind: dict[str, int]  # entity type -> records created or attendance lists imported in RECENT
    last_at: datetime | None


def recent_imports() -> RecentImports:
    """What imports created in the last 30 days, by kind of record, and when the last one ran."""
    since = utcnow() - RECENT
    rows = db.session.execute(
        sa.select(ChangeLogEntry.entity_type, sa.func.count(), sa.func.max(ChangeLogEntry.occurred_at))
        .where(ChangeLogEntry.action.in_(IMPORT_ACTIONS), ChangeLogEntry.occurred_at >= since)
        .group_by(ChangeLogEntry.entity_type)).all()
    return RecentImports({kind: count for kind, count, _ in rows}, max((last for *_, last in rows), default=None))


@dataclass(frozen=True)
class RecentMail:
    counts: dict[OutboxState, int]
    latest: list[OutboxMessage]


def recent_mail() -> RecentMail:
    """The outbox by state and its latest messages."""
    latest = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(RECENT_MESSAGES))
    return RecentMail(count_by_state(), list(latest))


@dataclass(frozen=True)
class NextRegistration:
    edition: Edition
    settings: EditionRegistration | None  # None: registration not set up yet
    open: bool
    totals: Totals


def next_registration() -> NextRegistration | None:
    """Registration for the edition on now or next: whether it is open, places taken and the waiting list."""
    edition = db.session.scalar(sa.select(Edition).where(Edition.end_date >= local_today())
                                .order_by(Edition.start_date).limit(1))
    if edition is None:
        return None
    settings = settings_of(edition.id)
    return NextRegistration(edition, settings, is_open(settings), totals(edition))


def recent_mailings() -> list[sa.Row]:
    """The latest mailings, drafts included, with how many of each were sent and failed."""
    return list(db.session.execute(mailing_list().limit(RECENT_MAILINGS)))


@dataclass(frozen=True)
class DataProtection:
    requests: int  # requests to erase waiting for an answer
    past_retention: int  # people with no activity for RETENTION_MONTHS


def data_protection() -> DataProtection:
    """What data protection asks of the coordinator: requests to erase to answer, people past the retention period
    (on the day the retention page uses, so both show the same count)."""
    return DataProtection(count_waiting_requests(), count_past_retention(date.today()))


# The coordinator's cards in the order shown: name (also the macro's) -> what it shows, read on each visit.
COORDINATOR_CARDS: dict[str, Callable[[], Any]] = {
    "next_edition": next_edition,
    "next_registration": next_registration,
    "changes_to_review": changes_to_review_count,
    "data_protection": data_protection,
    "stale_profiles": stale_profile_count,
    "likely_duplicates": likely_duplicates,
    "recent_imports": recent_imports,
    "recent_mail": recent_mail,
    "recent_mailings": recent_mailings,
}


def coordinator_cards() -> list[tuple[str, Any]]:
    return [(name, read()) for name, read in COORDINATOR_CARDS.items()]


# What an editor should fill in, besides the name: the profile's fields members and the map use.
PROFILE_FIELDS = ("short_name", "locality", "website", "email", "phone", "description", "areas", "languages")


def missing_fields(organisation: Organisation) -> list[str]:
    """The profile's empty fields (names as the change log has them, so field_label names them)."""
    return [name for name in PROFILE_FIELDS if getattr(organisation, name) in (None, "", [])]

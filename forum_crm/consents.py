"""Consents per purpose: giving or withdrawing one changes the person's current state and adds to its history.

Every place that records a consent (the person's own profile, the coordinator's form, imports, registration
answers, the unsubscribe link) calls `record_consent`; the app obeys the state kept on the person's row.
"""

from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from flask_login import current_user

from forum_crm.extensions import db
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.models import ConsentEvent, ConsentPurpose, ConsentSource, Person
from forum_crm.models.base import utcnow

# What the person is shown for each purpose, and the version of that wording kept with each consent.
# Change the version whenever the wording changes, so the history says which text a person agreed to.
WORDINGS = {
    ConsentPurpose.DIRECTORY: _l("List me in the members' directory"),
    ConsentPurpose.MAP: _l("Count me on the member map (only my town is shown)"),
    ConsentPurpose.NEWSLETTER: _l("Send me the Forum's mailings"),
    ConsentPurpose.PHOTOGRAPHS: _l("I agree to be photographed at forum editions"),
}
WORDING_VERSIONS = dict.fromkeys(ConsentPurpose, "2026-11")

# The column of Person holding the moment an opt-in consent was given (None: not given).
GIVEN_AT = {
    ConsentPurpose.DIRECTORY: "directory_consent_at",
    ConsentPurpose.MAP: "map_consent_at",
    ConsentPurpose.PHOTOGRAPHS: "photo_consent_at",
}


def has_consent(person: Person, purpose: ConsentPurpose) -> bool:
    """The state the app obeys now. Mailings are sent unless withdrawn; the other purposes need a consent."""
    if purpose is ConsentPurpose.NEWSLETTER:
        return person.newsletter_withdrawn_at is None
    return getattr(person, GIVEN_AT[purpose]) is not None


def record_consent(person: Person, purpose: ConsentPurpose, given: bool, source: ConsentSource, *,
                   note: str | None = None, at: datetime | None = None, flush: bool = True) -> ConsentEvent | None:
    """Give or withdraw a consent. Returns its history row, or None when the state already was so.

    Flushed, unless `flush` is False (an import writes its rows in batches, people not yet flushed included).
    """
    if has_consent(person, purpose) == given:
        return None
    moment = at or utcnow()
    if purpose is ConsentPurpose.NEWSLETTER:
        person.newsletter_withdrawn_at = None if given else moment
    else:
        setattr(person, GIVEN_AT[purpose], moment if given else None)
    event = ConsentEvent(person=person, **consent_event_values(purpose, given, source, note, moment))
    db.session.add(event)
    if flush:
        db.session.flush()
    return event


def consent_event_values(purpose: ConsentPurpose, given: bool, source: ConsentSource, note: str | None,
                         moment: datetime) -> dict:
    """The columns of a consent history row but its person, by the current user (imports insert them in bulk)."""
    recorded_by = current_user.id if current_user and current_user.is_authenticated else None
    return {"purpose": purpose, "given": given, "decided_at": moment, "source": source,
            "wording_version": WORDING_VERSIONS[purpose], "note": note or None, "recorded_by_id": recorded_by}


def give_unsaved(person: Any, purpose: ConsentPurpose, source: ConsentSource, note: str | None,
                 at: datetime) -> dict:
    """Give an opt-in consent to a person not stored yet (an import's bulk insert, imports.bulk.NewPerson): set its
    moment on the person and return the columns of its history row but person_id, for the caller to insert once
    the person has an id."""
    setattr(person, GIVEN_AT[purpose], at)
    return consent_event_values(purpose, True, source, note, at)


def consent_time(given_on: date | None) -> datetime:
    """When a consent dated on paper was given (noon of that day, UTC), or now if it has no date."""
    return datetime.combine(given_on, time(12, 0), UTC) if given_on else utcnow()


def consent_history(person_id: int) -> sa.Select[tuple[ConsentEvent]]:
    """A person's consents given and withdrawn, newest first."""
    return (sa.select(ConsentEvent).where(ConsentEvent.person_id == person_id)
            .order_by(ConsentEvent.decided_at.desc(), ConsentEvent.id.desc()))


def latest_consent_note() -> sa.ScalarSelect:
    """Per person (correlated with Person): the note of the latest consent given, e.g. where it came from."""
    return (sa.select(ConsentEvent.note).where(ConsentEvent.person_id == Person.id, ConsentEvent.given.is_(True))
            .order_by(ConsentEvent.decided_at.desc(), ConsentEvent.id.desc()).limit(1).scalar_subquery())

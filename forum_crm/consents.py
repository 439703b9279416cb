"""Consents per purpose: giving or withdrawing one changes the person's current state and adds to its history.

Every place that records a consent (the person's own profile, the coordinator's form, imports, registration
answers, the unsubscribe link) calls `record_consent`; the app obeys the state kept on the person's row.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forum_crm.extensions import db
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
                   note: str | None = None, at: datetime | None = None) -> ConsentEvent | None:
    """Give or withdraw a consent (flushed). Returns its history row, or None when the state already was so."""
    if has_consent(person, purpose) == given:
        return None
    moment = at or utcnow()
    if purpose is ConsentPurpose.NEWSLETTER:
        person.newsletter_withdrawn_at = None if given else moment
    else:
        setattr(person, GIVEN_AT[purpose], moment if given else None)
    recorded_by = current_user.id if current_user and current_user.is_authenticated else None
    event = ConsentEvent(person_id=person.id, purpose=purpose, given=given, decided_at=moment, source=source,
                         wording_version=WORDING_VERSIONS[purpose], note=note, recorded_by_id=recorded_by)
    db.session.add(event)
    db.session.flush()
    return event


def consent_history(person_id: int) -> sa.Select[tuple[ConsentEvent]]:
    """A person's consents given and withdrawn, newest first."""
    return (sa.select(ConsentEvent).where(ConsentEvent.person_id == person_id)
            .order_by(ConsentEvent.decided_at.desc(), ConsentEvent.id.desc()))

"""Writes of erasure (Art. 17 GDPR): a person asks, the coordinator anonymises or declines; retention anonymises
the inactive. Functions flush, never commit.

Anonymising runs every place of places.PLACES on values read first (subject.py), then records the erasure:
who, when, why and at whose request, never what was erased.
"""

from flask_login import current_user

from forum_crm.changelog import record_change
from forum_crm.extensions import db
from forum_crm.gdpr.places import PLACES
from forum_crm.gdpr.queries import waiting_request
from forum_crm.gdpr.subject import subject_of
from forum_crm.models import ErasureRequest, ErasureSource, ErasureState, Person
from forum_crm.models.base import utcnow


class AlreadyAnonymised(Exception):
    """The person's data was erased before: there is nothing left to erase or export."""


def _current_user_id() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


def request_erasure(person: Person, message: str | None) -> ErasureRequest:
    """The person asks for their data to be erased; a request already waiting is returned instead of a second."""
    if person.anonymised_at is not None:
        raise AlreadyAnonymised
    request = waiting_request(person.id)
    if request is None:
        request = ErasureRequest(person=person, source=ErasureSource.PERSON, message=message or None,
                                 requested_by_id=_current_user_id())
        db.session.add(request)
        db.session.flush()
    return request


def decline_request(request: ErasureRequest, reason: str) -> None:
    """The coordinator refuses a request (e.g. the data must be kept by law), saying why."""
    request.state, request.reason = ErasureState.DECLINED, reason
    request.handled_at, request.handled_by_id = utcnow(), _current_user_id()
    db.session.flush()


def anonymise(person: Person, reason: str, reference: str | None = None, request: ErasureRequest | None = None,
              source: ErasureSource = ErasureSource.COORDINATOR) -> ErasureRequest:
    """Erase everything that identifies the person, keeping the anonymous rest (attendance, organisations' counts).

    `request` is the request it answers (from /me); without one, the erasure is recorded as a request of
    `source` done now. Cannot be undone. Raises AlreadyAnonymised if it was done before.
    """
    if person.anonymised_at is not None:
        raise AlreadyAnonymised
    subject = subject_of(person)
    for place in PLACES:
        place.erase(subject)
    if request is None:
        request = ErasureRequest(person=person, source=source, requested_by_id=_current_user_id())
        db.session.add(request)
    request.state, request.reason, request.reference, request.message = ErasureState.DONE, reason, reference, None
    request.handled_at, request.handled_by_id = utcnow(), _current_user_id()
    db.session.flush()
    record_change("person", person, "anonymised", {})
    db.session.flush()
    return request

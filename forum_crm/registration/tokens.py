"""Personal registration links: a signed (participation id, link sequence), no account needed.

The sequence is the registration's `link_sequence`: every answer raises it, so a link is good for one answer
and the page after that answer (and the e-mail that confirms it) carries the next one.
"""

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from forum_crm.models import Registration

SALT = "forum-crm.registration-link"
LINK_MAX_AGE = 400 * 24 * 3600  # seconds; registration closes long before


@dataclass(frozen=True)
class LinkContent:
    participation_id: int
    sequence: int


class LinkExpired(Exception):
    """A genuine link, older than LINK_MAX_AGE."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def personal_token(registration: Registration) -> str:
    return _serializer().dumps([registration.participation_id, registration.link_sequence])


def read_token(token: str) -> LinkContent | None:
    """What a link says, or None if it was not made here; raises LinkExpired for a genuine old link."""
    try:
        participation_id, sequence = _serializer().loads(token, max_age=LINK_MAX_AGE)
    except SignatureExpired:
        raise LinkExpired from None
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(participation_id, int) or not isinstance(sequence, int):
        return None
    return LinkContent(participation_id, sequence)

"""Each member's own calendar of the editions they registered for, at a secret address that can be renewed.

The address carries the account's id and calendar_version, signed with the app's secret key: nothing secret is
stored, and renewing (calendar_version + 1) makes every earlier address worthless.
"""

import sqlalchemy as sa
from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from forum_crm.calendars import CalendarEvent, uid
from forum_crm.extensions import db
from forum_crm.models import Edition, Locality, Participation, ParticipationStatus, User
from forum_crm.models.events import roman

SALT = "personal-calendar"
# Taking part: registered, or (for past editions) attended. Invited, cancelled and no-shows are not in it.
TAKING_PART = (ParticipationStatus.REGISTERED, ParticipationStatus.ATTENDED)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def calendar_token(user: User) -> str:
    return _serializer().dumps([user.id, user.calendar_version])


def calendar_address(user: User) -> str:
    """The full secret address of the account's calendar (to paste into a calendar application)."""
    return current_app.config["BASE_URL"] + url_for("public.personal_calendar", token=calendar_token(user))


def account_of(token: str) -> User | None:
    """The active account whose current calendar address carries `token`; None for an old or forged one."""
    try:
        user_id, version = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active or user.person_id is None or user.calendar_version != version:
        return None
    return user


def renew_calendar_address(user: User) -> None:
    """A new address; the old one stops working (flushed)."""
    user.calendar_version += 1
    db.session.flush()


def registered_editions(person_id: int) -> list[CalendarEvent]:
    """The editions the person registered for or attended, as calendar events, oldest first."""
    rows = db.session.execute(
        sa.select(Edition.id, Edition.number, Edition.start_date, Edition.end_date, Edition.theme, Edition.venue,
                  Locality.name)
        .join(Participation, Participation.edition_id == Edition.id)
        .outerjoin(Locality, Edition.locality_id == Locality.id)
        .where(Participation.person_id == person_id, Participation.status.in_(TAKING_PART))
        .order_by(Edition.start_date, Edition.number))
    return [CalendarEvent(uid("edition", id_), start, end, f"{roman(number)} Forum" + (f": {theme}" if theme else ""),
                          ", ".join(filter(None, (venue, town))) or None)
            for id_, number, start, end, theme, venue, town in rows]

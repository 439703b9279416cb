"""Forms of the door check-in: a person checked in (or not) for a day, a scanned badge, and a walk-in."""

from datetime import date

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from forum_crm.i18n import lazy_gettext as _l
from forum_crm.labels import PARTICIPATION_ROLES
from forum_crm.models import Edition, ParticipationRole
from forum_crm.validators import single_line, strip, without_nul


def edition_day(edition: Edition, value: str | None) -> date | None:
    """The day of the edition written as YYYY-MM-DD in `value`, or None if it is not one of its days."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if day in edition.days else None


class CheckInForm(FlaskForm):
    """Check a person in for a day of the edition, or undo it; the search typed is kept for the next page."""

    day = HiddenField()
    q = HiddenField(filters=[without_nul, strip])

    def __init__(self, edition: Edition, **kwargs):
        super().__init__(**kwargs)
        self.edition = edition

    def validate_day(self, field):
        """A date (YYYY-MM-DD); the services check it is one of the edition's days."""
        try:
            date.fromisoformat(field.data or "")
        except ValueError:
            raise ValidationError(gettext("Choose one of the days of this edition.")) from None

    @property
    def chosen_day(self) -> date:
        return date.fromisoformat(self.day.data)


class BadgeCheckInForm(CheckInForm):
    """Check in the person whose badge was scanned: the text of its QR code (see editions.badges)."""

    token = HiddenField(filters=[without_nul, strip], validators=[DataRequired(), Length(max=200)])


WALK_IN_ROLES = (ParticipationRole.PARTICIPANT, ParticipationRole.GUEST)


class WalkInForm(CheckInForm):
    """Someone not in the directory arrives: add them and check them in."""

    first_name = StringField(_l("First name"), filters=[strip],
                             validators=[DataRequired(), Length(max=100), single_line])
    last_name = StringField(_l("Last name"), filters=[strip], validators=[DataRequired(), Length(max=100), single_line])
    email = StringField(_l("E-mail"), filters=[strip], validators=[Optional(), Length(max=254), Email()],
                        description=_l("Optional."))
    role = RadioField(_l("Role"), choices=[(role.value, PARTICIPATION_ROLES[role]) for role in WALK_IN_ROLES],
                      default=ParticipationRole.PARTICIPANT.value)

    def data_for_service(self) -> dict:
        return {"first_name": self.first_name.data, "last_name": self.last_name.data, "email": self.email.data,
                "role": ParticipationRole(self.role.data)}

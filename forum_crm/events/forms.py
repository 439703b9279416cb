"""Forms of editions: one class per use case."""

from datetime import date

import sqlalchemy as sa
from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from forum_crm.directory.forms import OrganisationField, RecordForm
from forum_crm.directory.queries import find_person
from forum_crm.events.queries import days_outside, is_partner
from forum_crm.extensions import db
from forum_crm.labels import PARTNER_ROLES, PROGRAMME_KINDS, choices
from forum_crm.mapping.forms import TownFields
from forum_crm.models import Edition, PartnerRole, Person, ProgrammeItem, ProgrammeKind
from forum_crm.validators import long_text, single_line, strip

MAX_EDITION_DAYS = 31  # a longer edition is a typing mistake (and would list hundreds of days)


class EditionForm(TownFields, RecordForm):
    number = IntegerField(_l("Number"), validators=[InputRequired(), NumberRange(min=1, max=1000)],
                          description=_l("Shown as a Roman numeral: 3 is the III Forum."))
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    end_date = DateField(_l("End date"), validators=[InputRequired()],
                         description=_l("The same as the start date for a one-day edition."))
    venue = StringField(_l("Venue"), filters=[strip], validators=[Optional(), Length(max=300), single_line],
                        description=_l("For example: the university hall, with its address."))
    theme = StringField(_l("Theme"), filters=[strip], validators=[Optional(), Length(max=300), single_line])
    dates_note = TextAreaField(_l("Note on the dates"), filters=[strip],
                               validators=[Optional(), Length(max=5000), long_text],
                               description=_l("How the dates were established when the sources disagree."))

    def validate_number(self, field):
        if field.data is not None and db.session.scalar(sa.select(Edition.id).where(
                Edition.number == field.data, Edition.id != (self.record_id or 0))):
            raise ValidationError(gettext("An edition with this number already exists."))

    def validate_end_date(self, field):
        start, end = self.start_date.data, field.data
        if start and end and end < start:
            raise ValidationError(gettext("The end date cannot be before the start date."))
        if start and end and (end - start).days >= MAX_EDITION_DAYS:
            raise ValidationError(gettext("An edition cannot last longer than %(days)s days.", days=MAX_EDITION_DAYS))

    def validate(self, extra_validators=None) -> bool:
        """The fields, then (when editing) that the programme still fits in the new dates."""
        if not super().validate(extra_validators):
            return False
        if self.record_id:
            outside = days_outside(self.record_id, self.start_date.data, self.end_date.data)
            if outside:
                message = gettext("The programme has items on %(days)s, outside these dates: move them to another "
                                  "day first.", days=", ".join(format_date(day, "long") for day in outside))
                (self.start_date if outside[0] < self.start_date.data else self.end_date).errors.append(message)
                return False
        return True

    def fill_from(self, edition: Edition) -> None:
        """Show a stored edition's values (on GET)."""
        self.fill_town(edition.locality)
        self.version.data = str(edition.version)

    def data_for_service(self) -> dict:
        return {
            "number": self.number.data, "start_date": self.start_date.data, "end_date": self.end_date.data,
            "town": self.town_found, "venue": self.venue.data, "theme": self.theme.data,
            "dates_note": self.dates_note.data,
        }


class ProgrammeItemForm(FlaskForm):
    """A session of an edition; its day is one of the edition's days, or not specified."""

    kind = SelectField(_l("Kind"), choices=choices(PROGRAMME_KINDS), default=ProgrammeKind.PANEL.value)
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=300), single_line])
    day = SelectField(_l("Day"), choices=[], validate_choice=False, default="")
    starts_at = TimeField(_l("Starts at"), validators=[Optional()])
    ends_at = TimeField(_l("Ends at"), validators=[Optional()])
    description = TextAreaField(_l("Description"), filters=[strip],
                                validators=[Optional(), Length(max=5000), long_text])

    def __init__(self, edition: Edition, item: ProgrammeItem | None = None, **kwargs):
        super().__init__(obj=item, **kwargs)
        self.edition, self.item = edition, item
        self.day.choices = [("", gettext("Day not specified")),
                            *((day.isoformat(), format_date(day, "full")) for day in edition.days)]

    def validate_day(self, field):
        if field.data and field.data not in {day.isoformat() for day in self.edition.days}:
            raise ValidationError(gettext("Choose one of the days of this edition."))

    def validate_kind(self, field):
        if self.item is not None and self.item.speakers and field.data != ProgrammeKind.PANEL.value:
            raise ValidationError(gettext("This panel has guests: remove them before changing its kind."))

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data < self.starts_at.data:
            raise ValidationError(gettext("The end time cannot be before the start time."))

    def data_for_service(self) -> dict:
        return {
            "kind": ProgrammeKind(self.kind.data), "title": self.title.data,
            "day": date.fromisoformat(self.day.data) if self.day.data else None,
            "starts_at": self.starts_at.data, "ends_at": self.ends_at.data, "description": self.description.data,
        }


class SpeakerForm(FlaskForm):
    """A guest of a panel: the institution they represented and, when known, the person."""

    institution = OrganisationField(_l("Institution"), filters=[strip],
                                    validators=[DataRequired(), Length(max=300), single_line],
                                    description=_l("Its name or short name."))
    person = StringField(_l("Person"), filters=[strip], validators=[Optional(), Length(max=300), single_line],
                         description=_l("E-mail address or full name; leave empty if not known."))
    person_found: Person | None = None

    def __init__(self, item: ProgrammeItem, **kwargs):
        super().__init__(**kwargs)
        self.item = item

    def validate_person(self, field):
        if field.errors:
            return  # only look up values that passed the checks above
        self.person_found = None
        if not field.data:
            return
        try:
            self.person_found = find_person(field.data)
        except LookupError as not_found:
            candidates = not_found.args[0] if not_found.args else []
            if candidates:
                raise ValidationError(gettext("Several people match; type the e-mail address of one of them: "
                                              "%(names)s.", names="; ".join(candidates))) from None
            raise ValidationError(gettext("There is no person called %(name)s; add them to the directory first, "
                                          "or leave the field empty.", name=field.data)) from None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.item.kind != ProgrammeKind.PANEL:
            self.form_errors.append(gettext("Guests can be added only to discussion panels."))
            return False
        return valid


class PartnerForm(FlaskForm):
    """An organisation partners the edition, in a role when the source says which."""

    organisation = OrganisationField(_l("Organisation"), filters=[strip],
                                     validators=[DataRequired(), Length(max=300), single_line],
                                     description=_l("Its name or short name."))
    role = SelectField(_l("Role"), choices=choices(PARTNER_ROLES, empty=_l("role not specified")), default="")

    def __init__(self, edition: Edition, **kwargs):
        super().__init__(**kwargs)
        self.edition = edition

    @property
    def role_value(self) -> PartnerRole | None:
        return PartnerRole(self.role.data) if self.role.data else None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if is_partner(self.edition.id, self.organisation.organisation.id, self.role_value):
            self.organisation.errors.append(gettext("This organisation is already a partner of this edition "
                                                    "in this role."))
            return False
        return True

"""Forms of editions: one class per use case."""

from datetime import date

import sqlalchemy as sa
from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from forum_crm.editions.participation_queries import ParticipantFilters, participation_of
from forum_crm.editions.queries import days_outside, is_partner
from forum_crm.extensions import db
from forum_crm.forms import RecordForm
from forum_crm.labels import PARTICIPATION_ROLES, PARTICIPATION_STATUSES, PARTNER_ROLES, PROGRAMME_KINDS, choices
from forum_crm.localities.forms import TownFields
from forum_crm.models import (
    Edition,
    Locality,
    Organisation,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    PartnerRole,
    Person,
    ProgrammeItem,
    ProgrammeKind,
)
from forum_crm.organisations.forms import OrganisationField
from forum_crm.organisations.queries import OrganisationNotFound, find_organisation
from forum_crm.people.forms import PersonFilterForm
from forum_crm.people.queries import find_person
from forum_crm.validators import long_text, single_line, strip, without_nul

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
        if field.errors:
            return  # only look up numbers within the range (20 digits overflow the database)
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


def _person_named(typed: str, missing: str) -> Person:
    """The person a coordinator typed (see directory.queries.find_person); `missing` says that nobody matches."""
    try:
        return find_person(typed)
    except LookupError as not_found:
        candidates = not_found.args[0] if not_found.args else []
        if candidates:
            raise ValidationError(gettext("Several people match; type the e-mail address of one of them: "
                                          "%(names)s.", names="; ".join(candidates))) from None
        raise ValidationError(missing) from None


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
        if field.data:
            self.person_found = _person_named(field.data, gettext(
                "There is no person called %(name)s; add them to the directory first, or leave the field empty.",
                name=field.data))

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


# Participation and check-in

class _SharedPage:
    """Mixin for forms that share a page with others: field names and ids start with `field_prefix`."""

    field_prefix: str

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix=self.field_prefix, **kwargs)


class ParticipantFilterForm(FlaskForm):
    """Search and status filter of an edition's participants list (a GET form)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[strip], validators=[Optional(), Length(max=200), single_line],
                    description=_l("Name or e-mail; Polish letters are optional."))
    status = SelectField(_l("Status"), choices=choices(PARTICIPATION_STATUSES, empty=_l("All")), default="")

    def filters(self) -> ParticipantFilters:
        if not self.validate():
            return ParticipantFilters()
        return ParticipantFilters(self.q.data, ParticipationStatus(self.status.data) if self.status.data else None)


class AddParticipantForm(_SharedPage, FlaskForm):
    """One person from the directory joins the edition's list."""

    field_prefix = "add"

    person = StringField(_l("Person"), filters=[strip], validators=[DataRequired(), Length(max=300), single_line],
                         description=_l("E-mail address or full name."))
    role = SelectField(_l("Role"), choices=choices(PARTICIPATION_ROLES), default=ParticipationRole.PARTICIPANT.value)
    status = SelectField(_l("Status"), choices=choices(PARTICIPATION_STATUSES),
                         default=ParticipationStatus.INVITED.value)
    person_found: Person | None = None

    def __init__(self, edition: Edition, **kwargs):
        super().__init__(**kwargs)
        self.edition = edition

    def validate_person(self, field):
        if field.errors:
            return  # only look up values that passed the checks above
        self.person_found = _person_named(field.data, gettext(
            "There is no person called %(name)s; add them to the directory first.", name=field.data))
        if participation_of(self.edition.id, self.person_found.id):
            raise ValidationError(gettext("%(name)s is already on the list of this edition.",
                                          name=self.person_found.full_name))

    def values(self) -> tuple[ParticipationRole, ParticipationStatus]:
        return ParticipationRole(self.role.data), ParticipationStatus(self.status.data)


class ParticipationForm(FlaskForm):
    """A participant's status and role: one small form on each row of the list."""

    status = SelectField(_l("Status"), choices=choices(PARTICIPATION_STATUSES))
    role = SelectField(_l("Role"), choices=choices(PARTICIPATION_ROLES))

    def __init__(self, participation: Participation, **kwargs):
        super().__init__(obj=participation, prefix=f"p{participation.id}", **kwargs)
        self.participation = participation

    def validate_status(self, field):
        days = self.participation.days_attended
        if field.data != ParticipationStatus.ATTENDED and days:
            raise ValidationError(gettext(
                "Checked in on %(days)s: undo the check-in on the check-in page first.",
                days=", ".join(format_date(attendance.day, "medium") for attendance in days)))

    def values(self) -> tuple[ParticipationStatus, ParticipationRole]:
        return ParticipationStatus(self.status.data), ParticipationRole(self.role.data)


class InviteOrganisationsForm(_SharedPage, FlaskForm):
    """Invite everyone who works now at the organisations named, one a line."""

    field_prefix = "organisations"

    organisations = TextAreaField(
        _l("Organisations"), filters=[strip], validators=[DataRequired(), Length(max=5000), long_text],
        description=_l("One a line: the name or short name. Everyone who works there now is invited."))
    found: list[Organisation]

    def validate_organisations(self, field):
        if field.errors:
            return
        found: dict[int, Organisation] = {}
        problems = []
        for line in filter(None, (line.strip() for line in field.data.splitlines())):
            try:
                organisation = find_organisation(line)
                found[organisation.id] = organisation
            except OrganisationNotFound as not_found:
                problems.append(gettext("Several organisations match; type the full name: %(names)s.",
                                        names="; ".join(not_found.candidates)) if not_found.candidates
                                else gettext("There is no organisation called %(name)s; add it first.", name=line))
        if problems:
            raise ValidationError(" ".join(problems))
        self.found = list(found.values())


class InviteTownForm(_SharedPage, TownFields, FlaskForm):
    """Invite everyone who lives in a town or works at an organisation based there."""

    field_prefix = "town"

    town = StringField(_l("Town"), filters=[strip], validators=[DataRequired(), Length(max=120), single_line],
                       description=_l("Everyone who lives there or works at an organisation based there is invited."))

    def validate_town(self, field):
        super().validate_town(field)
        if self.town_found is not None and not isinstance(self.town_found, Locality):
            raise ValidationError(gettext("Nobody in the directory lives or works in %(name)s.", name=field.data))


class InviteMatchingForm(_SharedPage, PersonFilterForm):
    """Invite everyone the people list shows with these filters (a POST form, unlike the list's)."""

    field_prefix = "match"

    class Meta:
        csrf = True

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.criteria():
            self.form_errors.append(gettext("Choose at least one filter."))
            return False
        return True

    def criteria(self) -> list[str]:
        """The filters chosen, as people read them (for the change log)."""
        fields = (self.q, self.town, self.voivodeship, self.organisation, self.member, self.directory_consent,
                  self.map_consent)
        return [f"{field.label.text}: {_shown(field)}" for field in fields if field.data]


def _shown(field) -> str:
    """A field's value as the reader sees it: a select's label, other fields' text."""
    return str(dict(field.choices).get(field.data, field.data)) if isinstance(field, SelectField) else field.data


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
        if edition_day(self.edition, field.data) is None:
            raise ValidationError(gettext("Choose one of the days of this edition."))

    @property
    def chosen_day(self) -> date:
        return date.fromisoformat(self.day.data)


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

    def validate_email(self, field):
        if field.data and not field.errors and db.session.scalar(
                sa.select(Person.id).where(Person.email == field.data.lower())):
            raise ValidationError(gettext("Another person has this e-mail address."))

    def data_for_service(self) -> dict:
        return {"first_name": self.first_name.data, "last_name": self.last_name.data, "email": self.email.data,
                "role": ParticipationRole(self.role.data)}

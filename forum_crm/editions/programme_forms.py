"""Forms of an edition's programme: its items, the panels' guests, and the edition's partners."""

from datetime import date

from flask_babel import format_date, gettext
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from forum_crm.editions.forms import person_named
from forum_crm.forms import suggesting
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.labels import PARTNER_ROLES, PROGRAMME_KINDS, choices
from forum_crm.models import Edition, PartnerRole, Person, ProgrammeItem, ProgrammeKind
from forum_crm.organisations.forms import OrganisationField
from forum_crm.validators import long_text, single_line, strip


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
        self.day.choices = [("", gettext("Day not specified")),
                            *((day.isoformat(), format_date(day, "full")) for day in edition.days)]

    def validate_day(self, field):
        """A date (YYYY-MM-DD); add_programme_item and update_programme_item check it is one of the edition's."""
        if field.data:
            try:
                date.fromisoformat(field.data)
            except ValueError:
                raise ValidationError(gettext("Choose one of the days of this edition.")) from None

    def data_for_service(self) -> dict:
        return {
            "kind": ProgrammeKind(self.kind.data), "title": self.title.data,
            "day": date.fromisoformat(self.day.data) if self.day.data else None,
            "starts_at": self.starts_at.data, "ends_at": self.ends_at.data, "description": self.description.data,
        }


class SpeakerForm(FlaskForm):
    """A guest of a panel: the institution they represented and, when known, the person."""

    institution = OrganisationField(_l("Institution"), filters=[strip], creatable=True,
                                    validators=[DataRequired(), Length(max=300), single_line],
                                    description=_l("Its name or short name."))
    person = StringField(_l("Person"), filters=[strip], validators=[Optional(), Length(max=300), single_line],
                         description=_l("E-mail address or full name; leave empty if not known."),
                         render_kw=suggesting("people.person_suggestions"))
    person_found: Person | None = None

    def validate_person(self, field):
        if field.errors:
            return  # only look up values that passed the checks above
        self.person_found = None
        if field.data:
            self.person_found = person_named(field.data, gettext(
                "There is no person called %(name)s; add them to the directory first, or leave the field empty.",
                name=field.data))


class PartnerForm(FlaskForm):
    """An organisation partners the edition, in a role when the source says which."""

    organisation = OrganisationField(_l("Organisation"), filters=[strip], creatable=True,
                                     validators=[DataRequired(), Length(max=300), single_line],
                                     description=_l("Its name or short name."))
    role = SelectField(_l("Role"), choices=choices(PARTNER_ROLES, empty=_l("role not specified")), default="")

    @property
    def role_value(self) -> PartnerRole | None:
        return PartnerRole(self.role.data) if self.role.data else None

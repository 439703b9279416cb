"""Forms of an edition's participants list: search, add, invite, status and role."""

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from forum_crm.editions.forms import person_named
from forum_crm.editions.participation_queries import ParticipantFilters
from forum_crm.forms import suggesting
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.labels import PARTICIPATION_ROLES, PARTICIPATION_STATUSES, choices
from forum_crm.localities.forms import TownFields
from forum_crm.models import Locality, Organisation, Participation, ParticipationRole, ParticipationStatus, Person
from forum_crm.organisations.queries import OrganisationNotFound, find_organisation
from forum_crm.people.forms import PersonFilterForm
from forum_crm.validators import long_text, single_line, strip


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
                         description=_l("E-mail address or full name."),
                         render_kw=suggesting("people.person_suggestions"))
    role = SelectField(_l("Role"), choices=choices(PARTICIPATION_ROLES), default=ParticipationRole.PARTICIPANT.value)
    status = SelectField(_l("Status"), choices=choices(PARTICIPATION_STATUSES),
                         default=ParticipationStatus.INVITED.value)
    person_found: Person | None = None

    def validate_person(self, field):
        if field.errors:
            return  # only look up values that passed the checks above
        self.person_found = person_named(field.data, gettext(
            "There is no person called %(name)s; add them to the directory first.", name=field.data))

    def values(self) -> tuple[ParticipationRole, ParticipationStatus]:
        return ParticipationRole(self.role.data), ParticipationStatus(self.status.data)


class ParticipationForm(FlaskForm):
    """A participant's status and role: one small form on each row of the list."""

    status = SelectField(_l("Status"), choices=choices(PARTICIPATION_STATUSES))
    role = SelectField(_l("Role"), choices=choices(PARTICIPATION_ROLES))

    def __init__(self, participation: Participation, **kwargs):
        super().__init__(obj=participation, prefix=f"p{participation.id}", **kwargs)
        self.participation = participation

    def values(self) -> tuple[ParticipationStatus, ParticipationRole]:
        return ParticipationStatus(self.status.data), ParticipationRole(self.role.data)


class InviteOrganisationsForm(_SharedPage, FlaskForm):
    """Invite everyone who works now at the organisations named, one a line."""

    field_prefix = "organisations"

    organisations = TextAreaField(
        _l("Organisations"), filters=[strip], validators=[DataRequired(), Length(max=5000), long_text],
        description=_l("One a line: the name or short name. Everyone who works there now is invited."),
        render_kw=suggesting("organisations.organisation_suggestions", lines=True))
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

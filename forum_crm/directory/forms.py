"""Forms of the directory: one class per use case."""

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from forum_crm.directory.queries import (
    OrganisationFilters, OrganisationNotFound, PersonFilters, find_organisation, find_person,
)
from forum_crm.extensions import db
from forum_crm.labels import SECTORS, VOIVODESHIPS, choices, language_name
from forum_crm.mapping.forms import TownFields
from forum_crm.models import Organisation, Person, Sector, Voivodeship
from forum_crm.text import fold
from forum_crm.validators import digits_only, http_url, krs, long_text, nip, phone, single_line, strip

# Languages an organisation may work in; names are shown in the reader's language by Babel.
LANGUAGE_CODES = ("pl", "uk", "en", "ru", "be", "ka", "ar", "fa", "ps", "tr", "fr", "de", "es", "vi", "hi",
                  "zh", "so", "ti", "hy", "az", "kk", "uz", "tg", "ky")
YES_NO_ALL = (("", _l("All")), ("yes", _l("Yes")), ("no", _l("No")))
ARCHIVED = (("no", _l("Active")), ("yes", _l("Archived")), ("all", _l("All")))
SORT = (("name", _l("Name A-Ż")), ("-name", _l("Name Ż-A")))


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in LANGUAGE_CODES]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class RecordForm(FlaskForm):
    """A form that edits a record: carries the version it was loaded at, to catch concurrent edits."""

    version = HiddenField()
    record_id: int | None = None
    # The change-log fields its user may see when an edit conflicts (None: all of them).
    logged_fields: frozenset[str] | None = None


class OrganisationProfileForm(TownFields, RecordForm):
    """What an organisation's editor may change: not its sector, nor its Forum or consortium membership."""

    logged_fields = frozenset({"name", "short_name", "locality", "krs", "nip", "website", "email", "phone",
                               "description", "areas", "languages"})

    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=300), single_line])
    short_name = StringField(_l("Short name"), filters=[strip], validators=[Optional(), Length(max=80), single_line])
    krs = StringField(_l("KRS"), filters=[strip, digits_only], validators=[Optional(), krs],
                      description=_l("10 digits, from the National Court Register."))
    nip = StringField(_l("NIP"), filters=[strip, digits_only], validators=[Optional(), nip],
                      description=_l("10 digits, dashes allowed."))
    website = StringField(_l("Website"), filters=[strip], validators=[Optional(), Length(max=300), http_url])
    email = StringField(_l("E-mail"), filters=[strip], validators=[Optional(), Length(max=254), Email()])
    phone = StringField(_l("Phone"), filters=[strip], validators=[Optional(), Length(max=40), phone])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=5000), long_text])
    areas = StringField(_l("Areas of work"), filters=[strip], validators=[Optional(), Length(max=500), single_line],
                        description=_l("Separated by commas, for example: legal aid, education, housing."))
    languages = MultiCheckboxField(_l("Languages"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = language_choices()

    def validate_name(self, field):
        if field.errors:
            return  # only look up values that passed the checks above
        clash = db.session.scalar(sa.select(Organisation.name).where(
            Organisation.name_key == fold(field.data), Organisation.id != (self.record_id or 0)))
        if clash:
            raise ValidationError(gettext("An organisation with this name already exists: %(name)s.", name=clash))

    def _unique(self, field, column, message):
        if field.data and not field.errors and db.session.scalar(sa.select(Organisation.id).where(
                column == field.data, Organisation.id != (self.record_id or 0))):
            raise ValidationError(message)

    def validate_krs(self, field):
        self._unique(field, Organisation.krs, gettext("Another organisation has this KRS number."))

    def validate_nip(self, field):
        self._unique(field, Organisation.nip, gettext("Another organisation has this NIP."))

    def fill_from(self, organisation: Organisation) -> None:
        """Show a stored organisation's values (on GET)."""
        self.fill_town(organisation.locality)
        self.areas.data = ", ".join(area.name for area in organisation.areas)
        self.languages.data = [language.code for language in organisation.languages]
        self.version.data = str(organisation.version)

    def data_for_service(self) -> dict:
        """The fields this form may change, for directory.services.save_organisation."""
        areas: dict[str, str] = {}  # one of each, whatever its case
        for area in (self.areas.data or "").split(","):
            if area.strip():
                areas.setdefault(area.strip().casefold(), area.strip())
        return {
            "name": self.name.data, "short_name": self.short_name.data,
            "town": self.town_found, "krs": self.krs.data, "nip": self.nip.data, "website": self.website.data,
            "email": self.email.data, "phone": self.phone.data, "description": self.description.data,
            "areas": list(areas.values()), "languages": self.languages.data or [],
        }


class OrganisationForm(OrganisationProfileForm):
    """The coordinator's form: the profile, the sector and the memberships."""

    logged_fields = None

    sector = SelectField(_l("Sector"), choices=choices(SECTORS), default=Sector.NGO.value)
    forum_member_since = DateField(_l("Forum member since"), validators=[Optional()],
                                   description=_l("Leave empty if the organisation is not a member of the Forum."))
    consortium_member = BooleanField(_l("Member of Konsorcjum Migracyjne"))

    def data_for_service(self) -> dict:
        return {**super().data_for_service(), "sector": Sector(self.sector.data),
                "forum_member_since": self.forum_member_since.data, "consortium_member": self.consortium_member.data}


class OrganisationFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField(_l("Search"), filters=[strip], validators=[Optional(), Length(max=200), single_line],
                    description=_l("Name, short name or town; Polish letters are optional."))
    town = StringField(_l("Town"), filters=[strip], validators=[Optional(), Length(max=120), single_line])
    voivodeship = SelectField(_l("Voivodeship"), choices=choices(VOIVODESHIPS, empty="—"), default="")
    sector = SelectField(_l("Sector"), choices=choices(SECTORS, empty="—"), default="")
    area = SelectField(_l("Area of work"), choices=[], default="")
    member = SelectField(_l("Forum member"), choices=YES_NO_ALL, default="")
    status = SelectField(_l("Status"), choices=ARCHIVED, default="no")
    sort = SelectField(_l("Order"), choices=SORT, default="name")

    def __init__(self, formdata, areas):
        super().__init__(formdata)
        self.area.choices = [("", "—"), *((str(area.id), area.name) for area in areas)]

    def filters(self) -> OrganisationFilters:
        valid = self.validate()
        value = (lambda field: field.data if valid else None)
        return OrganisationFilters(
            search=value(self.q), town=value(self.town),
            voivodeship=Voivodeship(self.voivodeship.data) if valid and self.voivodeship.data else None,
            sector=Sector(self.sector.data) if valid and self.sector.data else None,
            area_id=int(self.area.data) if valid and self.area.data else None,
            forum_member=yes_no(self.member.data) if valid else None,
            archived={"no": False, "yes": True}.get(self.status.data, None) if valid else False,
            descending=valid and self.sort.data == "-name",
        )


class ConfirmForm(FlaskForm):
    """Only the CSRF token: confirms an action such as archiving."""


class OrganisationField(StringField):
    """A text field naming an organisation; after validation `.organisation` is the one it names."""

    organisation: Organisation | None = None

    def post_validate(self, form, validation_stopped):
        self.organisation = None
        if validation_stopped or not self.data or self.errors:
            return
        try:
            self.organisation = find_organisation(self.data)
        except OrganisationNotFound as not_found:
            if not_found.candidates:
                message = gettext("Several organisations match; type the full name: %(names)s.",
                                  names="; ".join(not_found.candidates))
            else:
                message = gettext("There is no organisation called %(name)s; add it first.", name=self.data)
            self.errors.append(message)


class PersonField(StringField):
    """A text field naming a person by e-mail or full name; after validation `.person` is the one it names."""

    person: Person | None = None

    def post_validate(self, form, validation_stopped):
        self.person = None
        if validation_stopped or not self.data or self.errors:
            return
        try:
            self.person = find_person(self.data)
        except LookupError as not_found:
            candidates = not_found.args[0] if not_found.args else []
            if candidates:
                self.errors.append(gettext("Several people match; type the e-mail address of one of them: "
                                           "%(names)s.", names="; ".join(candidates)))
            else:
                self.errors.append(gettext("There is no person called %(name)s in the directory.", name=self.data))


class PersonContactForm(TownFields, RecordForm):
    """What an organisation's editor may change about its people: names, contact details, town, expertise."""

    logged_fields = frozenset({"first_name", "last_name", "email", "phone", "locality", "expertise"})

    first_name = StringField(_l("First name"), filters=[strip], validators=[DataRequired(), Length(max=100), single_line])
    last_name = StringField(_l("Last name"), filters=[strip], validators=[DataRequired(), Length(max=100), single_line])
    email = StringField(_l("E-mail"), filters=[strip], validators=[Optional(), Length(max=254), Email()])
    phone = StringField(_l("Phone"), filters=[strip], validators=[Optional(), Length(max=40), phone])
    expertise = TextAreaField(_l("Expertise"), filters=[strip], validators=[Optional(), Length(max=2000), long_text])

    def validate_email(self, field):
        if field.errors:
            return  # only look up values that passed the checks above
        if field.data and db.session.scalar(sa.select(Person.id).where(
                Person.email == field.data.lower(), Person.id != (self.record_id or 0))):
            raise ValidationError(gettext("Another person has this e-mail address."))

    def fill_from(self, person: Person) -> None:
        """Show a stored person's values (on GET)."""
        self.fill_town(person.locality)
        self.version.data = str(person.version)

    def data_for_service(self) -> dict:
        """The fields this form may change, for directory.services.save_person."""
        return {
            "first_name": self.first_name.data, "last_name": self.last_name.data, "email": self.email.data,
            "phone": self.phone.data, "town": self.town_found, "expertise": self.expertise.data,
        }


class PersonSelfForm(PersonContactForm):
    """A member's own profile: contact details and their own consents (dated when ticked)."""

    logged_fields = PersonContactForm.logged_fields | {"directory_consent_at", "map_consent_at", "share_contact"}

    directory_consent = BooleanField(_l("List me in the members' directory"))
    share_contact = BooleanField(_l("Show my e-mail address and phone number to other members in the directory"))
    map_consent = BooleanField(_l("Count me on the member map (only my town is shown)"))

    def fill_from(self, person: Person) -> None:
        super().fill_from(person)
        self.directory_consent.data = person.directory_consent_at is not None
        self.map_consent.data = person.map_consent_at is not None

    def data_for_service(self) -> dict:
        return {**super().data_for_service(), "directory_consent": self.directory_consent.data,
                "map_consent": self.map_consent.data, "share_contact": self.share_contact.data}


class PersonForm(PersonContactForm):
    """The coordinator's form: everything, including consents given on paper and private notes."""

    logged_fields = None

    forum_member = BooleanField(_l("Member of the Forum"))
    leader = BooleanField(_l("Leader of an organisation"))
    directory_consent = BooleanField(_l("Agrees to be listed in the members' directory"))
    share_contact = BooleanField(_l("Agrees to show their e-mail address and phone number to members"))
    map_consent = BooleanField(_l("Agrees to be counted on the member map (town only)"))
    consent_given_on = DateField(_l("Consent given on"), validators=[Optional()],
                                 description=_l("For consent ticked now; empty means today."))
    consent_source = StringField(_l("Source of consent"), filters=[strip],
                                 validators=[Optional(), Length(max=200), single_line],
                                 description=_l("For example: registration form of Forum III."))
    notes = TextAreaField(_l("Notes (seen only by the coordinator)"), filters=[strip],
                          validators=[Optional(), Length(max=5000), long_text])

    def fill_from(self, person: Person) -> None:
        super().fill_from(person)
        self.directory_consent.data = person.directory_consent_at is not None
        self.map_consent.data = person.map_consent_at is not None

    def data_for_service(self) -> dict:
        return {
            **super().data_for_service(), "forum_member": self.forum_member.data, "leader": self.leader.data,
            "directory_consent": self.directory_consent.data, "map_consent": self.map_consent.data,
            "share_contact": self.share_contact.data, "consent_given_on": self.consent_given_on.data,
            "consent_source": self.consent_source.data, "notes": self.notes.data,
        }


class PersonFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[strip], validators=[Optional(), Length(max=200), single_line],
                    description=_l("Name, e-mail or town; Polish letters are optional."))
    town = StringField(_l("Town"), filters=[strip], validators=[Optional(), Length(max=120), single_line])
    voivodeship = SelectField(_l("Voivodeship"), choices=choices(VOIVODESHIPS, empty="—"), default="")
    organisation = StringField(_l("Organisation"), filters=[strip],
                               validators=[Optional(), Length(max=300), single_line])
    member = SelectField(_l("Forum member"), choices=YES_NO_ALL, default="")
    directory_consent = SelectField(_l("Directory consent"), choices=YES_NO_ALL, default="")
    map_consent = SelectField(_l("Map consent"), choices=YES_NO_ALL, default="")
    status = SelectField(_l("Status"), choices=ARCHIVED, default="no")
    sort = SelectField(_l("Order"), choices=SORT, default="name")

    def validate_organisation(self, field):
        if field.errors:
            return  # only look up values that passed the checks above
        if field.data:
            try:
                self.organisation_id = find_organisation(field.data).id
            except OrganisationNotFound:
                raise ValidationError(gettext("No single organisation matches this name.")) from None

    organisation_id = None

    def filters(self) -> PersonFilters:
        if not self.validate():
            return PersonFilters(organisation_id=-1) if self.organisation.errors else PersonFilters()
        return PersonFilters(
            search=self.q.data, town=self.town.data,
            voivodeship=Voivodeship(self.voivodeship.data) if self.voivodeship.data else None,
            organisation_id=self.organisation_id, forum_member=yes_no(self.member.data),
            directory_consent=yes_no(self.directory_consent.data), map_consent=yes_no(self.map_consent.data),
            archived={"no": False, "yes": True}.get(self.status.data), descending=self.sort.data == "-name",
        )


class AffiliationForm(FlaskForm):
    organisation = OrganisationField(_l("Organisation"), filters=[strip],
                                     validators=[DataRequired(), Length(max=300), single_line],
                                     description=_l("Its name or short name."))
    role_title = StringField(_l("Role"), filters=[strip], validators=[Optional(), Length(max=200), single_line])
    started_on = DateField(_l("From"), validators=[Optional()])
    ended_on = DateField(_l("To"), validators=[Optional()], description=_l("Empty if the person still works there."))
    is_primary = BooleanField(_l("Main organisation"), default=True)
    replaces_current = BooleanField(_l("Moves here: end the current affiliations the day before"))

    def validate_ended_on(self, field):
        if field.data and self.started_on.data and field.data < self.started_on.data:
            raise ValidationError(gettext("The end date cannot be before the start date."))

    def validate_replaces_current(self, field):
        if field.data and not self.started_on.data:
            raise ValidationError(gettext("Give the date the person moved (From) to end the current affiliations."))


class EndAffiliationForm(FlaskForm):
    ended_on = DateField(_l("Ended on"), validators=[DataRequired()])

"""Forms of organisations: one class per use case (the coordinator's, an editor's, the list's filters, a field naming
one)."""

import json

from flask_babel import gettext
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from forum_crm.forms import (
    ARCHIVED,
    SORT,
    VOIVODESHIP_CHOICES,
    MultiCheckboxField,
    RecordForm,
    language_choices,
    sorted_choices,
    suggesting,
    yes_no,
)
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.labels import SECTORS
from forum_crm.localities.forms import TownFields
from forum_crm.models import Organisation, Sector, Voivodeship
from forum_crm.organisations.queries import OrganisationFilters, OrganisationNotFound, find_organisation
from forum_crm.validators import digits_only, http_url, krs, long_text, nip, phone, single_line, strip, with_scheme


class AreaNamesField(StringField):
    """Areas of work as text ("legal aid, education"); reads an organisation's areas when its field is not posted."""

    def process_data(self, value):
        self.data = ", ".join(area.name for area in value) if isinstance(value, list) else value


class OrganisationProfileForm(TownFields, RecordForm):
    """What an organisation's editor may change: not its sector, nor its Forum or consortium membership.

    Unique names and numbers are checked by organisations.services.save_organisation.
    """

    logged_fields = frozenset({"name", "short_name", "locality", "krs", "nip", "website", "email", "phone",
                               "description", "areas", "languages"})

    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=300), single_line])
    short_name = StringField(_l("Short name"), filters=[strip], validators=[Optional(), Length(max=80), single_line])
    krs = StringField(_l("KRS"), filters=[strip, digits_only], validators=[Optional(), krs],
                      description=_l("10 digits, from the National Court Register."))
    nip = StringField(_l("NIP"), filters=[strip, digits_only], validators=[Optional(), nip],
                      description=_l("10 digits, dashes allowed."))
    website = StringField(_l("Website"), filters=[strip, with_scheme],
                          validators=[Optional(), Length(max=300), http_url])
    email = StringField(_l("E-mail"), filters=[strip], validators=[Optional(), Length(max=254), Email()])
    phone = StringField(_l("Phone"), filters=[strip], validators=[Optional(), Length(max=40), phone])
    description = TextAreaField(_l("Description"), filters=[strip],
                                validators=[Optional(), Length(max=5000), long_text])
    areas = AreaNamesField(_l("Areas of work"), filters=[strip],
                           validators=[Optional(), Length(max=500), single_line],
                           description=_l("Separated by commas, for example: legal aid, education, housing."))
    languages = MultiCheckboxField(_l("Languages"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = language_choices()

    def fill_from(self, organisation: Organisation) -> None:
        """Show a stored organisation's values (on GET)."""
        self.fill_town(organisation.locality)
        self.languages.data = [language.code for language in organisation.languages]
        self.version.data = str(organisation.version)

    def data_for_service(self) -> dict:
        """The fields this form may change, for organisations.services.save_organisation."""
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

    sector = SelectField(_l("Sector"), choices=sorted_choices(SECTORS), default=Sector.NGO.value)
    forum_member_since = DateField(_l("Forum member since"), validators=[Optional()],
                                   description=_l("Leave empty if the organisation is not a member of the Forum."))
    consortium_member = BooleanField(_l("Member of Konsorcjum Migracyjne"))

    def data_for_service(self) -> dict:
        return {**super().data_for_service(), "sector": Sector(self.sector.data),
                "forum_member_since": self.forum_member_since.data, "consortium_member": self.consortium_member.data}


class PublicProfileForm(RecordForm):
    """Whether the organisation is shown on the public pages and in the API, and which fields beside its name."""

    logged_fields = frozenset({"public_since", "public_town", "public_areas", "public_languages", "public_website",
                               "public_email"})

    shown = BooleanField(_l("Show the organisation on the public pages (its name always, the fields ticked below)"))
    public_town = BooleanField(_l("Town (the organisation appears on the public map)"))
    public_areas = BooleanField(_l("Areas of work"))
    public_languages = BooleanField(_l("Languages"))
    public_website = BooleanField(_l("Website"))
    public_email = StringField(_l("Public contact e-mail"), filters=[strip],
                               validators=[Optional(), Length(max=254), Email()],
                               description=_l("Shown to anyone; leave empty to show none."))

    def fill_from(self, organisation: Organisation) -> None:
        self.shown.data = organisation.public_since is not None
        self.version.data = str(organisation.version)

    def data_for_service(self) -> dict:
        """For organisations.services.set_public_profile."""
        return {"shown": self.shown.data, "public_town": self.public_town.data, "public_areas": self.public_areas.data,
                "public_languages": self.public_languages.data, "public_website": self.public_website.data,
                "public_email": self.public_email.data or None}


class OrganisationFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = StringField(_l("Search"), filters=[strip], validators=[Optional(), Length(max=200), single_line],
                    description=_l("Name, short name or town; Polish letters are optional."))
    town = StringField(_l("Town"), filters=[strip], validators=[Optional(), Length(max=120), single_line])
    voivodeship = SelectField(_l("Voivodeship"), choices=VOIVODESHIP_CHOICES, default="")
    sector = SelectField(_l("Sector"), choices=sorted_choices(SECTORS, empty="—"), default="")
    area = SelectField(_l("Area of work"), choices=[], default="")
    member = SelectField(_l("Forum member"), default="", choices=(
        ("", _l("All: members and other institutions")), ("yes", _l("Forum members")),
        ("no", _l("Other institutions (panel guests, partners...)"))))
    profile = SelectField(_l("Profile"), default="", choices=(
        ("", _l("All")), ("stale", _l("Not confirmed for over a year"))))
    status = SelectField(_l("Status"), choices=ARCHIVED, default="no")
    sort = SelectField(_l("Order"), choices=SORT, default="name")

    def __init__(self, formdata, area_choices: list[tuple[str, str]]):
        super().__init__(formdata)
        self.area.choices = [("", "—"), *area_choices]

    def filters(self) -> OrganisationFilters:
        valid = self.validate()

        def value(field):
            return field.data if valid else None

        return OrganisationFilters(
            search=value(self.q), town=value(self.town),
            voivodeship=Voivodeship(self.voivodeship.data) if valid and self.voivodeship.data else None,
            sector=Sector(self.sector.data) if valid and self.sector.data else None,
            area_id=int(self.area.data) if valid and self.area.data else None,
            forum_member=yes_no(self.member.data) if valid else None,
            archived={"no": False, "yes": True}.get(self.status.data) if valid else False,
            stale=valid and self.profile.data == "stale",
            descending=valid and self.sort.data == "-name",
        )


class CreateTexts:
    """data-create-texts of a field where a missing organisation can be created: what static/js/suggest.js says and
    the sectors it offers, as JSON in the reader's language (worked out when the field is rendered)."""

    def __html__(self) -> str:
        return str(escape(json.dumps({
            "option": gettext("Create a new organisation: “{name}”…"),
            "question": gettext("Create the organisation “{name}”? It will not be a Forum member; its profile can "
                                "be filled in on its page later."),
            "sector": gettext("Sector"), "create": gettext("Create"), "cancel": gettext("Cancel"),
            "failed": gettext("Nothing was saved: check the connection and try again."),
            "sectors": [(value, str(text)) for value, text in sorted_choices(SECTORS, empty=_l("Choose the sector"))()],
        }, ensure_ascii=False)))


class OrganisationField(StringField):
    """A text field naming an organisation; after validation `.organisation` is the one it names.

    As one types, the organisations that match are suggested; `creatable`: a missing one can be created there.
    """

    organisation: Organisation | None = None

    def __init__(self, *args, creatable: bool = False, **kwargs):
        create = {"data-create-texts": CreateTexts()} if creatable else {}
        kwargs["render_kw"] = {**suggesting("organisations.organisation_suggestions",
                                            "organisations.organisation_quick_add" if creatable else None),
                               **create, **kwargs.get("render_kw", {})}
        super().__init__(*args, **kwargs)

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


class QuickOrganisationForm(FlaskForm):
    """A missing institution created from a field that names one (a panel guest, a partner): its name and sector.

    It is not a Forum member; the rest of its profile is filled in on its page later.
    """

    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=300), single_line])
    sector = SelectField(_l("Sector"), choices=sorted_choices(SECTORS, empty=_l("Choose the sector")),
                         validators=[DataRequired(message=_l("Choose the sector."))])

    def data_for_service(self) -> dict:
        return {"name": self.name.data, "sector": Sector(self.sector.data), "town": None, "areas": [],
                "languages": []}

"""Forms of people: one class per use case (the coordinator's, an editor's, the list's filters, affiliations, a field
naming one)."""

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from forum_crm.consents import has_consent
from forum_crm.forms import ARCHIVED, SORT, VOIVODESHIP_CHOICES, YES_NO_ALL, RecordForm, suggesting, yes_no
from forum_crm.i18n import LANGUAGE_NAMES
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.localities.forms import TownFields
from forum_crm.models import ConsentPurpose, ConsentSource, Person, Voivodeship
from forum_crm.organisations.forms import OrganisationField
from forum_crm.people.queries import PersonFilters, find_person
from forum_crm.validators import long_text, phone, single_line, strip


class PersonField(StringField):
    """A text field naming a person by e-mail or full name; after validation `.person` is the one it names."""

    person: Person | None = None

    def __init__(self, *args, **kwargs):
        kwargs["render_kw"] = {**suggesting("people.person_suggestions"), **kwargs.get("render_kw", {})}
        super().__init__(*args, **kwargs)

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
    """What an organisation's editor may change about its people: names, contact details, town, expertise.

    A unique e-mail address is checked by people.services.save_person.
    """

    logged_fields = frozenset({"first_name", "last_name", "email", "phone", "locality", "expertise"})

    first_name = StringField(_l("First name"), filters=[strip],
                             validators=[DataRequired(), Length(max=100), single_line])
    last_name = StringField(_l("Last name"), filters=[strip], validators=[DataRequired(), Length(max=100), single_line])
    email = StringField(_l("E-mail"), filters=[strip], validators=[Optional(), Length(max=254), Email()])
    phone = StringField(_l("Phone"), filters=[strip], validators=[Optional(), Length(max=40), phone])
    expertise = TextAreaField(_l("Expertise"), filters=[strip], validators=[Optional(), Length(max=2000), long_text])

    def fill_from(self, person: Person) -> None:
        """Show a stored person's values (on GET)."""
        self.fill_town(person.locality)
        self.version.data = str(person.version)

    def data_for_service(self) -> dict:
        """The fields this form may change, for people.services.save_person."""
        return {
            "first_name": self.first_name.data, "last_name": self.last_name.data, "email": self.email.data,
            "phone": self.phone.data, "town": self.town_found, "expertise": self.expertise.data,
        }


class PersonForm(PersonContactForm):
    """The coordinator's form: everything, including consents given on paper and private notes."""

    logged_fields = None

    forum_member = BooleanField(_l("Member of the Forum"))
    leader = BooleanField(_l("Leader of an organisation"))
    directory_consent = BooleanField(_l("Agrees to be listed in the members' directory"))
    share_contact = BooleanField(_l("Agrees to show their e-mail address and phone number to members"))
    map_consent = BooleanField(_l("Agrees to be counted on the member map (town only)"))
    photo_consent = BooleanField(_l("Agrees to be photographed at forum editions"))
    newsletter = BooleanField(_l("Gets the Forum's mailings (untick if they objected)"))
    consent_given_on = DateField(_l("Consent given or withdrawn on"), validators=[Optional()],
                                 description=_l("For consents changed now; empty means today."))
    consent_note = StringField(_l("Note on the consent"), filters=[strip],
                               validators=[Optional(), Length(max=200), single_line],
                               description=_l("Where it came from, for example: registration form of Forum III."))
    notes = TextAreaField(_l("Notes (seen only by the coordinator)"), filters=[strip],
                          validators=[Optional(), Length(max=5000), long_text])
    language = SelectField(_l("Language of e-mails"), choices=list(LANGUAGE_NAMES.items()),
                           default="pl", validators=[Optional()],
                           description=_l("Mailings written in both languages reach them in this one."))

    def fill_from(self, person: Person) -> None:
        super().fill_from(person)
        fill_consents(self, person)
        self.language.data = person.language or "pl"

    def data_for_service(self) -> dict:
        return {
            **super().data_for_service(), "forum_member": self.forum_member.data, "leader": self.leader.data,
            "consents": consents_of(self), "consent_by": ConsentSource.COORDINATOR,
            "share_contact": self.share_contact.data, "consent_given_on": self.consent_given_on.data,
            "consent_note": self.consent_note.data, "notes": self.notes.data,
            "language": None if self.language.data == "pl" else self.language.data,  # None: Polish, the default
        }


# The check box of each consent on the forms that change them (the coordinator's and the person's own).
CONSENT_FIELDS = {ConsentPurpose.DIRECTORY: "directory_consent", ConsentPurpose.MAP: "map_consent",
                  ConsentPurpose.PHOTOGRAPHS: "photo_consent", ConsentPurpose.NEWSLETTER: "newsletter"}


def fill_consents(form: FlaskForm, person: Person) -> None:
    """Tick the consents the person has now."""
    for purpose, name in CONSENT_FIELDS.items():
        getattr(form, name).data = has_consent(person, purpose)


def consents_of(form: FlaskForm) -> dict[ConsentPurpose, bool]:
    """Each purpose: given (ticked) or not."""
    return {purpose: bool(getattr(form, name).data) for purpose, name in CONSENT_FIELDS.items()}


class NewPersonForm(PersonForm):
    """The coordinator adds a person; if they likely exist already, the form asks first (`create_anyway`)."""

    create_anyway = BooleanField(_l("This is someone else: create the new person anyway"))


class PersonFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[strip], validators=[Optional(), Length(max=200), single_line],
                    description=_l("Name, e-mail or town; Polish letters are optional."))
    town = StringField(_l("Town"), filters=[strip], validators=[Optional(), Length(max=120), single_line])
    voivodeship = SelectField(_l("Voivodeship"), choices=VOIVODESHIP_CHOICES, default="")
    organisation = OrganisationField(_l("Organisation"), filters=[strip],
                                     validators=[Optional(), Length(max=300), single_line])
    member = SelectField(_l("Forum member"), choices=YES_NO_ALL, default="")
    directory_consent = SelectField(_l("Directory consent"), choices=YES_NO_ALL, default="")
    map_consent = SelectField(_l("Map consent"), choices=YES_NO_ALL, default="")
    status = SelectField(_l("Status"), choices=ARCHIVED, default="no")
    sort = SelectField(_l("Order"), choices=SORT, default="name")

    def filters(self) -> PersonFilters:
        if not self.validate():
            return PersonFilters(organisation_id=-1) if self.organisation.errors else PersonFilters()
        organisation = self.organisation.organisation
        return PersonFilters(
            search=self.q.data, town=self.town.data,
            voivodeship=Voivodeship(self.voivodeship.data) if self.voivodeship.data else None,
            organisation_id=organisation.id if organisation else None, forum_member=yes_no(self.member.data),
            directory_consent=yes_no(self.directory_consent.data), map_consent=yes_no(self.map_consent.data),
            archived={"no": False, "yes": True}.get(self.status.data), descending=self.sort.data == "-name",
        )


class AffiliationForm(FlaskForm):
    """Dates in order and a move's date are checked by people.services.add_affiliation."""

    organisation = OrganisationField(_l("Organisation"), filters=[strip], creatable=True,
                                     validators=[DataRequired(), Length(max=300), single_line],
                                     description=_l("Its name or short name."))
    role_title = StringField(_l("Role"), filters=[strip], validators=[Optional(), Length(max=200), single_line])
    started_on = DateField(_l("From"), validators=[Optional()])
    ended_on = DateField(_l("To"), validators=[Optional()], description=_l("Empty if the person still works there."))
    is_primary = BooleanField(_l("Main organisation"), default=True)
    replaces_current = BooleanField(_l("Moves here: end the current affiliations the day before"))


class EndAffiliationForm(FlaskForm):
    ended_on = DateField(_l("Ended on"), validators=[DataRequired()])

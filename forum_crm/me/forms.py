"""Forms of one's own pages: the profile with its consents."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from forum_crm.models import Person
from forum_crm.people.forms import PersonContactForm


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



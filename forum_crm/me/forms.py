"""Forms of one's own pages: the profile with its consents, asking for one's data to be erased."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forum_crm.consents import WORDINGS
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.models import ConsentPurpose, ConsentSource, Person
from forum_crm.people.forms import PersonContactForm, consents_of, fill_consents
from forum_crm.people.services import CONSENT_COLUMNS
from forum_crm.validators import long_text, strip


class PersonSelfForm(PersonContactForm):
    """A member's own profile: contact details and their own consents, each in the wording the history keeps."""

    logged_fields = PersonContactForm.logged_fields | {*CONSENT_COLUMNS, "share_contact"}

    directory_consent = BooleanField(WORDINGS[ConsentPurpose.DIRECTORY])
    share_contact = BooleanField(_l("Show my e-mail address and phone number to other members in the directory"))
    map_consent = BooleanField(WORDINGS[ConsentPurpose.MAP])
    photo_consent = BooleanField(WORDINGS[ConsentPurpose.PHOTOGRAPHS])
    newsletter = BooleanField(WORDINGS[ConsentPurpose.NEWSLETTER])

    def fill_from(self, person: Person) -> None:
        super().fill_from(person)
        fill_consents(self, person)

    def data_for_service(self) -> dict:
        return {**super().data_for_service(), "consents": consents_of(self), "consent_by": ConsentSource.FORM,
                "share_contact": self.share_contact.data}


class ErasureRequestForm(FlaskForm):
    """A person asks the coordinator to erase their data."""

    understood = BooleanField(_l("I understand that my profile, my account and my history in the Forum will be "
                                 "anonymised and cannot be restored"), validators=[DataRequired()])
    message = TextAreaField(_l("Message to the coordinator (optional)"), filters=[strip],
                            validators=[Optional(), Length(max=1000), long_text])

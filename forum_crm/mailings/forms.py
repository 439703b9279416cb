"""Forms of mailings: composing one, sending it (with the second confirmation for a long list)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from forum_crm.extensions import db
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.mailings.queries import editions_newest_first
from forum_crm.models import Edition, Mailing
from forum_crm.validators import long_text, single_line, strip


class MailingForm(FlaskForm):
    """The message in Polish and/or English; which of them must be complete is checked by services.save_draft."""

    subject_pl = StringField(_l("Subject (Polish)"), filters=[strip],
                             validators=[Optional(), Length(max=200), single_line])
    body_pl = TextAreaField(_l("Text (Polish)"), filters=[strip],
                            validators=[Optional(), Length(max=20000), long_text])
    subject_en = StringField(_l("Subject (English)"), filters=[strip],
                             validators=[Optional(), Length(max=200), single_line])
    body_en = TextAreaField(_l("Text (English)"), filters=[strip],
                            validators=[Optional(), Length(max=20000), long_text])
    edition = SelectField(_l("About the edition"), default="",
                          description=_l("Needed for {edition}. A mailing about an edition sent to the people "
                                         "registered for it goes also to those who withdrew consent to mailings."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition.choices = [("", "—"), *((str(edition.id), str(edition)) for edition in editions_newest_first())]

    def fill_from(self, mailing: Mailing) -> None:
        self.edition.data = str(mailing.edition_id) if mailing.edition_id else ""

    def data_for_service(self) -> dict:
        return {"subject_pl": self.subject_pl.data, "body_pl": self.body_pl.data, "subject_en": self.subject_en.data,
                "body_en": self.body_en.data,
                "edition": db.session.get(Edition, int(self.edition.data)) if self.edition.data else None}


class SendForm(FlaskForm):
    """Send to the list; `expected` is the number of recipients the coordinator was shown."""

    expected = HiddenField()
    confirmed = BooleanField(_l("Yes, send it to all of them"))

    def expected_count(self) -> int | None:
        value = self.expected.data or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None

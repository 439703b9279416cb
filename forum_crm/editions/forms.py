"""Forms of editions: one class per use case. Forms parse input and show the services' refusals; the services
decide. The programme's, participants' and check-in's forms are in programme_forms.py, participant_forms.py and
checkin_forms.py."""

from flask_babel import gettext
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from forum_crm.forms import RecordForm
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.localities.forms import TownFields
from forum_crm.models import Edition, Person
from forum_crm.people.queries import find_person
from forum_crm.validators import long_text, single_line, strip


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
    is_public = BooleanField(_l("In the public calendar"),
                             description=_l("Its dates, town and theme are shown to anyone (calendar and API)."))

    def fill_from(self, edition: Edition) -> None:
        """Show a stored edition's values (on GET)."""
        self.fill_town(edition.locality)
        self.version.data = str(edition.version)

    def data_for_service(self) -> dict:
        return {
            "number": self.number.data, "start_date": self.start_date.data, "end_date": self.end_date.data,
            "town": self.town_found, "venue": self.venue.data, "theme": self.theme.data,
            "dates_note": self.dates_note.data, "is_public": self.is_public.data,
        }


def person_named(typed: str, missing: str) -> Person:
    """The person a coordinator typed (see directory.queries.find_person); `missing` says that nobody matches."""
    try:
        return find_person(typed)
    except LookupError as not_found:
        candidates = not_found.args[0] if not_found.args else []
        if candidates:
            raise ValidationError(gettext("Several people match; type the e-mail address of one of them: "
                                          "%(names)s.", names="; ".join(candidates))) from None
        raise ValidationError(missing) from None

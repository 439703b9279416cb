"""Forms of registration: the coordinator's settings, the answers (one form for the personal link and for
members), the request for a new link, and the answers list's filter."""

from datetime import date, timedelta

from flask_babel import format_date
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from forum_crm.consents import WORDINGS, has_consent
from forum_crm.forms import MultiCheckboxField
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.models import ChoiceKind, ConsentPurpose, Edition, EditionRegistration, Registration
from forum_crm.registration.queries import MAX_REMINDER_DAYS, STATES, RegistrationFilters, nights_of
from forum_crm.registration.services import Answers
from forum_crm.validators import single_line, strip

STATE_LABELS = {"registered": _l("Registered"), "waiting": _l("Waiting list"), "declined": _l("Not coming"),
                "not_answered": _l("Not answered yet")}


class SettingsForm(FlaskForm):
    """Opening registration for an edition."""

    opens_on = DateField(_l("Registration opens"), validators=[DataRequired()])
    closes_on = DateField(_l("Registration closes"), validators=[DataRequired()],
                          description=_l("The last day people can register, change their answers or cancel."))
    capacity = IntegerField(_l("Places"), validators=[Optional(), NumberRange(min=0, max=100_000)],
                            description=_l("Empty: no limit. When all places are taken, people join the waiting "
                                           "list and move up when someone cancels."))
    free_question = StringField(_l("Your own question"), filters=[strip],
                                validators=[Optional(), Length(max=300), single_line],
                                description=_l("Optional, a short one, e.g. \"Which workshop do you choose?\""))
    reminder_days = IntegerField(_l("Reminder, days before the edition"), default=3,
                                 validators=[InputRequired(), NumberRange(min=0, max=MAX_REMINDER_DAYS)])

    def fill_from(self, settings: EditionRegistration) -> None:
        for name in ("opens_on", "closes_on", "capacity", "free_question", "reminder_days"):
            getattr(self, name).data = getattr(settings, name)

    def data_for_service(self) -> dict:
        return {"opens_on": self.opens_on.data, "closes_on": self.closes_on.data, "capacity": self.capacity.data,
                "free_question": self.free_question.data or None, "reminder_days": self.reminder_days.data}


class AnswersForm(FlaskForm):
    """Coming or not, and the questions a two-day forum needs answered."""

    coming = RadioField(_l("Are you coming?"), choices=(("yes", _l("Yes, I am coming")),
                                                       ("no", _l("No, I cannot come"))), default="yes")
    days = MultiCheckboxField(_l("Which days will you attend?"))
    nights = MultiCheckboxField(_l("Do you need accommodation? Tick the nights"))
    travel_from = StringField(_l("Travelling from (town)"), filters=[strip],
                              validators=[Optional(), Length(max=120), single_line])
    refund_needed = BooleanField(_l("I need my travel costs refunded"))
    dietary_needs = StringField(_l("Dietary needs"), filters=[strip],
                                validators=[Optional(), Length(max=500), single_line],
                                description=_l("E.g. vegetarian, gluten-free, allergies."))
    accessibility_needs = StringField(_l("Accessibility needs"), filters=[strip],
                                      validators=[Optional(), Length(max=500), single_line])
    photo_consent = BooleanField(WORDINGS[ConsentPurpose.PHOTOGRAPHS])  # the wording its history refers to
    free_answer = StringField(filters=[strip], validators=[Optional(), Length(max=500), single_line])

    def __init__(self, edition: Edition, free_question: str | None, **kwargs):
        super().__init__(**kwargs)
        self.days.choices = [(day.isoformat(), format_date(day, "full")) for day in edition.days]
        self.nights.choices = [(night.isoformat(), _night(night)) for night in nights_of(edition)]
        if free_question:
            self.free_answer.label.text = free_question
        else:
            del self.free_answer
        if not self.is_submitted() and not self.days.data:
            self.days.data = [day.isoformat() for day in edition.days]

    def fill_from(self, registration: Registration) -> None:
        self.days.data = [day.isoformat() for day in registration.chosen(ChoiceKind.DAY)] or self.days.data
        self.nights.data = [day.isoformat() for day in registration.chosen(ChoiceKind.NIGHT)]
        for name in ("travel_from", "refund_needed", "dietary_needs", "accessibility_needs"):
            getattr(self, name).data = getattr(registration, name)
        self.photo_consent.data = has_consent(registration.participation.person, ConsentPurpose.PHOTOGRAPHS)
        if "free_answer" in self:
            self.free_answer.data = registration.free_answer

    @property
    def is_coming(self) -> bool:
        return self.coming.data == "yes"

    def answers(self) -> Answers:
        return Answers(
            days=[date.fromisoformat(day) for day in self.days.data or ()],
            nights=[date.fromisoformat(night) for night in self.nights.data or ()],
            travel_from=self.travel_from.data or None, refund_needed=self.refund_needed.data,
            dietary_needs=self.dietary_needs.data or None, accessibility_needs=self.accessibility_needs.data or None,
            photo_consent=self.photo_consent.data,
            free_answer=(self.free_answer.data or None) if "free_answer" in self else None)


def _night(night: date) -> str:
    return f"{format_date(night, 'd MMM')} – {format_date(night + timedelta(days=1), 'd MMM')}"


class NewLinkForm(FlaskForm):
    email = StringField(_l("Your e-mail address"), filters=[strip],
                        validators=[DataRequired(), Length(max=254), Email()])


class AnswersFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[strip], validators=[Optional(), Length(max=200), single_line])
    state = SelectField(_l("Answer"), choices=[("", _l("All")), *STATE_LABELS.items()], default="")

    def filters(self) -> RegistrationFilters:
        if not self.validate():
            return RegistrationFilters()
        return RegistrationFilters(self.q.data or None, self.state.data if self.state.data in STATES else None)

"""Forms of data protection: anonymising a person, declining a request, the list's filter."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from forum_crm.i18n import lazy_gettext as _l
from forum_crm.labels import ERASURE_STATES, choices
from forum_crm.validators import long_text, single_line, strip


class EraseForm(FlaskForm):
    """The coordinator confirms an erasure: why, which request, and that it cannot be undone."""

    request_id = HiddenField()
    reason = StringField(_l("Why"), filters=[strip], validators=[DataRequired(), Length(max=500), single_line],
                         description=_l("For example: the person's request under Art. 17 GDPR. Do not repeat their "
                                        "name or contact details here: this record stays."))
    reference = StringField(_l("Which request"), filters=[strip],
                            validators=[Optional(), Length(max=200), single_line],
                            description=_l("For example: letter of 2 December 2026, ticket number."))
    irreversible = BooleanField(_l("I understand that this cannot be undone"), validators=[DataRequired()])
    without_editor = BooleanField(_l("I understand that the organisation will have no editor left"))


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Why the request is declined"), filters=[strip],
                           validators=[DataRequired(), Length(max=500), long_text])


class RequestFilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(_l("State"), choices=choices(ERASURE_STATES, _l("All")), default="")

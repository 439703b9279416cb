"""Forms of the auth blueprint."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from forum_crm.validators import single_line


class LoginForm(FlaskForm):
    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=254), single_line])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024), single_line])
    remember = BooleanField(_l("Remember me on this device for 30 days"))
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Only the CSRF token: logging out is a POST."""


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[AnyOf(["pl", "en"])])
    next = HiddenField()

"""Forms of the auth blueprint: one class per use case."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length

from forum_crm.auth.passwords import MIN_LENGTH, strong_password
from forum_crm.i18n import LANGUAGE_NAMES
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.models import User
from forum_crm.validators import single_line, strip


class LoginForm(FlaskForm):
    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=254), single_line])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024), single_line])
    remember = BooleanField(_l("Remember me on this device for 30 days"))
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Only the CSRF token: logging out is a POST."""


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[AnyOf(list(LANGUAGE_NAMES))])
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = StringField(_l("E-mail"), filters=[strip], validators=[DataRequired(), Length(max=254), Email()])


def _new_password_fields(label):
    """The new password (checked by the password rule for the form's `account`) and its repetition."""
    return (
        PasswordField(label, validators=[DataRequired(), single_line, strong_password],
                      description=_l("At least %(num)s characters. A few unrelated words are easy to remember.",
                                     num=MIN_LENGTH)),
        PasswordField(_l("The new password again"), validators=[
            DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))]),
    )


class SetPasswordForm(FlaskForm):
    """Choosing a password from an invitation or a password-reset link."""

    password, password_again = _new_password_fields(_l("New password"))

    def __init__(self, account: User, **kwargs):
        super().__init__(**kwargs)
        self.account = account


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])
    password, password_again = _new_password_fields(_l("New password"))

    def __init__(self, account: User, **kwargs):
        super().__init__(**kwargs)
        self.account = account


class ConfirmPasswordForm(FlaskForm):
    """Typing the password again before a sensitive action."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()

"""Forms of the auth blueprint: one class per use case."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length

from forum_crm.validators import single_line, strip

MIN_PASSWORD_LENGTH = 10


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


class ForgotPasswordForm(FlaskForm):
    email = StringField(_l("E-mail"), filters=[strip], validators=[DataRequired(), Length(max=254), Email()])


def _new_password_fields(label):
    return (
        PasswordField(label, validators=[
            DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024), single_line],
            description=_l("At least %(num)s characters. A few unrelated words are easy to remember.",
                           num=MIN_PASSWORD_LENGTH)),
        PasswordField(_l("The new password again"), validators=[
            DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))]),
    )


class SetPasswordForm(FlaskForm):
    """Choosing a password from an invitation or a password-reset link."""

    password, password_again = _new_password_fields(_l("New password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])
    password, password_again = _new_password_fields(_l("New password"))


class ConfirmPasswordForm(FlaskForm):
    """Typing the password again before a sensitive action."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()

"""Forms of the accounts pages: inviting someone, and changing what an account may do."""

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from forum_crm.auth.queries import account_of, user_by_email
from forum_crm.changes.queries import unreviewed_address
from forum_crm.i18n import LANGUAGE_NAMES
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.labels import ROLES, choices
from forum_crm.models import Organisation, Person, Role, User
from forum_crm.organisations.forms import OrganisationField
from forum_crm.people.forms import PersonField
from forum_crm.validators import single_line, strip


class AccessFields:
    """Mixin: the role, and the organisation (for an org_editor) or person (for a member) it is bound to."""

    role = SelectField(_l("Role"), choices=choices(ROLES), default=Role.MEMBER.value)
    organisation = OrganisationField(
        _l("Organisation"), filters=[strip], validators=[Optional(), Length(max=300), single_line],
        description=_l("For an organisation editor: the organisation whose profile and people they keep up to date."))
    person = PersonField(
        _l("Person in the directory"), filters=[strip], validators=[Optional(), Length(max=300), single_line],
        description=_l("E-mail address or full name. A member edits this person's profile."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        organisation, person = self.organisation, self.person
        if self.role.data == Role.ORG_EDITOR and organisation.organisation is None and not organisation.errors:
            organisation.errors.append(gettext("An organisation editor needs the organisation they edit."))
            valid = False
        if self.role.data == Role.MEMBER and person.person is None and not person.errors:
            person.errors.append(gettext("A member needs their record in the directory."))
            valid = False
        other = account_of(person.person) if person.person is not None else None
        if other is not None and other != self.bound_account():
            person.errors.append(gettext("%(name)s already has an account (%(email)s); a person can have only one.",
                                         name=person.person.full_name, email=other.email))
            valid = False
        return valid

    def bound_account(self) -> User | None:
        """The account these fields are for (None for a new one)."""
        raise NotImplementedError

    def access(self) -> dict:
        """The chosen role and records, as auth.services.invite and update_account take them."""
        return {"role": Role(self.role.data), "organisation": self.organisation.organisation,
                "person": self.person.person}


def access_data(role: Role, organisation: Organisation | None, person: Person | None) -> dict:
    """Form data showing an account's access (to fill the forms on GET)."""
    return {"role": role.value, "organisation": organisation.name if organisation else "",
            "person": (person.email or person.full_name) if person else ""}


class InviteForm(AccessFields, FlaskForm):
    email = StringField(_l("E-mail"), filters=[strip], validators=[DataRequired(), Length(max=254), Email()],
                        description=_l("The invitation is sent here; it is also the address they log in with."))
    language = SelectField(_l("Language"), choices=list(LANGUAGE_NAMES.items()), default="pl",
                           description=_l("Of the invitation, and of the pages and e-mails they get afterwards."))

    def bound_account(self) -> User | None:
        return user_by_email(self.email.data) if self.email.data else None

    def validate_email(self, field):
        if field.errors:
            return  # only look up addresses that passed the checks above (PostgreSQL refuses a NUL in them)
        existing = user_by_email(field.data)
        if existing is not None and existing.active:
            raise ValidationError(gettext("This address already has an account. Change its role on the list of "
                                          "accounts instead."))
        if unreviewed_address(field.data) is not None:
            raise ValidationError(gettext(
                "An organisation editor or the person gave this address in the directory and you have not approved "
                "it yet. Check it with the person and approve it on the page of changes to review first."))


class AccountForm(AccessFields, FlaskForm):
    active = BooleanField(_l("The account may log in"))

    def __init__(self, account: User, editor: User, **kwargs):
        super().__init__(**kwargs)
        self.account, self.editor = account, editor

    def bound_account(self) -> User | None:
        return self.account

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        changes_access = self.role.data != self.account.role.value or not self.active.data
        if self.account.id == self.editor.id and changes_access:
            self.form_errors.append(gettext("You cannot change your own role or switch off your own account."))
            return False
        return valid

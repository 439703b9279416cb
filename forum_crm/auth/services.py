"""Writes for accounts: logging in and out, creating users."""

import secrets

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import Organisation, Role, User
from forum_crm.models.auth import new_session_token
from forum_crm.models.base import utcnow

GENERATED_PASSWORD_BYTES = 12  # 16 URL-safe characters


class AccountError(ValueError):
    """A user account cannot be created as asked; the message says why."""


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (the same for every failure)."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        User.check_against_nobody(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """Make every session and remember-me cookie of this user worthless."""
    user.session_token = new_session_token()


def generate_password() -> str:
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


def create_user(email: str, password: str, role: Role, organisation_id: int | None = None) -> User:
    """A new account; org_editor needs the organisation it may edit."""
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"Not an e-mail address: {email!r}")
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"An account for {email} already exists.")
    if role == Role.ORG_EDITOR:
        if organisation_id is None:
            raise AccountError("An org_editor account needs --organisation ID.")
        if db.session.get(Organisation, organisation_id) is None:
            raise AccountError(f"There is no organisation with id {organisation_id}.")
    elif organisation_id is not None:
        raise AccountError("Only an org_editor account is bound to an organisation.")
    user = User(email=email, role=role, organisation_id=organisation_id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user

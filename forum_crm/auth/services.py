"""Writes for accounts: logging in and out, e-mailed links, throttling, the security log, creating users."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import has_request_context, request

from forum_crm.auth.queries import THROTTLE_WINDOW, account_of, digest, throttle_keys, user_by_email
from forum_crm.extensions import db
from forum_crm.models import (
    AccountToken,
    AuthEvent,
    AuthEventKind,
    LoginAttempt,
    Organisation,
    Person,
    Role,
    TokenPurpose,
    User,
)
from forum_crm.models.auth import new_session_token
from forum_crm.models.base import utcnow

RESET_EMAIL_INTERVAL = timedelta(minutes=5)

GENERATED_PASSWORD_BYTES = 12  # 16 URL-safe characters
TOKEN_BYTES = 32
NO_ACCOUNT_ID = 0  # ids start at 1: queries for an unknown address use this one and match nothing
TOKEN_LIFETIME = {TokenPurpose.INVITATION: timedelta(days=7), TokenPurpose.PASSWORD_RESET: timedelta(hours=1)}


class AccountError(ValueError):
    """A user account cannot be created as asked; the message says why."""


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (the same for every failure)."""
    user = user_by_email(email)
    if user is None:
        User.check_against_nobody(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.upgrade_password_hash(password)
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


# The security log

def log_event(kind: AuthEventKind, user: User | None = None, email: str | None = None,
              detail: str | None = None) -> AuthEvent:
    """Add an entry to the security log, with the client's address and the path when in a request.

    A typed e-mail is kept only if it looks like one: a password typed into the wrong field is not logged.
    """
    looks_like_email = email and "@" in email and not any(ch.isspace() for ch in email)
    event = AuthEvent(kind=kind, user=user, email=email[:254] if looks_like_email else None,
                      detail=detail and detail[:300])
    if has_request_context():
        event.address = (request.remote_addr or "")[:64] or None
        event.path = request.path[:300]
    db.session.add(event)
    return event


# Throttling failed logins: counted in the database, so every worker process sees the same numbers.
# An attempt is recorded (and committed) before the password is checked: parallel requests then see
# each other, and at most the allowed number of them are evaluated.

def record_login_attempt(email: str, address: str | None) -> list[LoginAttempt]:
    """Count a login (or password confirmation) being tried, and forget attempts older than the window.

    A refused or successful attempt is forgotten again (forget_login_attempt); a failed one stays.
    """
    now = utcnow()
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.attempted_at < now - THROTTLE_WINDOW))
    attempt = [LoginAttempt(key=key, attempted_at=now) for key in throttle_keys(email, address)]
    db.session.add_all(attempt)
    db.session.flush()
    return attempt


def forget_login_attempt(attempt: list[LoginAttempt]) -> None:
    """An attempt that was refused without being tried, or that succeeded, does not count as a failure."""
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.id.in_([row.id for row in attempt])))


def clear_failed_logins(email: str) -> None:
    """A successful login forgets the account's failures (not the address's)."""
    account_key = throttle_keys(email, None)[0]
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.key == account_key))


# Links sent by e-mail: invitations and password resets

def issue_token(user: User, purpose: TokenPurpose) -> str:
    """A new single-use link token for `user`; earlier unused links of the same purpose stop working.

    Returns the token itself, which is only ever e-mailed; the database keeps its hash.
    """
    revoke_tokens(user, purpose)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    db.session.add(AccountToken(user=user, purpose=purpose, token_hash=digest(token), created_at=now,
                                expires_at=now + TOKEN_LIFETIME[purpose]))
    db.session.flush()
    return token


def revoke_tokens(user: User, purpose: TokenPurpose | None = None) -> None:
    """Unused links of this user (of one purpose, or all) stop working."""
    query = sa.update(AccountToken).where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
    if purpose is not None:
        query = query.where(AccountToken.purpose == purpose)
    db.session.execute(query.values(used_at=utcnow()))


def use_token(token: AccountToken) -> bool:
    """Mark the link used; False if another request used it first (each link works once)."""
    result = db.session.execute(sa.update(AccountToken).where(
        AccountToken.id == token.id, AccountToken.used_at.is_(None)).values(used_at=utcnow()))
    return result.rowcount == 1


def keep_language(user: User, language: str) -> None:
    """The account's language, and its person's (the language of the e-mails sent to them, mailings included)."""
    user.language = language
    if user.person is not None and user.person.language != language:
        user.person.language = language


def invite(email: str, role: Role, organisation: Organisation | None, person: Person | None,
           language: str | None = None) -> tuple[User, str]:
    """An inactive account for a new representative or member (in `language`, if given), and the invitation token
    that activates it.

    Inviting an address whose account is inactive (not yet accepted, or switched off) invites it again.
    """
    user = user_by_email(email)
    if user is not None and user.active:
        raise AccountError(email)
    _check_one_account_per_person(person, user)
    if user is None:
        user = User(email=email, role=role)
        user.set_password(secrets.token_urlsafe(TOKEN_BYTES))  # unknown to anyone until the link is used
        db.session.add(user)
    user.role = role
    user.organisation = organisation if role == Role.ORG_EDITOR else None
    user.person = person
    user.active = False
    if language:
        keep_language(user, language)
    db.session.flush()
    log_event(AuthEventKind.INVITATION_SENT, user=user, detail=role.value)
    return user, issue_token(user, TokenPurpose.INVITATION)


def set_password_from_link(token: AccountToken, password: str) -> User | None:
    """Use an invitation or reset link: set the password (ending other sessions) and activate the account.

    None if the link was used meanwhile.
    """
    if not use_token(token):
        return None
    user = token.user
    user.set_password(password)
    user.active = True
    revoke_tokens(user)
    invited = token.purpose == TokenPurpose.INVITATION
    log_event(AuthEventKind.INVITATION_ACCEPTED if invited else AuthEventKind.PASSWORD_RESET, user=user)
    return user


def request_password_reset(email: str) -> tuple[User, str] | None:
    """A reset token for the active account with this e-mail, or None if there is none.

    At most one every RESET_EMAIL_INTERVAL per account, so the form cannot flood someone's inbox.
    Known and unknown addresses cost the same queries (for an unknown one they match no rows) and are
    both in the security log; only a known one adds the token (and its route, the e-mail to the outbox).
    """
    user = user_by_email(email)
    log_event(AuthEventKind.PASSWORD_RESET_REQUESTED, user=user, email=email)
    account = user if user is not None and user.active else None
    user_id = account.id if account is not None else NO_ACCOUNT_ID
    sent_recently = db.session.scalar(sa.select(AccountToken.id).where(
        AccountToken.user_id == user_id, AccountToken.purpose == TokenPurpose.PASSWORD_RESET,
        AccountToken.created_at > utcnow() - RESET_EMAIL_INTERVAL).limit(1))
    if account is None or sent_recently is not None:
        return None
    return account, issue_token(account, TokenPurpose.PASSWORD_RESET)


def change_password(user: User, password: str) -> None:
    """A new password; every other session and every outstanding link stops working."""
    user.set_password(password)
    revoke_tokens(user)
    log_event(AuthEventKind.PASSWORD_CHANGED, user=user)


def update_account(user: User, role: Role, organisation: Organisation | None, person: Person | None,
                   active: bool) -> None:
    """Change what an account may do; the change is in the security log. Switching it off ends its sessions."""
    _check_one_account_per_person(person, user)
    before = (user.role, user.organisation_id, user.person_id, user.active)
    user.role = role
    user.organisation = organisation if role == Role.ORG_EDITOR else None
    user.person = person
    user.active = active
    db.session.flush()
    after = (user.role, user.organisation_id, user.person_id, user.active)
    if after == before:
        return
    if not active:
        end_sessions(user)
        revoke_tokens(user)
    names = ("role", "organisation", "person", "active")
    log_event(AuthEventKind.ACCOUNT_CHANGED, user=user, detail=", ".join(
        f"{name}: {_plain(old)} -> {_plain(new)}" for name, old, new in zip(names, before, after, strict=True)
        if old != new))


def _check_one_account_per_person(person: Person | None, user: User | None) -> None:
    """A person has at most one account (the database refuses a second one too)."""
    other = account_of(person) if person is not None else None
    if other is not None and other != user:
        raise AccountError(f"{person.full_name} already has an account: {other.email}")


def _plain(value) -> str:
    return "—" if value is None else str(value)

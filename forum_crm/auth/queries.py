"""Reading accounts: who has an e-mail, whether a link is valid, how long a login is refused, the security log."""

import hashlib
import math
from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import ngettext
from sqlalchemy.orm import joinedload

from forum_crm.extensions import db
from forum_crm.models import AccountToken, AuthEvent, LoginAttempt, Person, TokenPurpose, User
from forum_crm.models.base import as_utc, utcnow

# At most this many failed logins per account and per client address in THROTTLE_WINDOW.
THROTTLE_WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURES = 5
ADDRESS_FAILURES = 20


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def account_of(person: Person) -> User | None:
    """The account bound to this person, if any (there is at most one)."""
    return db.session.scalar(sa.select(User).where(User.person_id == person.id))


def digest(text: str) -> str:
    """SHA-256 in hex: how link tokens and throttling keys are stored."""
    return hashlib.sha256(text.encode()).hexdigest()


def throttle_keys(email: str, address: str | None) -> list[str]:
    """What a failed login counts against: the account (even an unknown one), then the client's address."""
    return [digest(f"account:{email.strip().lower()}"), digest(f"address:{address or '-'}")]


def valid_token(token: str, purpose: TokenPurpose) -> AccountToken | None:
    """The unused, unexpired link with this token, or None (unknown, tampered with, used or expired)."""
    found = db.session.scalar(sa.select(AccountToken).options(joinedload(AccountToken.user)).where(
        AccountToken.token_hash == digest(token), AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None)))
    if found is None or as_utc(found.expires_at) <= utcnow():
        return None
    if purpose == TokenPurpose.PASSWORD_RESET and not found.user.active:
        return None
    return found


def minutes_until_allowed(email: str, address: str | None, attempt: Sequence[LoginAttempt] = ()) -> int:
    """0 if a login to this account from this address may be tried now; otherwise how many minutes to wait.

    `attempt` is the try being made, already recorded and committed: every other recorded attempt counts
    against it, so of many parallel tries at most the allowed number pass.
    """
    now = utcnow()
    wait = timedelta(0)
    own = [row.id for row in attempt]
    for key, limit in zip(throttle_keys(email, address), (ACCOUNT_FAILURES, ADDRESS_FAILURES), strict=True):
        recent = db.session.scalars(
            sa.select(LoginAttempt.attempted_at)
            .where(LoginAttempt.key == key, LoginAttempt.attempted_at > now - THROTTLE_WINDOW,
                   LoginAttempt.id.not_in(own))
            .order_by(LoginAttempt.attempted_at.desc()).limit(limit)).all()
        if len(recent) >= limit:
            # Allowed again once the oldest of the last `limit` failures leaves the window.
            wait = max(wait, as_utc(recent[-1]) + THROTTLE_WINDOW - now)
    return math.ceil(wait.total_seconds() / 60)


def security_log() -> sa.Select:
    """The security log, newest first, with the accounts concerned."""
    return (sa.select(AuthEvent).options(joinedload(AuthEvent.user))
            .order_by(AuthEvent.occurred_at.desc(), AuthEvent.id.desc()))


def too_many_attempts(minutes: int) -> str:
    """What a throttled login or password confirmation is told."""
    return ngettext("Too many failed attempts. Try again in %(num)s minute.",
                    "Too many failed attempts. Try again in %(num)s minutes.", minutes)

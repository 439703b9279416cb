"""Login accounts, the links e-mailed to them, failed logins and the security log."""

import enum
import functools
import secrets
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash

from forum_crm.models.base import Base, choice, utcnow
from forum_crm.models.directory import Organisation, Person

ARGON2ID_PREFIX = "$argon2id$"


def _hasher() -> PasswordHasher:
    """Argon2id at the cost of the PASSWORD_HASH setting (time_cost, memory_cost in KiB, parallelism)."""
    return PasswordHasher(**current_app.config["PASSWORD_HASH"])


def _verify(stored: str, password: str) -> bool:
    """Whether `password` matches a stored hash: argon2id (its cost is in the hash) or Werkzeug's older scrypt."""
    if not stored.startswith(ARGON2ID_PREFIX):
        return check_password_hash(stored, password)
    try:
        return PasswordHasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _unusable_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    """A hash to compare against when the e-mail is unknown, at the current cost, so both failures take as long."""
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash(secrets.token_urlsafe(16))


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    ORG_EDITOR = "org_editor"
    MEMBER = "member"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Base):
    """An account. An org_editor edits one organisation; a member is one person, who has no other account.

    The session token is what the session and remember-me cookies carry: replacing it (at logout or
    a password change) makes every cookie issued before worthless.
    """

    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
        sa.CheckConstraint("role <> 'org_editor' OR organisation_id IS NOT NULL", name="org_editor_has_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(choice(Role, "role"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id", ondelete="RESTRICT"),
                                                        index=True)
    # One account per person at most (a unique index; accounts bound to nobody are not limited).
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="SET NULL"), index=True,
                                                  unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Part of the signed secret address of the person's own calendar; renewing it makes the old address worthless.
    calendar_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The interface language the person chose (pl, en, uk); their e-mails are written in it too. None: the default.
    language: Mapped[str | None] = mapped_column(sa.String(8))

    organisation: Mapped[Organisation | None] = relationship()
    person: Mapped[Person | None] = relationship()

    @validates("email")
    def _lower_email(self, _key: str, email: str) -> str:
        return email.strip().lower()

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return self.session_token

    def set_password(self, password: str) -> None:
        """Hash with argon2id and end every other session."""
        self.password_hash = _hasher().hash(password)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return _verify(self.password_hash, password)

    def upgrade_password_hash(self, password: str) -> None:
        """After a successful check: hash again if the stored hash is older or cheaper than today's (sessions go on)."""
        if not self.password_hash.startswith(ARGON2ID_PREFIX) or _hasher().check_needs_rehash(self.password_hash):
            self.password_hash = _hasher().hash(password)

    @staticmethod
    def check_against_nobody(password: str) -> bool:
        """Spend the same time as a real check when the e-mail is unknown; always False."""
        _verify(_unusable_hash(**current_app.config["PASSWORD_HASH"]), password)
        return False


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class AccountToken(Base):
    """A single-use link e-mailed to an account holder. Only the SHA-256 hash of the token is stored."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(choice(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """A failed login, counted to slow down password guessing in every worker process.

    `key` is a hash of the account's e-mail or of the client's address, so no address is kept.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (sa.Index("ix_login_attempt_key_attempted_at", "key", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    attempted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)


class AuthEventKind(enum.StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    LOGOUT = "logout"
    ACCESS_REFUSED = "access_refused"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # for any address typed, known or not
    INVITATION_SENT = "invitation_sent"
    INVITATION_ACCEPTED = "invitation_accepted"
    ACCOUNT_CHANGED = "account_changed"
    DATA_EXPORTED = "data_exported"


class AuthEvent(Base):
    """The security log: logins, failed logins, refused pages, changes to accounts and exports of personal data."""

    __tablename__ = "auth_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    kind: Mapped[AuthEventKind] = mapped_column(choice(AuthEventKind, "auth_event_kind"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))  # as typed, for failed logins
    address: Mapped[str | None] = mapped_column(sa.String(64))
    path: Mapped[str | None] = mapped_column(sa.String(300))
    detail: Mapped[str | None] = mapped_column(sa.String(300))

    user: Mapped[User | None] = relationship()

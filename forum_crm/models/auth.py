"""Login accounts."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from forum_crm.models.base import Base, choice, utcnow
from forum_crm.models.directory import Organisation, Person

# A hash to compare against when the e-mail is unknown, so both failures take the same time.
_UNUSABLE_HASH = generate_password_hash(secrets.token_urlsafe(16))


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    ORG_EDITOR = "org_editor"
    MEMBER = "member"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Base):
    """An account. An org_editor edits one organisation; a member is one person.

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
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

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
        """Hash with scrypt (Werkzeug's default KDF) and end every other session."""
        self.password_hash = generate_password_hash(password)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def check_against_nobody(password: str) -> bool:
        """Spend the same time as a real check when the e-mail is unknown; always False."""
        check_password_hash(_UNUSABLE_HASH, password)
        return False

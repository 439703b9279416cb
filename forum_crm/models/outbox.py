"""The outbox: every e-mail the app sends, queued in the transaction that causes it and sent by the worker."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum_crm.models.auth import User
from forum_crm.models.base import Base, choice, utcnow
from forum_crm.models.directory import Person
from forum_crm.models.events import Edition


class OutboxState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker, which marks the outcome right after the SMTP server answers
    SENT = "sent"
    FAILED = "failed"  # refused by the server, or still not sent after the last attempt


class MessageKind(enum.StrEnum):
    """Why a message was sent. Stored as text without a CHECK constraint: a new kind needs no migration."""

    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"
    PROFILE_REMINDER = "profile_reminder"
    MAILING = "mailing"  # to a segment (models/mailings.py); a test of one goes to its author with this kind too
    REGISTRATION_INVITATION = "registration_invitation"
    REGISTRATION_CONFIRMATION = "registration_confirmation"  # also: moved up from the waiting list
    REGISTRATION_REMINDER = "registration_reminder"
    REGISTRATION_LINK = "registration_link"  # a new personal link, asked for


class OutboxMessage(Base):
    """One e-mail to one recipient.

    While queued, `next_attempt_at` is when it is due; while sending, when a worker that claimed it is
    presumed dead (the message is then due again). `message_id` is the Message-ID header, the same on
    every attempt. `attachments` is a list of {"filename", "content_type", "data" (base64)}.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_state_next_attempt_at", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    edition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("edition.id", ondelete="SET NULL"), index=True)
    kind: Mapped[MessageKind] = mapped_column(sa.Enum(
        MessageKind, name="message_kind", native_enum=False, create_constraint=False, length=32,
        validate_strings=True, values_callable=lambda members: [member.value for member in members]))
    language: Mapped[str] = mapped_column(sa.String(8))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    headers: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)  # extra headers, e.g. List-Unsubscribe
    state: Mapped[OutboxState] = mapped_column(choice(OutboxState, "outbox_state"), default=OutboxState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    person: Mapped[Person | None] = relationship()
    user: Mapped[User | None] = relationship()
    edition: Mapped[Edition | None] = relationship()

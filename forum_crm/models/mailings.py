"""Mailings to a segment: the message the coordinator wrote, the list it went to, who received what.

A recipient's state (queued, sent, failed with the server's answer) is its outbox message's: the worker
records it there, once, for every kind of e-mail.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum_crm.models.auth import User
from forum_crm.models.base import Base, utcnow
from forum_crm.models.directory import Organisation, Person
from forum_crm.models.events import Edition
from forum_crm.models.outbox import OutboxMessage


class Mailing(Base):
    """A message to the people of one filtered list: a draft until `queued_at`, then sent by the worker.

    `source` names the list (mailings.segments.SOURCES) and `source_args` its filter arguments, so the
    recipients are the list the coordinator saw. `left_out` counts who was left out, by reason.
    """

    __tablename__ = "mailing"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(40))
    source_args: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    edition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("edition.id", ondelete="SET NULL"), index=True)
    subject_pl: Mapped[str | None] = mapped_column(sa.String(300))
    body_pl: Mapped[str | None] = mapped_column(sa.Text)
    subject_en: Mapped[str | None] = mapped_column(sa.String(300))
    body_en: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    recipient_count: Mapped[int] = mapped_column(default=0)
    left_out: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    edition: Mapped[Edition | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def subject(self) -> str:
        return self.subject_pl or self.subject_en or ""


class MailingRecipient(Base):
    """One address a mailing was queued to, as whom (person, organisation) and in which language."""

    __tablename__ = "mailing_recipient"
    __table_args__ = (sa.UniqueConstraint("mailing_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(sa.ForeignKey("mailing.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(8))
    outbox_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="SET NULL"), unique=True)

    mailing: Mapped[Mailing] = relationship()
    person: Mapped[Person | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    outbox_message: Mapped[OutboxMessage | None] = relationship()

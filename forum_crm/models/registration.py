"""Registration for an edition: its settings, each participant's answers, and the days and nights they chose.

A person's registration hangs on their Participation: invited (and, with a `waiting_number`, on the waiting
list), registered, or cancelled (also: declined the invitation). The answers live in `registration`, one row
per participation.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum_crm.models.base import Base, choice, utcnow
from forum_crm.models.events import Edition, Participation


class EditionRegistration(Base):
    """Registration for one edition: open from `opens_on` to `closes_on` (inclusive), at most `capacity` places
    (none: no limit), an optional free question, and a reminder `reminder_days` days before the edition."""

    __tablename__ = "edition_registration"
    __table_args__ = (
        sa.CheckConstraint("closes_on >= opens_on", name="closes_not_before_opens"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint("reminder_days >= 0", name="reminder_days_not_negative"),
    )

    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("edition.id", ondelete="CASCADE"), primary_key=True)
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    capacity: Mapped[int | None]
    free_question: Mapped[str | None] = mapped_column(sa.String(300))
    reminder_days: Mapped[int] = mapped_column(default=3)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    edition: Mapped[Edition] = relationship()


class Registration(Base):
    """A participant's answers to the registration questions, and the state of their personal link.

    The answer about photographs is a consent, kept with its history by forum_crm.consents (not here).
    `link_sequence` is part of the signed personal link: every answer raises it, so an earlier link (or a form
    sent twice) cannot replay an earlier answer. `waiting_number` orders the waiting list (lower: earlier).
    """

    __tablename__ = "registration"
    __table_args__ = (sa.Index("ix_registration_reminder_queued_at", "reminder_queued_at"),)

    participation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participation.id", ondelete="CASCADE"), primary_key=True)
    link_sequence: Mapped[int] = mapped_column(default=0)
    language: Mapped[str] = mapped_column(sa.String(8), default="pl")
    invited_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))  # invitation e-mail queued
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    waiting_number: Mapped[int | None]
    travel_from: Mapped[str | None] = mapped_column(sa.String(120))
    refund_needed: Mapped[bool] = mapped_column(default=False)
    dietary_needs: Mapped[str | None] = mapped_column(sa.String(500))
    accessibility_needs: Mapped[str | None] = mapped_column(sa.String(500))
    free_answer: Mapped[str | None] = mapped_column(sa.String(500))
    reminder_queued_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    participation: Mapped[Participation] = relationship(back_populates="registration")
    choices: Mapped[list["RegistrationChoice"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True,
        order_by="(RegistrationChoice.kind, RegistrationChoice.day)")

    def chosen(self, kind: "ChoiceKind") -> list[date]:
        return [choice_.day for choice_ in self.choices if choice_.kind == kind]


class ChoiceKind(enum.StrEnum):
    DAY = "day"  # attends this day of the edition
    NIGHT = "night"  # needs accommodation the night starting on this day


class RegistrationChoice(Base):
    """A day a participant will attend, or a night they need accommodation: one row each, counted in SQL."""

    __tablename__ = "registration_choice"

    participation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.participation_id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[ChoiceKind] = mapped_column(choice(ChoiceKind, "choice_kind"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)

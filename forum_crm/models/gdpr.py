"""Requests to erase a person's data (Art. 17 GDPR), and the record of each erasure done.

An erasure keeps who did it, when, why and at whose request, never the erased data: the person's row is
anonymised in place (see forum_crm.gdpr), so this record points at a row without a name.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum_crm.models.auth import User
from forum_crm.models.base import Base, choice, utcnow
from forum_crm.models.directory import Person


class ErasureState(enum.StrEnum):
    REQUESTED = "requested"  # waiting for the coordinator
    DONE = "done"  # the person was anonymised
    DECLINED = "declined"  # the coordinator refused it (the reason says why)


class ErasureSource(enum.StrEnum):
    PERSON = "person"  # asked on their own profile (/me)
    COORDINATOR = "coordinator"  # the coordinator, on a request received otherwise (letter, e-mail, in person)
    RETENTION = "retention"  # no activity for longer than the retention period


class ErasureRequest(Base):
    """One request to erase a person's data, and what became of it."""

    __tablename__ = "erasure_request"
    __table_args__ = (sa.Index("ix_erasure_request_state_requested_at", "state", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    source: Mapped[ErasureSource] = mapped_column(choice(ErasureSource, "erasure_source"))
    state: Mapped[ErasureState] = mapped_column(choice(ErasureState, "erasure_state"),
                                                default=ErasureState.REQUESTED)
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # The person's own words when asking (erased with the rest of their data).
    message: Mapped[str | None] = mapped_column(sa.String(1000))
    # Which request this was (a letter's date, a ticket number) and why it was done or declined.
    reference: Mapped[str | None] = mapped_column(sa.String(200))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    handled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    handled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)

    person: Mapped[Person] = relationship()
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])

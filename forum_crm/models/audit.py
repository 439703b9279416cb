"""The change log: who changed what, when, field by field."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum_crm.models.auth import User
from forum_crm.models.base import Base, choice, utcnow


class ReviewState(enum.StrEnum):
    """Where an editor's or member's change stands in the coordinator's review feed."""

    TO_REVIEW = "to_review"
    ACCEPTED = "accepted"
    REVERTED = "reverted"


class ChangeLogEntry(Base):
    """One create, edit or archive of one record; `changes` maps field -> [old, new]."""

    __tablename__ = "change_log"
    __table_args__ = (sa.Index("ix_change_log_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int]
    entity_label: Mapped[str] = mapped_column(sa.String(300))  # the record's name when it changed
    action: Mapped[str] = mapped_column(sa.String(40))
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The record's version after this change, so an edit conflict can show what happened since.
    entity_version: Mapped[int | None]
    # Only changes that editors and members make are reviewed (None: the coordinator's or the system's own),
    # and who accepted or reverted one, when.
    review_state: Mapped[ReviewState | None] = mapped_column(choice(ReviewState, "review_state"), index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"),
                                                       index=True)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

"""Duplicate records: pairs the coordinator said are not duplicates, and merges (kept so they can be undone)."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from forum_crm.models.base import Base, choice, utcnow


class DuplicateKind(enum.StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class DismissedPair(Base):
    """Two records the coordinator marked "not a duplicate": the finder no longer shows them (lower id first)."""

    __tablename__ = "dismissed_pair"
    __table_args__ = (sa.CheckConstraint("first_id < second_id", name="lower_id_first"),)

    kind: Mapped[DuplicateKind] = mapped_column(choice(DuplicateKind, "duplicate_kind"), primary_key=True)
    first_id: Mapped[int] = mapped_column(primary_key=True)
    second_id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    dismissed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class PersonMerge(Base):
    """One merge of two people: what it changed, so the review feed can undo it.

    `removed` is the merged-away person's columns; `kept_before` the kept person's fields it overwrote;
    `moved` the ids of the rows it moved, by table, and the participations it joined into one.
    """

    __tablename__ = "person_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_log_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("change_log.id", ondelete="SET NULL"), index=True, unique=True)
    kept_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    removed_id: Mapped[int]
    removed: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    kept_before: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    moved: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    merged_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    undone_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

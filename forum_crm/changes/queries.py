"""Reading the change log."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum_crm.models import ChangeLogEntry, Role, User

ENTITY_TYPES = ("organisation", "person", "edition", "locality")


def recent_changes(entity_type: str | None = None, entity_id: int | None = None) -> sa.Select:
    """Change-log entries, newest first, optionally of one kind of record or one record."""
    query = sa.select(ChangeLogEntry).options(joinedload(ChangeLogEntry.user)).order_by(
        ChangeLogEntry.occurred_at.desc(), ChangeLogEntry.id.desc())
    if entity_type:
        query = query.where(ChangeLogEntry.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(ChangeLogEntry.entity_id == entity_id)
    return query


def changes_since(entity_type: str, entity_id: int, version: int) -> sa.Select:
    """What was saved to a record after the version someone started editing from."""
    return recent_changes(entity_type, entity_id).where(ChangeLogEntry.entity_version > version)


def review_feed() -> sa.Select:
    """What organisation editors and members changed themselves, newest first, for the coordinator to review."""
    return recent_changes().join(User, ChangeLogEntry.user_id == User.id).where(User.role != Role.COORDINATOR)

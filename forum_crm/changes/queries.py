"""Reading the change log."""

import sqlalchemy as sa

from forum_crm.changelog import recent_changes
from forum_crm.models import ChangeLogEntry, Role, User

ENTITY_TYPES = ("organisation", "person", "edition", "locality")






def review_feed() -> sa.Select:
    """What organisation editors and members changed themselves, newest first, for the coordinator to review."""
    return recent_changes().join(User, ChangeLogEntry.user_id == User.id).where(User.role != Role.COORDINATOR)

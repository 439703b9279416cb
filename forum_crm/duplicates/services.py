"""Writes about duplicates: marking a pair "not a duplicate". Functions flush, never commit."""

from flask_login import current_user

from forum_crm.extensions import db
from forum_crm.models import DismissedPair, DuplicateKind


def dismiss_pair(kind: DuplicateKind, first_id: int, second_id: int) -> bool:
    """Mark two records as not duplicates, so the finder stops showing them; False if they already were."""
    low, high = sorted((first_id, second_id))
    if db.session.get(DismissedPair, (kind, low, high)):
        return False
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    db.session.add(DismissedPair(kind=kind, first_id=low, second_id=high, user_id=user_id))
    db.session.flush()
    return True

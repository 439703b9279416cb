"""Reading the change log."""

from dataclasses import dataclass

import sqlalchemy as sa

from forum_crm.changelog import recent_changes
from forum_crm.extensions import db
from forum_crm.models import ChangeLogEntry, Person, Role, User

ENTITY_TYPES = ("organisation", "person", "edition", "locality")
MERGED = "merged"  # the action of a merge of two people (forum_crm.duplicates.merging)






def review_feed() -> sa.Select:
    """What organisation editors and members changed themselves, and merges of people (which the coordinator may
    undo here), newest first, for the coordinator to review."""
    return recent_changes().join(User, ChangeLogEntry.user_id == User.id).where(
        sa.or_(User.role != Role.COORDINATOR, ChangeLogEntry.action == MERGED))


# A person's e-mail address set by anyone but the coordinator is not trusted for account e-mails
# (invitations) until the coordinator approves it: otherwise an organisation's editor could change a
# colleague's address and receive the invitation meant for them.

EMAIL_APPROVED = "email_approved"  # the action of the coordinator's approval of a person's e-mail address


@dataclass(frozen=True)
class UnreviewedEmail:
    """A person's e-mail address as an organisation editor or the person set it, not yet approved."""

    change: ChangeLogEntry  # the newest change of the address
    previous: str | None  # the address before such changes: the last one the coordinator set or approved


def unreviewed_email(person_id: int) -> UnreviewedEmail | None:
    """The person's unreviewed e-mail change, or None if the coordinator set, reverted or approved the address
    last (imports and other changes made without a user count as the coordinator's)."""
    pending = []
    for entry in db.session.scalars(recent_changes("person", person_id)):
        if entry.action != EMAIL_APPROVED and "email" not in (entry.changes or {}):
            continue
        if entry.user is None or entry.user.role == Role.COORDINATOR:
            break
        pending.append(entry)
    if not pending:
        return None
    return UnreviewedEmail(pending[0], pending[-1].changes["email"][0])


def unreviewed_address(email: str) -> UnreviewedEmail | None:
    """The unreviewed change that gave a person in the directory this e-mail address, if any."""
    person_ids = db.session.scalars(sa.select(Person.id).where(Person.email == email.strip().lower()))
    return next((found for person_id in person_ids if (found := unreviewed_email(person_id))), None)

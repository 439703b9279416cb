"""Reading the change log."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from forum_crm.changelog import recent_changes
from forum_crm.duplicates.merging import UNDO_WITHIN
from forum_crm.extensions import db
from forum_crm.kept import kept_scalar
from forum_crm.models import ChangeLogEntry, Person, ReviewState, Role
from forum_crm.models.base import utcnow

ENTITY_TYPES = ("organisation", "person", "edition", "locality")
MERGED = "merged"  # the action of a merge of two people (forum_crm.duplicates.merging)


# ?action=imported lists every import: of records and of attendance lists.
ACTIONS_SHOWN_WITH = {"imported": ("imported", "attendance_imported")}


def changes_of(entity_type: str | None, action: str | None) -> sa.Select:
    """The recent-changes page: newest first, optionally of one kind of record and one kind of change."""
    query = recent_changes(entity_type)
    if action:
        query = query.where(ChangeLogEntry.action.in_(ACTIONS_SHOWN_WITH.get(action, (action,))))
    return query


def review_feed(state: ReviewState | None = ReviewState.TO_REVIEW) -> sa.Select:
    """What organisation editors and members changed themselves, newest first, in one review state (None: all);
    merges of people (which the coordinator may undo here) are shown with the changes to review while they can be
    undone, and with all."""
    query = recent_changes().options(joinedload(ChangeLogEntry.reviewed_by))
    merges = ChangeLogEntry.action == MERGED
    if state is None:
        return query.where(sa.or_(ChangeLogEntry.review_state.is_not(None), merges))
    if state == ReviewState.TO_REVIEW:
        recent_merges = sa.and_(merges, ChangeLogEntry.occurred_at >= utcnow() - UNDO_WITHIN)
        return query.where(sa.or_(ChangeLogEntry.review_state == state, recent_merges))
    return query.where(ChangeLogEntry.review_state == state)


# Built once (the menu of every coordinator's page asks it; see kept._VERSIONS).
_TO_REVIEW_COUNT = (sa.select(sa.func.count()).select_from(ChangeLogEntry)
                    .where(ChangeLogEntry.review_state == ReviewState.TO_REVIEW))


def changes_to_review_count() -> int:
    """How many editors' and members' changes wait for the coordinator (the menu and the home show it)."""
    return kept_scalar(_TO_REVIEW_COUNT)


def entries_to_review(entry_ids: list[int]) -> list[ChangeLogEntry]:
    """Those of these entries that are still to review (a page's "accept all shown")."""
    return list(db.session.scalars(sa.select(ChangeLogEntry).where(
        ChangeLogEntry.id.in_(entry_ids), ChangeLogEntry.review_state == ReviewState.TO_REVIEW)))


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

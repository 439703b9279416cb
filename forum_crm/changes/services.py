"""Writes of the review feed: reverting an editor's or member's edit, approving a changed e-mail address."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_login import current_user

from forum_crm.changelog import record_change, save_logged, snapshot
from forum_crm.changes.queries import EMAIL_APPROVED
from forum_crm.extensions import db
from forum_crm.models import ChangeLogEntry, Locality, Organisation, OrganisationLanguage, Person, ReviewState, Sector
from forum_crm.models.base import utcnow
from forum_crm.organisations.services import ORGANISATION_FIELDS, areas_named
from forum_crm.people.services import CONSENT_COLUMNS, PERSON_FIELDS

# Consent is only ever given or withdrawn by the person (its history says so): a revert leaves it as it is.
NEVER_REVERTED = frozenset({*CONSENT_COLUMNS, "share_contact"})


REVERTIBLE = {"organisation": (Organisation, ORGANISATION_FIELDS), "person": (Person, PERSON_FIELDS)}


class AlreadyReverted(Exception):
    """The change was reverted before: by `entry.reviewed_by` at `entry.reviewed_at`."""


class RevertRefused(Exception):
    """The change cannot be reverted: `fields` changed again since (or the record is gone, if empty)."""

    def __init__(self, fields: list[str]):
        super().__init__(fields)
        self.fields = fields


def revertible_fields(entry: ChangeLogEntry) -> list[str]:
    """The fields of an edit that a revert would restore (none for other kinds of change)."""
    if entry.action != "updated" or entry.entity_type not in REVERTIBLE:
        return []
    fields = REVERTIBLE[entry.entity_type][1]
    return [name for name in entry.changes if name in fields and name not in NEVER_REVERTED]


def revert_change(entry: ChangeLogEntry) -> Organisation | Person:
    """Put back the old values of an edit, if none of its fields has changed since; the revert is logged and the
    change marked reverted (reverting it again raises AlreadyReverted)."""
    if entry.review_state == ReviewState.REVERTED:
        raise AlreadyReverted()
    names = revertible_fields(entry)
    model, fields = REVERTIBLE.get(entry.entity_type, (None, {}))
    row = db.session.get(model, entry.entity_id) if names else None
    if row is None:
        raise RevertRefused([])
    now = snapshot(row, {name: fields[name] for name in names})
    changed_since = [name for name in names if now[name] != entry.changes[name][1]]
    if changed_since:
        raise RevertRefused(changed_since)

    def apply():
        for name in names:
            _restore(row, name, entry.changes[name][0])

    save_logged(entry.entity_type, row, fields, apply, action="reverted")
    _mark_reviewed(entry, ReviewState.REVERTED)
    return row


def accept_changes(entries: list[ChangeLogEntry]) -> int:
    """The coordinator has seen these changes and keeps them: they leave the feed of changes to review."""
    for entry in entries:
        _mark_reviewed(entry, ReviewState.ACCEPTED)
    db.session.flush()
    return len(entries)


def _mark_reviewed(entry: ChangeLogEntry, state: ReviewState) -> None:
    entry.review_state, entry.reviewed_at, entry.reviewed_by_id = state, utcnow(), current_user.id


def _restore(row: Organisation | Person, name: str, logged) -> None:
    """Set a field back to a value as the change log wrote it (see changes.services.loggable)."""
    if name == "locality":
        row.locality = _locality_labelled(logged)
    elif name == "areas":
        row.areas = areas_named(logged or [])
    elif name == "languages":
        kept = [language for language in row.languages if language.code in (logged or [])]
        row.languages = kept + [OrganisationLanguage(code=code) for code in logged or []
                                if code not in {language.code for language in kept}]
    elif name == "sector":
        row.sector = Sector(logged)
    elif name == "forum_member_since":
        row.forum_member_since = date.fromisoformat(logged) if logged else None
    else:
        setattr(row, name, logged)


def _locality_labelled(label: str | None) -> Locality | None:
    """The stored locality whose label (mapping.services.locality_label) is `label`."""
    if not label:
        return None
    name = label.rsplit(" (", 1)[0] if label.endswith(")") else label
    for locality in db.session.scalars(sa.select(Locality).where(Locality.name.in_({label, name}))):
        if locality.label == label:
            return locality
    raise RevertRefused(["locality"])


def approve_email(person: Any, change: ChangeLogEntry) -> ChangeLogEntry:
    """The coordinator approves a person's current e-mail address for invitations; the approval is logged and
    the change that set the address accepted."""
    if change.review_state == ReviewState.TO_REVIEW:
        _mark_reviewed(change, ReviewState.ACCEPTED)
    return record_change("person", person, EMAIL_APPROVED, {})

"""Recording changes: every service that writes calls record_change with a before/after snapshot."""

import enum
from collections.abc import Callable
from datetime import date, datetime, time
from operator import attrgetter
from typing import Any

from flask_login import current_user

from forum_crm.changes.queries import EMAIL_APPROVED
from forum_crm.extensions import db
from forum_crm.models import ChangeLogEntry


def loggable(value: Any) -> Any:
    """A JSON-friendly form of a field's value, as people read it."""
    if value is None or isinstance(value, bool | int | float | str) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(str(loggable(item)) for item in value)
    return str(value)


Fields = dict[str, Callable[[Any], Any]]


def readers(*names: str) -> Fields:
    """Fields read straight from the attributes of the same names."""
    return {name: attrgetter(name) for name in names}


def snapshot(row: Any, fields: Fields) -> dict[str, Any]:
    """The loggable values of a record's fields (field name -> how to read it)."""
    return {name: loggable(read(row)) for name, read in fields.items()}


def differences(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """field -> [old, new] for every field whose value changed."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def record_change(entity_type: str, row: Any, action: str, changes: dict[str, list[Any]]) -> ChangeLogEntry:
    """Add a change-log entry for `row` (flushed, so it has an id) by the current user, if any."""
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    entry = ChangeLogEntry(entity_type=entity_type, entity_id=row.id, entity_label=str(row)[:300], action=action,
                           changes=changes, entity_version=getattr(row, "version", None), user_id=user_id)
    db.session.add(entry)
    return entry


def save_logged(entity_type: str, row: Any, fields: Fields, apply: Callable[[], None],
                action: str = "updated") -> None:
    """Run `apply` on a new or stored record, flush, and log the fields it changed (as `action`)."""
    is_new = row.id is None
    before = dict.fromkeys(fields) if is_new else snapshot(row, fields)
    apply()
    db.session.add(row)
    db.session.flush()
    changes = differences(before, snapshot(row, fields))
    if changes or is_new:
        record_change(entity_type, row, "created" if is_new else action, changes)


def approve_email(person: Any) -> ChangeLogEntry:
    """The coordinator approves a person's current e-mail address for invitations; the approval is logged."""
    return record_change("person", person, EMAIL_APPROVED, {})

"""Recording changes: every service that writes calls record_change with a before/after snapshot."""

import enum
from collections.abc import Callable
from datetime import date, datetime, time
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload

from forum_crm.extensions import db
from forum_crm.models import ChangeLogEntry, Organisation, Person, ReviewState, Role
from forum_crm.models.base import utcnow


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
EMPTY_VALUES = (None, "", [], False)


def readers(*names: str) -> Fields:
    """Fields read straight from the attributes of the same names."""
    return {name: attrgetter(name) for name in names}


def snapshot(row: Any, fields: Fields) -> dict[str, Any]:
    """The loggable values of a record's fields (field name -> how to read it)."""
    return {name: loggable(read(row)) for name, read in fields.items()}


def differences(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """field -> [old, new] for every field whose value changed."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def new_values(row: Any, fields: Fields) -> dict[str, list[Any]]:
    """field -> [None, value] for every field a new record has a value in (empty text, an empty list and "no"
    are no value: an import of 1,000 rows would log every empty column of each)."""
    return {name: [None, value] for name, value in snapshot(row, fields).items() if value not in EMPTY_VALUES}


def change_author() -> dict[str, Any]:
    """Who makes the changes being logged: the current user, if any; an editor's or member's change waits in the
    coordinator's review feed."""
    user = current_user if current_user and current_user.is_authenticated else None
    return {"user_id": user.id if user else None,
            "review_state": ReviewState.TO_REVIEW if user and user.role != Role.COORDINATOR else None}


def change_values(entity_type: str, row: Any, action: str, changes: dict[str, list[Any]],
                  author: dict[str, Any] | None = None) -> dict[str, Any]:
    """The columns of a change-log entry for `row` (which has its id) by `author` (change_author(), by default).
    Imports insert these in bulk (imports.bulk), with the author read once."""
    return {"entity_type": entity_type, "entity_id": row.id, "entity_label": str(row)[:300], "action": action,
            "changes": changes, "entity_version": getattr(row, "version", None), **(author or change_author())}


def record_change(entity_type: str, row: Any, action: str, changes: dict[str, list[Any]]) -> ChangeLogEntry:
    """Add a change-log entry for `row` (see change_values) to the session."""
    entry = ChangeLogEntry(**change_values(entity_type, row, action, changes))
    db.session.add(entry)
    return entry


def log_saved(entity_type: str, row: Any, fields: Fields, before: dict[str, Any] | None, action: str = "updated",
              created: str = "created") -> None:
    """Log a flushed record: all its values if it is new (`before` None), else the fields changed since `before`."""
    if before is None:
        record_change(entity_type, row, created, new_values(row, fields))
    elif changes := differences(before, snapshot(row, fields)):
        record_change(entity_type, row, action, changes)


def save_logged(entity_type: str, row: Any, fields: Fields, apply: Callable[[], None],
                action: str = "updated") -> None:
    """Run `apply` on a new or stored record, flush, and log the fields it changed (as `action`)."""
    before = None if row.id is None else snapshot(row, fields)
    apply()
    db.session.add(row)
    db.session.flush()
    log_saved(entity_type, row, fields, before, action)


def add_logged(entity_type: str, parent: Any, child: Any, fields: Fields, action: str,
               also: dict[str, list[Any]] | None = None) -> None:
    """Add a record kept in its parent's history (an affiliation, a panel guest...), flush, and log on `parent`
    (as `action`, e.g. "affiliation_added") the fields it was added with, and the changes in `also`."""
    db.session.add(child)
    db.session.flush()
    added = {name: [None, value] for name, value in snapshot(child, fields).items() if value is not None}
    record_change(entity_type, parent, action, {**(also or {}), **added})


def remove_logged(entity_type: str, parent: Any, child: Any, fields: Fields, action: str,
                  also: dict[str, list[Any]] | None = None) -> None:
    """Delete a record kept in its parent's history, flush, and log on `parent` (as `action`, e.g.
    "affiliation_removed") the fields it had, and the changes in `also`."""
    removed = {name: [value, None] for name, value in snapshot(child, fields).items() if value is not None}
    db.session.delete(child)
    db.session.flush()
    record_change(entity_type, parent, action, {**(also or {}), **removed})


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


def set_archived(row: Organisation | Person, entity_type: str, archived: bool) -> None:
    """Archive a record (it leaves the lists and counts but keeps its history), or restore it."""
    before = row.archived_at
    row.archived_at = utcnow() if archived else None
    db.session.flush()
    record_change(entity_type, row, "archived" if archived else "restored",
                  {"archived_at": [before and before.isoformat(), row.archived_at and row.archived_at.isoformat()]})


HISTORY_ON_PAGE = 20


def record_history(entity_type: str, entity_id: int) -> list[ChangeLogEntry]:
    """The latest changes of one record, for its page."""
    return list(db.session.scalars(recent_changes(entity_type, entity_id).limit(HISTORY_ON_PAGE)))

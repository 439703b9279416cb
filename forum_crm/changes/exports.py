"""The change log as a CSV or XLSX download: one row per changed field."""

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext

from forum_crm.changelog import recent_changes
from forum_crm.labels import ACTIONS, ENTITY_TYPES, FIELDS, change_value
from forum_crm.models import ChangeLogEntry, User
from forum_crm.spreadsheets.columns import CHANGE_LOG_COLUMNS
from forum_crm.spreadsheets.export import Cell, Export, headers, local_times, stream_rows


def change_log_export() -> Export:
    """The whole change log, newest first: a row for each field changed (a row for an entry without fields)."""
    query = (recent_changes().outerjoin(User, ChangeLogEntry.user_id == User.id)
             .with_only_columns(ChangeLogEntry.occurred_at, User.email, ChangeLogEntry.entity_type,
                                ChangeLogEntry.entity_id, ChangeLogEntry.entity_label, ChangeLogEntry.action,
                                ChangeLogEntry.changes))

    def rows() -> Iterator[list[Cell]]:
        system, local = gettext("system"), local_times()
        kinds, actions, fields = ({key: str(text) for key, text in names.items()}
                                  for names in (ENTITY_TYPES, ACTIONS, FIELDS))
        for occurred_at, email, entity_type, entity_id, entity_label, action, changes in stream_rows(query):
            head = [local(occurred_at).strftime("%Y-%m-%d %H:%M:%S"), email or system,
                    kinds.get(entity_type, entity_type), entity_id, entity_label, actions.get(action, action)]
            if not changes:
                yield [*head, None, None, None]
            for name, (before, after) in changes.items():
                yield [*head, fields.get(name, name), _logged(before), _logged(after)]

    return Export("changes", headers(CHANGE_LOG_COLUMNS), rows(), personal_records=recent_changes())


def _logged(value: Any) -> str | None:
    return None if value in (None, "", []) else change_value(value)

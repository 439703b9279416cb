"""Matching rows with each other and with the records already stored.

- an organisation is the one with the row's KRS, NIP or name (case and Polish letters ignored);
- a person is the one with the row's e-mail; without an e-mail (or if nobody has it), the only
  person with the same first and last name and no e-mail of their own;
- a record that is already there only gets its empty fields filled (a flag that is "no" becomes
  "yes", areas of work, languages and an affiliation are added); values that differ are kept and
  shown in the preview, never overwritten;
- a row repeated in the file is skipped; two rows about the same record with different values
  are a problem.
"""

from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import gettext as _

from forum_crm.changelog import loggable
from forum_crm.imports.parsing import Row
from forum_crm.imports.plan import SKIP, UNCHANGED, UPDATE, Columns, Plan, Planned, Problem, field_label
from forum_crm.imports.queries import NAMESAKES_SHOWN, PersonKeys
from forum_crm.imports.towns import same_town, town_label
from forum_crm.labels import change_value
from forum_crm.localities.gazetteer import Place
from forum_crm.models import Locality


class FileKeys:
    """Rows already seen, by key: a repeated row is skipped, a different row with the same key is a problem."""

    def __init__(self):
        self.rows: dict[tuple[str, Any], Planned] = {}
        self.records: dict[int, Planned] = {}

    def earlier(self, keys: Iterable[tuple[str, Any]]) -> tuple[str, Planned] | None:
        for name, key in keys:
            if key and (name, key) in self.rows:
                return name, self.rows[(name, key)]
        return None

    def add(self, planned: Planned, keys: Iterable[tuple[str, Any]]) -> None:
        for name, key in keys:
            if key:
                self.rows.setdefault((name, key), planned)
        if planned.record_id is not None:
            self.records.setdefault(planned.record_id, planned)


def repeat_or_problem(row: Row, values: dict, label: str, earlier: tuple[str, Planned], columns: Columns,
                      problems: list[Problem]) -> Planned | None:
    """A row with the key of an earlier one: skipped if it says the same, else a problem."""
    name, first = earlier
    if first.values == values:
        return Planned(row.number, SKIP, label, values, notes=[_("The same as row %(row)s.", row=first.row)])
    problems.append(Problem(row.number, columns.name(name), _(
        "Row %(row)s has the same %(field)s with other values: keep one of the two rows.",
        row=first.row, field=field_label(name))))
    return None


def _shown(value: Any) -> str:
    if isinstance(value, Locality | Place):
        return town_label(value) or "—"
    return change_value(loggable(value))


def kept(planned: Planned, name: str, current: Any, value: Any) -> None:
    """Note a stored value that differs from the file's and is kept."""
    planned.notes.append(_("%(field)s: kept %(kept)s; the file has %(value)s.",
                           field=field_label(name), kept=_shown(current), value=_shown(value)))


def fill(planned: Planned, name: str, current: Any, value: Any) -> None:
    """Fill an empty field; note a different value that is kept."""
    if value in (None, "", False) or value == current:
        return
    if current in (None, "", False):
        planned.fills[name] = value
    elif not isinstance(value, bool):
        kept(planned, name, current, value)


def fill_town(planned: Planned, current: Locality | None, town: Locality | Place | None) -> None:
    """Fill an empty town; note a different one that is kept."""
    if town is None or (current is not None and same_town(town, current)):
        return
    if current is None:
        planned.fills["town"] = town
    else:
        kept(planned, "town", current, town)


def settle(planned: Planned) -> None:
    """A matched row updates its record if it fills something, else leaves it unchanged."""
    planned.action = UPDATE if planned.fills else UNCHANGED


MATCHED_AT_ONCE = 1_000


def compare_matched(plan: Plan, load: Callable[[Iterable[int]], dict[int, Any]],
                    compare: Callable[[Planned, Any], None]) -> None:
    """Compare the rows that match stored records with them, loading MATCHED_AT_ONCE records at a time;
    the records that will change are kept in plan.records, the others let go."""
    matched = plan.rows_to(UPDATE)
    for start in range(0, len(matched), MATCHED_AT_ONCE):
        batch = matched[start:start + MATCHED_AT_ONCE]
        records = load(planned.record_id for planned in batch)
        for planned in batch:
            compare(planned, records[planned.record_id])
            if planned.action == UPDATE:
                plan.records[planned.record_id] = records[planned.record_id]


def some_of(people: list[PersonKeys]) -> str:
    """A few of the people a name matches: "Anna Nowak <a@example.org>; Anna Nowak; …"."""
    shown = "; ".join(person.label for person in people[:NAMESAKES_SHOWN])
    return shown + ("; …" if len(people) > NAMESAKES_SHOWN else "")

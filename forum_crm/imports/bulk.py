"""Bulk writes of imports: new records go in with Core executemany, WRITE_BATCH rows a statement.

Each new organisation is first built as a transient model object (never added to the session), so the model's
@validates hooks derive its keys (search text, sort key, lower-cased e-mail) and the change-log readers see it as
the ORM path would. A new person, the bulk of large files, is a NewPerson instead: its keys derived by the same
functions as Person's validators, without the ORM's instrumented attributes. Their column values are then inserted
with Core, with their consent history, affiliations and change-log entries. The database's triggers keep the search
indexes; the duplicate finder's name keys are stored by store_names, as the ORM's flush hook would.
"""

import json
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from forum_crm.changelog import Fields, change_author, change_values, new_values
from forum_crm.extensions import db
from forum_crm.models import ChangeLogEntry, Locality, Person
from forum_crm.models.base import utcnow
from forum_crm.models.directory import person_keys, phone_key, stored_email
from forum_crm.models.duplicates import store_names

Row = dict[str, Any]


def new_person_columns(values: Row) -> Row:
    """The columns of a new person written without a Person object: `values`, with the e-mail as stored and the keys
    Person's validators derive from the name, the e-mail and the phone."""
    email = stored_email(values.get("email"))
    return {**values, "email": email, **person_keys(values.get("first_name"), values.get("last_name"), email),
            "phone_key": phone_key(values.get("phone"))}


class NewPerson:
    """A person an import inserts, without a Person object: setting and reading the ORM's instrumented attributes
    of 10,000 people cost a third of the write. It holds the columns given (with the keys new_person_columns derives,
    as Person's validators would), reads None for any other column as a new Person does, and gets its id and
    version once inserted; the change log reads it as it reads a Person."""

    columns = frozenset(attribute.key for attribute in sa.inspect(Person).column_attrs)

    def __init__(self, values: Row, locality: Locality | None):
        self.__dict__.update(new_person_columns(values), locality=locality)

    def __getattr__(self, name: str) -> None:  # only asked for what __init__ did not set
        if name in NewPerson.columns:
            return None
        raise AttributeError(name)

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


def record_rows(records: Sequence[Any], model: type) -> list[Row]:
    """The column values of new records (transient model objects or NewPerson), as one executemany's parameters (the
    same keys in every row).

    A column none of the records set is left to its default; the record's town (a stored locality, or None:
    people and organisations both have one) gives its foreign key."""
    mapper = sa.inspect(model)
    columns = {attr.key: attr.columns[0].name for attr in mapper.column_attrs if attr.key != "id"}
    keys = sorted(set().union(*(record.__dict__.keys() & columns.keys() for record in records)))
    # Read from each record's dictionary: a column the record was not given is None, as getattr gives it on a
    # transient record, without SQLAlchemy's instrumented read of each of 30 columns.
    rows = [{columns[key]: values.get(key) for key in keys} for values in (vars(record) for record in records)]
    for row, record in zip(rows, records, strict=True):
        row["locality_id"] = record.locality.id if record.locality is not None else None
    return rows


def insert_records(records: Sequence[Any], model: type) -> None:
    """Insert new records (at least one) in one statement (on SQLite, a few of up to 32,766 parameters);
    each gets its new id and version. The rows are inserted in the records' order and each new id is larger than
    the last (a sequence on PostgreSQL; on SQLite, one more than the largest rowid), so the ids RETURNING gives,
    sorted, are the records' in order. (SQLAlchemy's sort_by_parameter_order has no sentinel to sort by on
    SQLite and inserted one row a statement: twice the CPU.)"""
    table, rows = model.__table__, record_rows(records, model)
    if _by_arrays():
        inserted = sorted(db.session.execute(_from_arrays(table, rows).returning(table.c.id, table.c.version)))
    else:
        inserted = sorted(db.session.execute(sa.insert(table).returning(table.c.id, table.c.version), rows))
    for record, (new_id, version) in zip(records, inserted, strict=True):
        record.id, record.version = new_id, version


def insert_rows(table: sa.Table, rows: list[Row]) -> None:
    """One Core executemany of `rows` into `table`, if there are any. (Not from arrays on PostgreSQL: psycopg
    writes an array of text in Python, escaping each element; for the change log's JSON that cost more than
    executemany, so the change log goes in from one JSON document instead: insert_log_rows.)"""
    if rows:
        db.session.execute(sa.insert(table), rows)


def _by_arrays() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _from_arrays(table: sa.Table, rows: list[Row]) -> sa.Insert:
    """PostgreSQL: INSERT ... SELECT from unnest() of one array a column, in the rows' order (ORDER BY their
    ordinality: the ids the sequence gives follow it, as SQLAlchemy's own batched inserts assume). A statement of
    one parameter a column, not one a cell: psycopg converts every placeholder of a statement in Python (a
    1,000-row batch of people had 30,000), which cost about as much as the rest of the write."""
    names = list(rows[0])
    arrays = [sa.cast(sa.bindparam(f"{name}_values", [row[name] for row in rows], type_=ARRAY(table.c[name].type)),
                      ARRAY(table.c[name].type)) for name in names]
    values = sa.func.unnest(*arrays).table_valued(*names, with_ordinality="position").render_derived()
    return sa.insert(table).from_select(names, sa.select(*(values.c[name] for name in names))
                                        .order_by(values.c.position))


def insert_log_rows(rows: list[Row]) -> None:
    """Change-log entries (change_values' columns), if there are any: on PostgreSQL in one statement from one JSON
    document, else as insert_rows does. (psycopg's executemany converted each entry's parameters in Python and
    sent one INSERT an entry, which the server ran one by one: 20,000 for 10,000 imported people.)"""
    if rows and _by_arrays():
        db.session.execute(_log_from_json(rows))
    else:
        insert_rows(ChangeLogEntry.__table__, rows)


def _log_from_json(rows: list[Row]) -> sa.Insert:
    """PostgreSQL: INSERT ... SELECT from json_array_elements() of the entries, in their order, all at one moment.
    Each entry's changes are the JSON text json.dumps gives them, as the JSON column's own parameter would be
    (`->` of a json value reproduces it exactly); integers are cast, text goes in as text (too long still fails)."""
    table, names = ChangeLogEntry.__table__, list(rows[0])
    document = sa.cast(sa.bindparam("entries", json.dumps(rows), type_=sa.Text), sa.JSON)
    entries = sa.func.json_array_elements(document).table_valued("value", with_ordinality="position").render_derived()

    def read(name: str) -> sa.ColumnElement[Any]:
        if name == "changes":
            return entries.c.value.op("->")(name)
        text = entries.c.value.op("->>")(name)
        return sa.cast(text, table.c[name].type) if isinstance(table.c[name].type, sa.Integer) else text

    moment = sa.bindparam("occurred_at", utcnow(), type_=table.c.occurred_at.type)
    return sa.insert(table).from_select(["occurred_at", *names], sa.select(moment, *(read(name) for name in names))
                                        .order_by(entries.c.position))


def log_created(entity_type: str, records: Sequence[Any], fields: Fields, action: str = "imported") -> None:
    """One change-log entry per inserted record with every value it was created with (as log_saved does)."""
    author = change_author()
    insert_log_rows([change_values(entity_type, record, action, new_values(record, fields), author)
                     for record in records])


def log_added(entity_type: str, parents: Sequence[Any], children: Sequence[Any], fields: Fields,
              action: str) -> None:
    """One change-log entry on each parent for a record added to it (e.g. "affiliation_added")."""
    author = change_author()
    insert_log_rows([change_values(entity_type, parent, action, new_values(child, fields), author)
                     for parent, child in zip(parents, children, strict=True)])


def store_person_names(people: Sequence[Any]) -> None:
    """The duplicate finder's name keys of inserted people (the ORM's flush hook does not see Core inserts)."""
    store_names(db.session.connection(), {(person.first_key, person.last_key) for person in people})


def affiliation_row(person_id: int, organisation: Any, role_title: str | None, is_primary: bool) -> tuple[Row, Any]:
    """An affiliation's columns, and what the change log reads of it (its organisation's name, its fields)."""
    row = {"person_id": person_id, "organisation_id": organisation.id, "role_title": role_title,
           "is_primary": is_primary, "started_on": None, "ended_on": None}
    return row, SimpleNamespace(organisation=organisation, **{key: row[key] for key in
                                                              ("role_title", "is_primary", "started_on", "ended_on")})

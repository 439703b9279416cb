"""Figures kept between requests until the tables they read change: list totals, the demo banner's counts, the
menu's count of changes to review, the home page's numbers.

Every transaction that writes through the app's session bumps, as it commits, the version of each table it wrote
(`table_version`: one row a table). The statements are seen on the connection (ORM flushes, Core inserts and bulk
deletes alike); a delete also bumps the tables whose rows the database deletes or updates with it (ON DELETE).
A kept figure is keyed by its statement (SQL and values) and stored with the versions of the tables it reads;
reading the versions is one small query a request. A figure older than MAX_AGE seconds is computed again, a bound
on staleness for writes the app does not make (psql, a migration) and for the date moving on.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import find_tables

from forum_crm.extensions import db
from forum_crm.models import TableVersion

MAX_AGE = 300.0
KEPT_FIGURES = 1024
_WRITTEN = "forum_crm.written_tables"  # in Connection.info: the tables the open transaction wrote


def kept_scalar(statement: sa.Select) -> Any:
    """The statement's one value, computed once per version of the tables it reads."""
    return _kept(statement, lambda: db.session.execute(statement).scalar_one())


def kept_row(statement: sa.Select) -> sa.Row:
    """The statement's one row, computed once per version of the tables it reads."""
    return _kept(statement, lambda: db.session.execute(statement).one())


def table_versions() -> dict[str, int]:
    """The version of every table written since the database was made, read at most once a request."""
    if has_request_context() and "table_versions" in g:
        return g.table_versions
    versions = dict(db.session.execute(sa.select(TableVersion.name, TableVersion.version)).tuples().all())
    if has_request_context():
        g.table_versions = versions
    return versions


class KeptFigures:
    """A process's kept figures: statement key -> (versions of its tables, when computed, value); least recently
    used ones go first."""

    def __init__(self, size: int = KEPT_FIGURES, max_age: float = MAX_AGE):
        self.size, self.max_age = size, max_age
        self._entries: OrderedDict[Hashable, tuple[tuple, float, Any]] = OrderedDict()
        self._tables: dict[Hashable, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def tables_read(self, structure: Hashable, statement: sa.Select) -> tuple[str, ...]:
        """The names of the tables a statement of this structure reads, subqueries and aliases included (found
        once a structure: walking a statement costs more than the look-up it saves)."""
        if structure not in self._tables:
            if len(self._tables) >= self.size:  # bounded, though the app's statements have few structures
                self._tables.clear()
            names = set()
            for found in find_tables(statement, check_columns=True, include_aliases=True):
                table = found
                while isinstance(table, sa.Alias):
                    table = table.element
                if isinstance(table, sa.Table):
                    names.add(table.name)
            self._tables[structure] = tuple(sorted(names))
        return self._tables[structure]

    def get(self, key: Hashable, versions: tuple, compute: Callable[[], Any]) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == versions and time.monotonic() - entry[1] < self.max_age:
                self._entries.move_to_end(key)
                return entry[2]
        value = compute()
        with self._lock:
            self._entries[key] = (versions, time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value


def _kept(statement: sa.Select, compute: Callable[[], Any]) -> Any:
    cache_key = statement._generate_cache_key()  # SQLAlchemy's own: the SQL's structure, and its values
    if cache_key is None:
        return compute()
    figures = current_app.extensions.setdefault("forum_crm.kept_figures", KeptFigures())
    tables = figures.tables_read(cache_key.key, statement)
    if not tables:
        return compute()
    values = tuple(tuple(value) if isinstance(value, list) else value
                   for value in (parameter.effective_value for parameter in cache_key.bindparams))
    versions = table_versions()
    return figures.get((cache_key.key, values), tuple(versions.get(name, 0) for name in tables), compute)


def mark_all_changed(connection: sa.Connection) -> None:
    """Give every table a version no process has seen: the time in nanoseconds (counters stay far below it). A
    restore calls it, since the restored rows carry the versions they had when the backup was made."""
    now = time.time_ns()
    connection.execute(sa.delete(TableVersion))
    connection.execute(sa.insert(TableVersion), [{"name": name, "version": now} for name in sorted(db.metadata.tables)])


def track_table_versions(engine: sa.Engine) -> None:
    """Record the tables each transaction on `engine` writes, and bump their versions as a session commits."""
    deleted_with = _deleted_with(db.metadata)

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _note_write(connection, _cursor, _statement, _parameters, context, _executemany):
        compiled = getattr(context, "compiled", None)
        if compiled is None or not (context.isinsert or context.isupdate or context.isdelete):
            return
        table = getattr(compiled.statement, "table", None)
        if isinstance(table, sa.Table) and table.name != TableVersion.__tablename__:
            written = connection.info.setdefault(_WRITTEN, set())
            written.add(table.name)
            if context.isdelete:
                written.update(deleted_with.get(table.name, ()))

    @sa.event.listens_for(engine, "rollback")
    @sa.event.listens_for(engine, "commit")
    def _forget_writes(connection):
        connection.info.pop(_WRITTEN, None)

    @sa.event.listens_for(Session, "before_commit")
    def _bump_versions(session):
        if not session.in_transaction() or session.get_bind() is not engine:
            return
        session.flush()
        connection = session.connection()
        written = connection.info.pop(_WRITTEN, None)
        if written:
            connection.execute(_bump(connection.dialect.name, sorted(written)))

    @sa.event.listens_for(Session, "after_commit")
    def _forget_versions(_session):
        if has_request_context():
            g.pop("table_versions", None)


def _bump(dialect: str, tables: list[str]) -> sa.Insert:
    """Add one to each table's version (in name order, so concurrent writers lock the rows in the same order)."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(TableVersion)
    return insert.values([{"name": name, "version": 1} for name in tables]).on_conflict_do_update(
        index_elements=[TableVersion.name], set_={"version": TableVersion.version + 1})


def _deleted_with(metadata: sa.MetaData) -> dict[str, set[str]]:
    """For each table, the tables whose rows a delete from it deletes or updates (ON DELETE), transitively."""
    direct: dict[str, set[str]] = {}
    for table in metadata.tables.values():
        for key in table.foreign_keys:
            if key.ondelete:
                direct.setdefault(key.column.table.name, set()).add(table.name)
    closure = {}
    for name in direct:
        reached, todo = set(), [name]
        while todo:
            for nxt in direct.get(todo.pop(), ()):
                if nxt not in reached:
                    reached.add(nxt)
                    todo.append(nxt)
        closure[name] = reached
    return closure

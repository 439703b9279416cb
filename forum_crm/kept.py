"""What is kept between requests until the tables it was made from change: list totals, the demo banner's counts,
the menu's count of changes to review (figures), and the content of the busiest lists and reports (HTML).

Every transaction that writes through the app's session bumps, as it commits, the version of each table it wrote
(`table_version`: one row a table). The statements are seen on the connection (ORM flushes, Core inserts and bulk
deletes alike); a delete also bumps the tables whose rows the database deletes or updates with it (ON DELETE), and a
write to a table whose demo rows or rows are counted (DEMO_COUNTED, ROW_COUNTED) bumps demo_count or row_count, which
its triggers write.
A kept figure is keyed by its statement (SQL and values) and stored with the versions of the tables it reads;
reading the versions is one small query a request. A page's content is stored with the tables of every statement
that ran (or kept figure that was used) while it was rendered. Anything older than MAX_AGE seconds is made again,
a bound on staleness for writes the app does not make (psql, a migration).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import find_tables

from forum_crm.extensions import db
from forum_crm.models import DEMO_COUNTED, ROW_COUNTED, DemoCount, RowCount, TableVersion

MAX_AGE = 300.0
KEPT_ENTRIES = 1024
_WRITTEN = "forum_crm.written_tables"  # in Connection.info: the tables the open transaction wrote
# While kept_html renders, the tables every statement read (UNKNOWN_TABLES if a statement's could not be told).
_reading: ContextVar[set[str] | None] = ContextVar("forum_crm.tables_read", default=None)
UNKNOWN_TABLES = "?"
MISSING = object()  # Kept.get: nothing kept, or out of date
# Statements every request runs are built once: SQLAlchemy works out a statement's cache key once per statement
# object (walking the statement, which costs more than building it), so a statement built anew pays both each time.
_VERSIONS = sa.select(TableVersion.__table__.c.name, TableVersion.__table__.c.version)


def kept_scalar(statement: sa.Select) -> Any:
    """The statement's one value, computed once per version of the tables it reads."""
    return _kept(statement, lambda: _figures(statement).scalar_one())


def kept_row(statement: sa.Select) -> sa.Row:
    """The statement's one row, computed once per version of the tables it reads."""
    return _kept(statement, lambda: _figures(statement).one())


def kept_rows(statement: sa.Select) -> tuple[sa.Row, ...]:
    """The statement's rows, read once per version of the tables it reads."""
    return _kept(statement, lambda: tuple(_figures(statement).all()))


def _figures(statement: sa.Select) -> sa.CursorResult:
    """A kept figure's statement run on the session's connection: its values are plain (never records, which could
    not outlive the session), and the ORM's handling of a statement of mapped columns cost as much again as running
    a count of an index (0.1-0.2 ms; three figures a page)."""
    return db.session.connection().execute(statement)


def table_versions() -> dict[str, int]:
    """The version of every table written since the database was made, read at most once a request."""
    if has_request_context() and "table_versions" in g:
        return g.table_versions
    versions = dict(db.session.execute(_VERSIONS).tuples().all())
    if has_request_context():
        g.table_versions = versions
    return versions


class Kept:
    """What a process keeps: key -> (the tables it was made from, their versions then, when, value); the least
    recently used entries go first. An entry is served while its tables keep those versions, for MAX_AGE at most."""

    def __init__(self, size: int = KEPT_ENTRIES, max_age: float = MAX_AGE):
        self.size, self.max_age = size, max_age
        self._entries: OrderedDict[Hashable, tuple[tuple[str, ...], tuple, float, Any]] = OrderedDict()
        self._tables: dict[Hashable, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def tables_read(self, structure: Hashable, statement: sa.Executable) -> tuple[str, ...]:
        """The tables a statement of this structure reads (found once a structure: walking a statement costs
        more than the look-up it saves)."""
        if structure not in self._tables:
            if len(self._tables) >= self.size:  # bounded, though the app's statements have few structures
                self._tables.clear()
            self._tables[structure] = tables_of(statement)
        return self._tables[structure]

    def get(self, key: Hashable, versions: Callable[[], dict[str, int]]) -> Any:
        """The value kept under `key` if its tables have not changed since (else MISSING)."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[2] >= self.max_age:
            return MISSING
        current = versions()
        if tuple(current.get(name, 0) for name in entry[0]) != entry[1]:
            return MISSING
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
        return entry[3]

    def put(self, key: Hashable, tables: tuple[str, ...], versions: dict[str, int], value: Any) -> None:
        """Keep `value`, made from `tables` when they had `versions`."""
        entry = (tables, tuple(versions.get(name, 0) for name in tables), time.monotonic(), value)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _kept_store() -> Kept:
    return current_app.extensions.setdefault("forum_crm.kept", Kept())


def _kept(statement: sa.Select, compute: Callable[[], Any]) -> Any:
    cache_key = statement._generate_cache_key()  # SQLAlchemy's own: the SQL's structure, and its values
    if cache_key is None:
        return compute()
    store = _kept_store()
    tables = store.tables_read(cache_key.key, statement)
    if not tables:
        return compute()
    reading = _reading.get()
    if reading is not None:  # a kept page's content uses this figure: it depends on these tables too
        reading.update(tables)
    values = tuple(tuple(value) if isinstance(value, list) else value
                   for value in (parameter.effective_value for parameter in cache_key.bindparams))
    key = ("figure", cache_key.key, values)
    value = store.get(key, table_versions)
    if value is MISSING:
        versions = table_versions()  # read before computing: a write meanwhile leaves the entry out of date
        value = compute()
        store.put(key, tables, versions, value)
    return value


def kept_html(key: Hashable, render: Callable[[], str]) -> str:
    """What `render` renders (a page's content), kept until a table that any of its statements read changes. Its
    key must name everything else the HTML depends on (the address, the language, the reader's role, the day), and
    `render` must read what it shows with statements of its own: a record already in the session (session.get,
    a relationship loaded earlier) runs none, so its table would not be recorded."""
    store = _kept_store()
    html = store.get(("html", key), table_versions)
    if html is not MISSING:
        return html
    versions = table_versions()
    tables: set[str] = set()
    token = _reading.set(tables)
    try:
        html = render()
    finally:
        _reading.reset(token)
    if UNKNOWN_TABLES not in tables:
        store.put(("html", key), tuple(sorted(tables)), versions, html)
    return html


def kept_content(render: Callable[[], str]) -> str:
    """kept_html for the content of this request's page, which depends on its address (with the query), the
    reader's language and role and the day, besides the data."""
    key = (request.full_path, str(get_locale()), getattr(current_user, "role", None), date.today())
    return Markup(kept_html(key, render))


def tables_of(statement: sa.Executable) -> tuple[str, ...]:
    """The names of the tables a statement reads, subqueries and aliases included."""
    names = set()
    for found in find_tables(statement, check_columns=True, include_aliases=True):
        table = found
        while isinstance(table, sa.Alias):
            table = table.element
        if isinstance(table, sa.Table):
            names.add(table.name)
    return tuple(sorted(names))


def mark_all_changed(connection: sa.Connection) -> None:
    """Give every table a version no process has seen: the time in nanoseconds (counters stay far below it). A
    restore calls it, since the restored rows carry the versions they had when the backup was made."""
    now = time.time_ns()
    connection.execute(sa.delete(TableVersion))
    connection.execute(sa.insert(TableVersion), [{"name": name, "version": now} for name in sorted(db.metadata.tables)])


def track_table_versions(engine: sa.Engine) -> None:
    """Record on the connection the tables each transaction on `engine` writes (a session then bumps their versions
    as it commits), and the tables read while kept_html renders."""
    deleted_with = _deleted_with(db.metadata)
    counted_in: dict[str, set[str]] = {}  # the tables the database's triggers write with each
    for counted, counter in ((DEMO_COUNTED, DemoCount.__tablename__), (ROW_COUNTED, RowCount.__tablename__)):
        for name in counted:
            counted_in.setdefault(name, set()).add(counter)
    read_by: dict[str, tuple[str, ...]] = {}  # SQL -> the tables it reads (walking a statement costs ~0.3 ms)

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _note_statement(connection, _cursor, statement, _parameters, context, _executemany):
        compiled = getattr(context, "compiled", None)
        if compiled is None or not (context.isinsert or context.isupdate or context.isdelete):
            reading = _reading.get()
            if reading is not None:  # the statement as compiled: an ORM query's eager loads join more tables
                tables = read_by.get(statement) if compiled is not None else ()
                if tables is None:
                    if len(read_by) >= KEPT_ENTRIES:
                        read_by.clear()
                    state = getattr(compiled, "compile_state", None)
                    read_by[statement] = tables = tables_of(getattr(state, "statement", compiled.statement))
                reading.update(tables or (UNKNOWN_TABLES,))
            return
        table = getattr(compiled.statement, "table", None)
        if isinstance(table, sa.Table) and table.name != TableVersion.__tablename__:
            written = connection.info.setdefault(_WRITTEN, set())
            written.add(table.name)
            if context.isdelete:
                written.update(deleted_with.get(table.name, ()))
            for name in written.intersection(counted_in):
                written.update(counted_in[name])

    @sa.event.listens_for(engine, "rollback")
    @sa.event.listens_for(engine, "commit")
    def _forget_writes(connection):
        connection.info.pop(_WRITTEN, None)


@sa.event.listens_for(Session, "before_commit")
def _bump_versions(session: Session) -> None:
    """As a session commits, bump the versions of the tables its transaction wrote (as its connection recorded)."""
    if not session.in_transaction():
        return
    session.flush()
    connection = session.connection()
    written = connection.info.pop(_WRITTEN, None)
    if written:
        connection.execute(_bump(connection.dialect.name, sorted(written)))


@sa.event.listens_for(Session, "after_commit")
def _forget_versions(_session: Session) -> None:
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

"""Copying a database out and back in: SQLite through its online backup API, PostgreSQL with pg_dump and
pg_restore; counting the rows of every table (reflected, so it works at any schema revision)."""

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from forum_crm.backup.archive import BackupRefused
from forum_crm.schema import database_revisions
from forum_crm.search import is_search_index

VERSION_TABLE = "alembic_version"
BOOKKEEPING_TABLES = frozenset({"worker_run", "login_attempt", "table_version"})
# libpq reads these from the environment: no password on a command line (where `ps` shows it).
LIBPQ_QUERY = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
               "host": "PGHOST", "port": "PGPORT", "connect_timeout": "PGCONNECT_TIMEOUT"}


class BackupFailed(Exception):
    """A backup or restore could not be made (a tool is missing or failed, the disk is full): the message says why."""


@dataclass(frozen=True)
class Snapshot:
    """What a database held at one moment: its revision(s) and rows per table."""

    revisions: list[str]
    tables: dict[str, int]


def count_rows(connection: sa.Connection) -> dict[str, int]:
    """Rows in every table but Alembic's and the search indexes' (derived, rebuilt by their triggers), by name
    (reflected: today's models may not match an older schema)."""
    names = sorted(name for name in set(sa.inspect(connection).get_table_names()) - {VERSION_TABLE}
                   if not is_search_index(name))
    return {name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name))) for name in names}


def snapshot_of(connection: sa.Connection) -> Snapshot:
    return Snapshot(sorted(database_revisions(connection)), count_rows(connection))


def is_empty(connection: sa.Connection) -> bool:
    """No table holds data: a database just made by `db upgrade` is empty, and stays so when the mail worker
    has run, someone failed to log in or a write bumped a table's version (their rows are no data to lose)."""
    return not any(rows for name, rows in count_rows(connection).items() if name not in BOOKKEEPING_TABLES)


def drop_all_tables(engine: sa.Engine) -> None:
    """Remove every table (Alembic's too), so a restore starts from nothing."""
    metadata = sa.MetaData()
    with engine.begin() as connection:
        metadata.reflect(connection)
        if engine.dialect.name == "postgresql":
            for table in metadata.tables.values():
                connection.execute(sa.text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
        else:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            metadata.drop_all(connection)


# SQLite

def copy_sqlite(engine: sa.Engine, destination: Path) -> Snapshot:
    """A consistent copy of the SQLite database while it is in use: the online backup API copies every page in
    one step, under one read transaction, so writers go on and the copy is of one moment. Counted in the copy."""
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(destination)
        try:
            source.driver_connection.backup(copy)
        finally:
            copy.close()
    except sqlite3.OperationalError as error:
        raise BackupFailed(f"The database could not be copied: {error}.") from error
    finally:
        source.close()
    copied = sa.create_engine(f"sqlite:///{destination}", poolclass=sa.pool.NullPool)
    with copied.connect() as connection:
        return snapshot_of(connection)


def check_sqlite_file(path: Path) -> None:
    """BackupRefused unless `path` is an intact SQLite database."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"The backup's database is damaged ({error}).") from None
    if result != ("ok",):
        raise BackupRefused(f"The backup's database is damaged ({result[0]}).")


def restore_sqlite(engine: sa.Engine, source: Path) -> None:
    """Replace the whole SQLite database with `source`, page by page, through the backup API."""
    engine.dispose()
    target = engine.raw_connection()
    try:
        copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            copy.backup(target.driver_connection)
        finally:
            copy.close()
    finally:
        target.close()
    engine.dispose()


# PostgreSQL

def libpq_environment(engine: sa.Engine) -> dict[str, str]:
    """The environment for pg_dump/pg_restore to reach the app's database (PGHOST, PGUSER, PGPASSWORD...)."""
    url = engine.url
    values = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username, "PGPASSWORD": url.password,
              "PGDATABASE": url.database}
    values.update({LIBPQ_QUERY[key]: value for key, value in url.query.items() if key in LIBPQ_QUERY})
    return {**os.environ, **{key: str(value) for key, value in values.items() if value not in (None, "")}}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupFailed(f"{name} is not installed: install the PostgreSQL client of the server's version "
                           "(Debian: apt-get install postgresql-client-15).")
    return path


def _major_version(tool: str) -> int:
    output = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else 0


def check_client_version(connection: sa.Connection, tool: str) -> None:
    """pg_dump cannot dump a server newer than itself: say so before trying."""
    server = int(connection.scalar(sa.text("SHOW server_version_num"))) // 10000
    client = _major_version(tool)
    if client < server:
        raise BackupFailed(f"{Path(tool).name} is version {client} but the server is PostgreSQL {server}: install "
                           f"postgresql-client-{server}.")


def dump_postgresql(engine: sa.Engine, destination: Path) -> Snapshot:
    """`pg_dump -Fc` of one moment: a read-only repeatable-read transaction exports its snapshot, rows are counted
    in it, and pg_dump is given the same snapshot, so the counts are those of the dump even while the app writes."""
    pg_dump = _tool("pg_dump")
    with engine.connect() as probe:
        check_client_version(probe, pg_dump)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ",
                                            postgresql_readonly=True) as connection, connection.begin():
        snapshot_id = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
        snapshot = snapshot_of(connection)
        _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot_id}",
              f"--file={destination}"], engine, "pg_dump")
    return snapshot


def check_postgresql_dump(engine: sa.Engine, path: Path) -> None:
    """BackupRefused unless pg_restore can read the dump's table of contents."""
    result = subprocess.run([_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True,
                            env=libpq_environment(engine), check=False)
    if result.returncode != 0:
        raise BackupRefused(f"The backup's database dump is damaged: {result.stderr.strip()}")


def restore_postgresql(engine: sa.Engine, dump: Path) -> None:
    """pg_restore into the app's (emptied) database, in one transaction: a failure leaves it as it was.
    --clean also replaces what is not a table (the SQL function one_edit_apart)."""
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          "--clean", "--if-exists",
          f"--dbname={engine.url.database}", str(dump)], engine, "pg_restore")
    engine.dispose()


def _run(command: list[str], engine: sa.Engine, name: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=libpq_environment(engine), check=False)
    if result.returncode != 0:
        raise BackupFailed(f"{name} failed: {result.stderr.strip() or f'exit status {result.returncode}'}")

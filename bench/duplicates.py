"""Benchmark of the duplicate finder and of a merge, at 100,000 demo people and 10,000 organisations.

    .venv/bin/python -m bench.duplicates                       # SQLite, in a temporary file
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python -m bench.duplicates

Times the first page of the finder (the query, and the whole page through the test client) and a merge of a
person with 50 participations into another: wall time and this process's CPU time (the machine may be shared).
On PostgreSQL on the same machine the server's CPU time for this database is shown too (from /proc), since the
query runs there. Each row of the Markdown table is printed as soon as it is measured. A figure whose first run
takes longer than SLOW_SECONDS is not repeated, and a statement still running after BENCH_TIMEOUT seconds (default
600) is stopped and reported as such, so that a slow version finishes too.
"""

import os
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import sqlalchemy as sa
from flask import has_app_context

from bench.cpu import process_cpu
from bench.run import BENCH_LOGIN, network_app
from forum_crm.duplicates.merging import merge_people
from forum_crm.duplicates.queries import person_pairs
from forum_crm.extensions import db
from forum_crm.models import Edition, Participation, Person
from forum_crm.pagination import PER_PAGE

REPEATS = 5
SLOW_SECONDS = 10
TIMEOUT_SECONDS = int(os.environ.get("BENCH_TIMEOUT", "600"))


def timed(action: Callable[[], object], repeats: int = REPEATS) -> str:
    """Median wall time and median CPU time of this process (and of the PostgreSQL server's processes for this
    database, when it runs on this machine) over `repeats` runs, as "wall ms (CPU ms, server CPU ms)"."""
    wall, cpu, server = [], [], []
    for _ in range(repeats):
        started, started_cpu, started_server = time.perf_counter(), time.process_time(), server_cpu_seconds()
        try:
            action()
        except (sa.exc.OperationalError, Stopped):
            if has_app_context():  # a page's request has rolled its session back itself
                db.session.rollback()
            return f"stopped after {time.perf_counter() - started:.0f} s (BENCH_TIMEOUT)"
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if started_server is not None:
            server.append((server_cpu_seconds() - started_server) * 1000)
        if wall[-1] > SLOW_SECONDS * 1000:
            break
    runs = "" if len(wall) == repeats else f", {len(wall)} run"
    on_server = f", {statistics.median(server):.0f} ms server CPU" if server else ""
    return f"{statistics.median(wall):.0f} ms ({statistics.median(cpu):.0f} ms CPU{on_server}){runs}"


_monitor: list = []  # a connection of its own that lists the server's processes for this database


def server_cpu_seconds() -> float | None:
    """CPU time used so far by the PostgreSQL server processes serving this database, read from /proc (so only
    when the server runs on this machine); None for SQLite or a server elsewhere."""
    if not _monitor:
        return None
    pids = [row[0] for row in _monitor[0].execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]
    return sum(process_cpu(pid) for pid in pids)


def _watch_server(url: str) -> None:
    if url.startswith("postgresql") and Path("/proc/self/stat").exists():
        connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        if any(Path(f"/proc/{row[0]}/stat").exists() for row in connection.execute("SELECT pg_backend_pid()")):
            _monitor.append(connection)


class Stopped(Exception):
    """A page answered with an error: its statement was stopped after TIMEOUT_SECONDS."""


def _page(client, path: str) -> None:
    if client.get(path).status_code != 200:
        raise Stopped(path)


def _stop_slow_statements(engine: sa.Engine) -> None:
    """A statement running longer than TIMEOUT_SECONDS fails (OperationalError) instead of running on."""
    if engine.dialect.name == "postgresql":
        @sa.event.listens_for(engine, "connect")
        def _set_timeout(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {TIMEOUT_SECONDS * 1000}")
        return

    @sa.event.listens_for(engine, "begin")
    def _start_clock(connection):
        deadline = time.monotonic() + TIMEOUT_SECONDS
        raw = connection.connection.dbapi_connection
        if isinstance(raw, sqlite3.Connection):
            raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 100_000)


def report(what: str, value: str) -> None:
    print(f"| {what} | {value} |", flush=True)


def _first_page() -> int:
    return len(db.session.execute(person_pairs().limit(PER_PAGE)).all())


def _person_with_participations(count: int) -> tuple[int, int]:
    """A person in `count` editions and a twin of theirs in some of them: the pair to merge."""
    editions = db.session.scalars(sa.select(Edition.id).order_by(Edition.id).limit(count)).all()
    person = Person(first_name="Ołena", last_name="Szewczenko")
    twin = Person(first_name="Olena", last_name="Szewczenko")
    db.session.add_all([person, twin])
    db.session.flush()
    db.session.add_all([Participation(edition_id=edition_id, person_id=twin.id) for edition_id in editions])
    db.session.add_all([Participation(edition_id=edition_id, person_id=person.id) for edition_id in editions[::3]])
    db.session.commit()
    return person.id, twin.id


def main() -> None:
    app = network_app(REPEATS)
    with app.app_context():
        db.engine.dispose()  # new connections get the statement timeout
        _stop_slow_statements(db.engine)
        _watch_server(app.config["SQLALCHEMY_DATABASE_URI"])
        report("finder query, first page of people", timed(_first_page))
    client = app.test_client()
    client.post("/login", data=dict(zip(("email", "password"), BENCH_LOGIN, strict=True)))
    for path in ("/duplicates/people", "/duplicates/organisations"):
        report(f"GET {path} (first page, with its count)", timed(lambda path=path: _page(client, path)))
    report(*_merge_timing(app))


def _merge_timing(app) -> tuple[str, str]:
    """One merge of a person with 50 participations (a merge cannot be repeated on the same pair)."""
    with app.test_request_context():
        kept_id, twin_id = _person_with_participations(50)

        def merge() -> None:
            merge_people(db.session.get(Person, kept_id), db.session.get(Person, twin_id), set())
            db.session.commit()

        return "merge of a person with 50 participations (once)", timed(merge, repeats=1)


if __name__ == "__main__":
    main()

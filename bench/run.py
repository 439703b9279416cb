"""Benchmarks at 1,000 times today's network: 100,000 people, 10,000 organisations, 50 editions.

    make bench                                    # SQLite, in a temporary file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/forum_crm_bench make bench

The PostgreSQL database is emptied and rebuilt. Results go to standard output as a Markdown
table; docs/performance.md keeps the numbers measured on the project's machine.
"""

import os
import statistics
import tempfile
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from forum_crm import create_app
from forum_crm.auth.services import create_user
from forum_crm.config import with_psycopg_driver
from forum_crm.extensions import db
from forum_crm.models import Role
from forum_crm.reports.queries import network_numbers
from forum_crm.seeding.demo import generate_demo_network, refresh_statistics
from forum_crm.seeding.report import seed_report

PEOPLE, ORGANISATIONS, EDITIONS = 100_000, 10_000, 50
REPEATS = 20


def median_ms(action: Callable[[], object], repeats: int = REPEATS) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def fresh_database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    url = with_psycopg_driver(url)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


BENCH_LOGIN = ("bench@example.org", "bench password 123")  # the coordinator network_app() creates


def network_app(repeats: int, **config) -> Flask:
    """An app on a fresh bench database at head with the report's facts, the demo network of PEOPLE people,
    ORGANISATIONS organisations and EDITIONS editions, and a coordinator (BENCH_LOGIN); prints the head of the
    Markdown table the benchmarks write (wall time and CPU time of this process)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(), "WTF_CSRF_ENABLED": False, **config})
    print(f"\nDatabase: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; median of {repeats} runs\n")
    print("| what | wall time (CPU time of this process) |\n| --- | --- |", flush=True)
    with app.app_context():
        upgrade()
        seed_report()
        generate_demo_network(PEOPLE, ORGANISATIONS, seed=1, editions=EDITIONS)
        db.session.commit()
        refresh_statistics()
        create_user(*BENCH_LOGIN, Role.COORDINATOR)
        db.session.commit()
    return app


def main() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(), "WTF_CSRF_ENABLED": False})
    results = []
    with app.app_context():
        upgrade()
        seed_report()
        started = time.perf_counter()
        generate_demo_network(PEOPLE, ORGANISATIONS, seed=1, editions=EDITIONS)
        db.session.commit()
        refresh_statistics()
        results.append((f"demo-data: {PEOPLE:,} people, {ORGANISATIONS:,} organisations, {EDITIONS} editions",
                        f"{time.perf_counter() - started:.1f} s"))
        results.append(("network numbers query (home page)", f"{median_ms(network_numbers):.1f} ms"))
        create_user("bench@example.org", "bench password 123", Role.COORDINATOR)
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.org", "password": "bench password 123"})
    results.append(("GET / (home page, logged in)", f"{median_ms(lambda: client.get('/')):.1f} ms"))

    print(f"\nDatabase: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; median of {REPEATS} runs\n")
    print("| what | time |\n| --- | --- |")
    for what, value in results:
        print(f"| {what} | {value} |")


if __name__ == "__main__":
    main()

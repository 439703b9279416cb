"""The 100,000-person network the benchmarks measure, built once and reused.

    .venv/bin/python -m bench.network sqlite:////tmp/bench.sqlite
    .venv/bin/python -m bench.network postgresql://postgres@127.0.0.1:5432/forum_crm_bench

A database that already holds the network (and the bench accounts) is only brought up to the latest
migration (and analysed), so several runs share one build (15 s on SQLite, 29 s on PostgreSQL on the project's machine).
"""

import argparse
import time

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from forum_crm import create_app
from forum_crm.auth.services import create_user
from forum_crm.config import with_psycopg_driver
from forum_crm.extensions import db
from forum_crm.models import Organisation, Person, Role
from forum_crm.seeding.demo import generate_demo_network, refresh_statistics
from forum_crm.seeding.report import seed_report

PEOPLE, ORGANISATIONS, EDITIONS = 100_000, 10_000, 50
PASSWORD = "bench password 123"
ACCOUNTS = {Role.COORDINATOR: "coordinator@example.org", Role.MEMBER: "member@example.org"}


def bench_app(database_url: str) -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": with_psycopg_driver(database_url), "WTF_CSRF_ENABLED": False})


def ensure_network(database_url: str) -> float | None:
    """Upgrade the database and build the network in it unless it is there; the build's seconds, or None if reused."""
    app = bench_app(database_url)
    with app.app_context():
        upgrade()
        people = db.session.scalar(sa.select(sa.func.count(Person.id)))
        if people >= PEOPLE and db.session.scalar(sa.select(sa.func.count(Organisation.id))) >= ORGANISATIONS:
            refresh_statistics()  # for the indexes a migration may have added
            db.engine.dispose()
            vacuum(database_url)
            return None
        started = time.perf_counter()
        seed_report()
        generate_demo_network(PEOPLE, ORGANISATIONS, seed=1, editions=EDITIONS)
        for role, email in ACCOUNTS.items():
            create_user(email, PASSWORD, role)
        db.session.commit()
        refresh_statistics()
        db.engine.dispose()
    vacuum(database_url)
    return time.perf_counter() - started


def vacuum(database_url: str) -> None:
    """VACUUM on PostgreSQL, as autovacuum does to a database in use: index-only scans need the visibility map."""
    if not database_url.startswith("postgres"):
        return
    engine = sa.create_engine(with_psycopg_driver(database_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="SQLite or PostgreSQL URL of the database to build the network in")
    seconds = ensure_network(parser.parse_args().database)
    print("reused the network already built" if seconds is None else f"built the network in {seconds:.1f} s")

"""A write that cannot get its lock in time answers 503 "try again in a moment", never a 500 (issue 11, item 6)."""

import sqlite3
import uuid

import psycopg
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from forum_crm import create_app
from forum_crm.config import settings_from_environment
from forum_crm.database import is_busy
from forum_crm.extensions import db
from forum_crm.models import Person
from tests import factories
from tests.conftest import TEST_SECRET, create_postgres_database, csrf_token, drop_postgres_database, postgres_url
from tests.test_directory import person_data


@pytest.fixture
def busy_app(tmp_path):
    """An application on its own database that waits only 0.2 s for a lock."""
    base = postgres_url()
    url = (create_postgres_database(base, f"busy{uuid.uuid4().hex[:8]}") if base
           else f"sqlite:///{tmp_path / 'busy.sqlite'}")
    application = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": url,
                              "DATABASE_BUSY_TIMEOUT": 0.2})
    with application.app_context():
        upgrade()
        factories.committed(factories.user(email="coordinator@example.org"))
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()
    if base:
        drop_postgres_database(url)


def hold_the_write_lock(connection: sa.Connection) -> None:
    """What a long import does to everyone else: keep the lock that a new person needs."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")
        connection.exec_driver_sql("LOCK TABLE person IN EXCLUSIVE MODE")


def test_the_busy_timeout_is_a_setting_of_30_seconds_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("FORUM_CRM_DATABASE_BUSY_TIMEOUT", raising=False)
    assert settings_from_environment(tmp_path)["DATABASE_BUSY_TIMEOUT"] == 30
    monkeypatch.setenv("FORUM_CRM_DATABASE_BUSY_TIMEOUT", "45")
    assert settings_from_environment(tmp_path)["DATABASE_BUSY_TIMEOUT"] == 45


def test_a_write_that_waits_too_long_answers_503_and_succeeds_once_the_lock_is_free(busy_app):
    client = busy_app.test_client()
    client.post("/login", data={"email": "coordinator@example.org", "password": factories.PASSWORD,
                                "csrf_token": csrf_token(client, "/login")})
    token = csrf_token(client, "/people/new")
    with busy_app.app_context():
        other = db.engine.connect()
    try:
        hold_the_write_lock(other)
        busy = client.post("/people/new", data={"csrf_token": token, **person_data()})
    finally:
        other.rollback()
        other.close()
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "10"
    assert "Baza danych jest zajęta" in busy.text and "Spróbuj ponownie za chwilę" in busy.text

    saved = client.post("/people/new", data={"csrf_token": token, **person_data()})
    assert saved.status_code == 302
    with busy_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 1


@pytest.mark.parametrize(("original", "busy"), [
    (sqlite3.OperationalError("database is locked"), True),
    (sqlite3.OperationalError("database table is locked"), True),
    (sqlite3.OperationalError("disk I/O error"), False),
    (sqlite3.OperationalError("no such table: person"), False),
    (psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"), True),
    (psycopg.errors.SerializationFailure("could not serialize access"), True),
    (psycopg.errors.DeadlockDetected("deadlock detected"), True),
    (psycopg.errors.AdminShutdown("terminating connection"), False),
])
def test_only_lock_and_serialization_errors_count_as_busy(original, busy):
    assert is_busy(sa.exc.OperationalError("UPDATE person ...", {}, original)) is busy

"""Test fixtures: one application per test session on SQLite, or on PostgreSQL when
TEST_DATABASE_URL names a PostgreSQL database (CI runs both). Tables are emptied after each test.
CSRF protection stays on: tests post the token like a browser does.
"""

import email
import os
import re
import time
import uuid
from email import policy

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from forum_crm import create_app
from forum_crm.config import with_psycopg_driver
from forum_crm.extensions import db
from tests import factories

# The app's "today" is the Forum's (Europe/Warsaw, BABEL_DEFAULT_TIMEZONE); the tests' date.today() must be the same
# day, also between 23:00 and midnight UTC, when Warsaw is a day ahead of a server on UTC.
os.environ["TZ"] = "Europe/Warsaw"
time.tzset()

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
# Tests hash passwords at argon2id's lowest cost, so they stay fast; production uses config.PASSWORD_HASH.
FAST_PASSWORD_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def postgres_url() -> str | None:
    """TEST_DATABASE_URL if it names a PostgreSQL database, with the psycopg 3 driver."""
    url = with_psycopg_driver(os.environ.get("TEST_DATABASE_URL", ""))
    return url if url.startswith("postgresql+psycopg://") else None


def create_postgres_database(base_url: str, suffix: str) -> str:
    """A new empty database next to the one in base_url; returns its URL."""
    url = sa.make_url(base_url)
    name = f"{url.database}_{suffix}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(database_url: str) -> None:
    url = sa.make_url(database_url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh database for the session: an SQLite file, or a new PostgreSQL database."""
    base = postgres_url()
    if base is None:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    url = create_postgres_database(base, f"t{uuid.uuid4().hex[:8]}")
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The application, its schema built by the migrations (so they are tested on every run)."""
    application = create_app({
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH": FAST_PASSWORD_HASH,
        "PUBLIC_RATE_LIMIT": 100_000,  # the whole suite comes from one address; tests of the limit lower it
    })
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request):
    """Empty every table after each test that used the database."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    for cache in [name for name in application.extensions if name.startswith("forum_crm.")]:
        del application.extensions[cache]  # the map's and the public pages' caches, the public rate limit
    with application.app_context():
        db.session.remove()
        tables = [table.name for table in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture
def ctx(app):
    """An application context for service and query tests."""
    with app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app, client):
    """login(user) logs the test client in through the real login form."""

    def log_in(user, password=factories.PASSWORD, remember=False):
        token = csrf_token(client, "/login")
        response = client.post("/login", data={
            "email": user.email, "password": password, "csrf_token": token, "remember": "y" if remember else "",
        })
        assert response.status_code == 302, response.text
        return response

    return log_in


def csrf_token(client, path: str = "/") -> str:
    """The CSRF token a browser would find in the forms of `path`."""
    page = client.get(path, follow_redirects=True).text
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def outbox(app, tmp_path, monkeypatch):
    """The messages written to the outbox instead of being sent, oldest first;
    the worker (`send-mail --once`) runs first."""
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", tmp_path / "outbox")
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)

    def messages():
        assert app.test_cli_runner().invoke(args=["send-mail", "--once"]).exit_code == 0
        files = sorted((tmp_path / "outbox").glob("*.eml"))
        return [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in files]

    return messages


@pytest.fixture
def empty_database_url(tmp_path):
    """The URL of a new database with no tables, for tests that run the migrations themselves."""
    base = postgres_url()
    if base is None:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    url = create_postgres_database(base, "migrations")
    yield url
    drop_postgres_database(url)


@pytest.fixture
def migration_app(empty_database_url):
    """An application (its context pushed) on empty_database_url."""
    app = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()

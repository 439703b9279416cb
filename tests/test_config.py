"""Settings from the environment: secrets, database URL, cookies, SQLite pragmas; the garbage collector."""

import gc

import pytest
import sqlalchemy as sa

from forum_crm import GC_YOUNG_THRESHOLD, SQLITE_CACHE_KIB, create_app, settle_garbage_collector
from forum_crm.config import database_url, load_secret_key
from forum_crm.extensions import db


def test_secret_key_is_generated_once_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_secret_key(tmp_path)
    assert len(first) >= 32
    assert load_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only


def test_every_installation_gets_its_own_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert load_secret_key(tmp_path / "a") != load_secret_key(tmp_path / "b")


def test_a_short_secret_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "dev")
    with pytest.raises(RuntimeError, match="at least 32"):
        load_secret_key(tmp_path)


def test_app_without_secret_in_environment_uses_the_generated_one(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    app = create_app({})
    assert app.config["SECRET_KEY"] == (tmp_path.parent / app.instance_path / "secret_key").read_text().strip()


def test_database_url_defaults_to_sqlite_in_instance_and_accepts_postgres(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(tmp_path) == f"sqlite:///{tmp_path / 'forum_crm.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/forum")
    assert database_url(tmp_path) == "postgresql+psycopg://u@db:5432/forum"


def test_cookie_settings(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_DURATION"].days <= 30


def test_cookies_are_secure_over_https(app, client):
    response = client.get("/login", base_url="https://localhost")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in cookie and "HttpOnly" in cookie for cookie in cookies)
    plain = client.get("/login").headers.getlist("Set-Cookie")
    assert all("Secure" not in cookie for cookie in plain)


def test_sqlite_connections_enforce_foreign_keys_use_wal_and_a_larger_cache(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(sa.text("PRAGMA busy_timeout")).scalar() == 30_000  # DATABASE_BUSY_TIMEOUT
            assert connection.execute(sa.text("PRAGMA cache_size")).scalar() == -SQLITE_CACHE_KIB


def test_a_serving_process_freezes_what_start_up_made_and_collects_young_objects_less_often(monkeypatch):
    frozen, threshold = [], gc.get_threshold()
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))  # the test process's objects stay as they are
    try:
        settle_garbage_collector()
        assert frozen and gc.get_threshold() == (GC_YOUNG_THRESHOLD, *threshold[1:]) != threshold
    finally:
        gc.set_threshold(*threshold)

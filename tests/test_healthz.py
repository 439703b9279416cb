"""/healthz: public, no personal data, 200 when the server can serve and 503 with the failing check otherwise;
and the request log: one line per request with an id, shown on the 500 page."""

import json
import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum_crm import create_app
from forum_crm.config import settings_from_environment
from forum_crm.extensions import db
from forum_crm.models import MessageKind, OutboxMessage, OutboxState, WorkerRun
from forum_crm.models.base import utcnow
from forum_crm.outbox.services import queue_message
from forum_crm.requestlog import JsonFormatter
from forum_crm.schema import code_heads, previous_revision
from tests import factories
from tests.conftest import TEST_SECRET


def test_a_healthy_server_answers_200_without_a_login_or_a_cookie(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    body = response.json
    assert body["status"] == "ok"
    assert body["checks"]["migrations"] == {"status": "ok", "database": sorted(code_heads()),
                                            "code": sorted(code_heads())}
    assert body["checks"]["mail_worker"] == {"status": "ok", "last_run_at": None, "seconds_since_last_run": None}
    assert body["checks"]["outbox"] == {"status": "ok", "due": 0, "oldest_due_seconds": 0}


def test_the_mail_workers_last_run_and_the_backlog_are_reported_without_personal_data(app, client):
    with app.test_request_context():
        person = factories.person("Zofia", "Tajna")
        queue_message("zofia.tajna@example.org", MessageKind.INVITATION, "Zaproszenie", "Tekst", language="pl",
                      person=person)
        db.session.commit()
    assert app.test_cli_runner().invoke(args=["send-mail", "--once"]).exit_code == 0
    with app.test_request_context():
        queue_message("zofia.tajna@example.org", MessageKind.INVITATION, "Drugie", "Tekst", language="pl")
        db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    checks = response.json["checks"]
    assert checks["mail_worker"]["last_run_at"] is not None and checks["mail_worker"]["seconds_since_last_run"] >= 0
    assert checks["outbox"]["due"] == 1
    assert "Tajna" not in response.text and "zofia" not in response.text


def test_an_e_mail_waiting_for_the_worker_too_long_fails_the_check(app, client):
    with app.test_request_context():
        queue_message("a@example.org", MessageKind.INVITATION, "Temat", "Tekst", language="pl")
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(minutes=20)))
        db.session.add(WorkerRun(name="send-mail", last_run_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "fail" and response.json["checks"]["outbox"]["status"] == "fail"
    assert response.json["checks"]["outbox"]["oldest_due_seconds"] >= 20 * 60
    with app.app_context():  # a message sent is no longer a backlog
        db.session.execute(sa.update(OutboxMessage).values(state=OutboxState.SENT))
        db.session.commit()
    assert client.get("/healthz").status_code == 200


def test_a_database_behind_the_codes_revision_fails_the_check(app, client):
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :old"), {"old": previous_revision()})
    try:
        response = client.get("/healthz")
    finally:
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = :head"),
                               {"head": sorted(code_heads())[0]})
    assert response.status_code == 503
    assert response.json["checks"]["migrations"]["database"] == [previous_revision()]


def test_a_database_that_cannot_be_reached_answers_503(tmp_path):
    unreachable = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET,
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite'}"})
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "fail", "checks": {
        "database": {"status": "fail", "error": "the database cannot be reached"}}}


def test_each_request_is_logged_once_with_its_id(app, client, caplog):
    with caplog.at_level(logging.INFO, logger="forum_crm.requests"):
        response = client.get("/login?next=/people/secret-search")
    lines = [record for record in caplog.records if record.name == "forum_crm.requests"]
    assert len(lines) == 1
    assert lines[0].request_id == response.headers["X-Request-ID"]
    assert lines[0].getMessage().startswith("GET /login 200 ")
    assert "secret-search" not in lines[0].getMessage()  # no query string: it may hold a searched name
    assert json.loads(JsonFormatter().format(lines[0]))["status"] == 200


def test_a_proxys_request_id_is_kept_only_behind_a_trusted_proxy(app, client, monkeypatch):
    assert client.get("/login", headers={"X-Request-ID": "from-the-client-1"}).headers["X-Request-ID"] != \
        "from-the-client-1"
    monkeypatch.setitem(app.config, "PROXIES", 1)
    assert client.get("/login", headers={"X-Request-ID": "nginx-0123456789"}).headers["X-Request-ID"] == \
        "nginx-0123456789"
    assert client.get("/login", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"] != "bad id!"


def test_an_error_is_logged_with_the_id_the_500_page_shows(database_url, caplog):
    failing = create_app({"TESTING": False, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": database_url,
                          "LOG_FORMAT": "json"})

    def broken():
        raise RuntimeError("boom")

    failing.add_url_rule("/healthz/broken", "healthz.broken", broken)
    failing.view_functions["healthz.broken"].is_public = True
    with caplog.at_level(logging.INFO):
        response = failing.test_client().get("/healthz/broken")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert request_id in response.text  # the user can quote it
    error = next(record for record in caplog.records if record.levelno == logging.ERROR)
    assert error.request_id == request_id and error.exc_info
    line = json.loads(failing.logger.handlers[-1].format(error))
    assert line["request_id"] == request_id and "RuntimeError: boom" in line["error"]


def test_the_log_format_is_a_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("FORUM_CRM_LOG_FORMAT", "JSON")
    assert settings_from_environment(tmp_path)["LOG_FORMAT"] == "json"
    monkeypatch.setenv("FORUM_CRM_LOG_FORMAT", "xml")
    with pytest.raises(RuntimeError, match="FORUM_CRM_LOG_FORMAT"):
        settings_from_environment(tmp_path)

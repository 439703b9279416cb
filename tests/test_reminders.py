"""`flask send-reminders` when the SMTP server refuses a message: the command says which organisation's
editors were not reminded, exits non-zero (so cron reports it), and leaves that reminder unsent so the next
day's run tries again; the other organisations' reminders go out and are recorded."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from forum_crm import mail
from forum_crm.extensions import db
from forum_crm.models import Organisation, Role
from tests import factories


class FakeSMTP:
    """Stands in for smtplib.SMTP: records what it sends, refuses messages to `refused` addresses."""

    sent: list[str] = []
    refused: set[str] = set()

    def __init__(self, host, port, timeout=None):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        if message["To"] in self.refused:
            raise smtplib.SMTPException("451 4.3.0 Mail server temporarily rejected message")
        self.sent.append(message["To"])


@pytest.fixture
def smtp(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(FakeSMTP, "sent", [])
    monkeypatch.setattr(FakeSMTP, "refused", set())
    return FakeSMTP


@pytest.fixture
def stale(app):
    """Two organisations not confirmed for over a year, each with an editor: {name: id}."""
    with app.app_context():
        long_ago = datetime.now(UTC) - timedelta(days=400)
        ids = {}
        for name, email in (("Fundacja Alfa", "a@example.org"), ("Fundacja Beta", "b@example.org")):
            organisation = factories.organisation(name, created_at=long_ago)
            factories.user(Role.ORG_EDITOR, email=email, organisation=organisation)
            ids[name] = organisation.id
        db.session.commit()
        return ids


def reminded(app) -> dict[str, bool]:
    with app.app_context():
        return {name: sent is not None for name, sent in db.session.execute(
            sa.select(Organisation.name, Organisation.profile_reminder_sent_at).order_by(Organisation.name))}


def test_a_refused_reminder_is_reported_and_tried_again_next_time(app, smtp, stale):
    smtp.refused = {"a@example.org"}
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 1
    assert "Could not remind the editors of Fundacja Alfa" in result.stderr and "451" in result.stderr
    assert "Reminders sent for 1 organisation(s)" in result.stdout
    assert smtp.sent == ["b@example.org"]
    assert reminded(app) == {"Fundacja Alfa": False, "Fundacja Beta": True}

    smtp.refused = set()  # the next day the server takes it
    again = runner.invoke(args=["send-reminders"])
    assert again.exit_code == 0 and again.stderr == ""
    assert smtp.sent == ["b@example.org", "a@example.org"]  # Beta is not reminded twice
    assert reminded(app) == {"Fundacja Alfa": True, "Fundacja Beta": True}


def test_all_refused_changes_nothing(app, smtp, stale):
    smtp.refused = {"a@example.org", "b@example.org"}
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 1 and result.stderr.count("Could not remind") == 2
    assert reminded(app) == {"Fundacja Alfa": False, "Fundacja Beta": False}
    with app.app_context():
        assert [organisation.version for organisation in db.session.scalars(sa.select(Organisation))] == [1, 1]


def test_an_unreachable_server_is_a_failure_too(app, smtp, stale, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(mail.smtplib, "SMTP", unreachable)
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 1 and "Connection refused" in result.stderr
    assert reminded(app) == {"Fundacja Alfa": False, "Fundacja Beta": False}

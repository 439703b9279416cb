"""The outbox: messages queued in the transaction that causes them, sent by the worker (`flask send-mail`)
through a real local SMTP server or into private .eml files, retried, never sent twice; the coordinator's page."""

import email
import socket
import stat
import statistics
import threading
import time
from datetime import UTC, date, datetime, timedelta
from email import policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from forum_crm.extensions import db
from forum_crm.mail import queue_invitation, queue_password_reset
from forum_crm.models import AuthEvent, AuthEventKind, MessageKind, Organisation, OutboxMessage, OutboxState, Role, User
from forum_crm.outbox import worker
from forum_crm.outbox.services import Attachment, queue_message
from forum_crm.outbox.worker import CLAIM_TIMEOUT, MAX_ATTEMPTS, retry_delay, send_due
from tests import factories
from tests.conftest import csrf_token


class Mailbox:
    """An aiosmtpd handler: keeps what it receives, answers 550 for the addresses in `refused`."""

    def __init__(self):
        self.messages = []
        self.refused = set()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if address in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self._lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch):
    """A local SMTP server the app is configured to use (no TLS, no login)."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_USE_TLS": False,
                       "MAIL_USERNAME": None, "MAIL_FROM": "Forum <no-reply@example.org>"}.items():
        monkeypatch.setitem(app.config, key, value)
    yield mailbox
    controller.stop()


@pytest.fixture
def smtp_down(app, monkeypatch):
    """The app is configured to use an SMTP server that does not answer."""
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_USE_TLS": False}.items():
        monkeypatch.setitem(app.config, key, value)


def queue(app, *recipients, subject="Temat", text="Treść", **values) -> list[int]:
    """Queue one message to each recipient and commit; their ids."""
    with app.app_context():
        messages = [queue_message(recipient, MessageKind.INVITATION, subject, text, language="pl", **values)
                    for recipient in recipients]
        db.session.commit()
        return [message.id for message in messages]


def rows(app) -> dict[str, OutboxMessage]:
    """The outbox by recipient, loaded for reading outside the app context."""
    with app.app_context():
        messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return {message.recipient: message for message in messages}


def send_mail(app):
    return app.test_cli_runner().invoke(args=["send-mail", "--once"])


def make_due(app) -> None:
    with app.app_context():
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
        db.session.commit()


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# Queueing

def test_a_message_is_queued_only_if_the_transaction_commits(app):
    with app.app_context():
        queue_message("a@example.org", MessageKind.INVITATION, "Temat", "Treść", language="pl")
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    [message_id] = queue(app, "a@example.org")
    message = rows(app)["a@example.org"]
    assert message.id == message_id and message.state == OutboxState.QUEUED and message.attempts == 0
    assert message.message_id.startswith("<") and message.message_id.endswith("@127.0.0.1>")


def test_an_invitation_is_queued_with_the_account_and_sent_by_the_worker(app, client, login, smtp):
    with app.app_context():
        coordinator, _ = factories.committed(factories.user(Role.COORDINATOR, email="k@example.org"),
                                             factories.organisation("Fundacja Alfa"))
    login(coordinator)
    response = client.post("/accounts/invite", data={
        "email": "nowa@example.org", "role": "org_editor", "organisation": "Fundacja Alfa", "person": "",
        "csrf_token": csrf_token(client, "/accounts/invite")})
    assert response.status_code == 302
    assert smtp.messages == []  # nothing is sent in the request
    message = rows(app)["nowa@example.org"]
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "nowa@example.org"))
        assert message.user_id == user.id and message.kind == MessageKind.INVITATION
    assert send_mail(app).exit_code == 0
    [received] = smtp.messages
    assert received["To"] == "nowa@example.org" and "Fundacja Alfa" in received.get_body(("plain",)).get_content()


# Sending

def test_the_worker_sends_text_and_html_in_the_recipients_language(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "SITE_NAME", "Forum <Testowe>")
    with app.app_context():
        organisation = factories.organisation("Fundacja <Ala> & Kot")
        editor = factories.user(Role.ORG_EDITOR, email="redaktor@example.org", organisation=organisation)
        english = factories.user(Role.MEMBER, email="english@example.org")
        factories.committed(organisation, editor, english)
        queue_invitation(editor, "TOKEN-1")
        queue_password_reset(english, "TOKEN-2", language="en")
        queue_message("ics@example.org", MessageKind.INVITATION, "Kalendarz", "Zobacz załącznik.", language="pl",
                      attachments=(Attachment("forum.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),))
        db.session.commit()
    result = send_mail(app)
    assert result.exit_code == 0 and "Sent 3, failed 0" in result.output
    received = {message["To"]: message for message in smtp.messages}
    stored = rows(app)

    polish = received["redaktor@example.org"]
    assert polish["From"] == "Forum <no-reply@example.org>"
    assert polish["Subject"] == "Forum <Testowe>: zaproszenie do katalogu członków"
    assert polish["Message-ID"] == stored["redaktor@example.org"].message_id
    assert polish["Content-Language"] == "pl" and polish["Date"]
    assert polish.get_content_type() == "multipart/alternative"
    text = polish.get_body(("plain",)).get_content()
    html = polish.get_body(("html",)).get_content()
    assert "Fundacja <Ala> & Kot" in text and "http://127.0.0.1:5000/invitation/TOKEN-1" in text
    assert "Fundacja &lt;Ala&gt; &amp; Kot" in html and "<Ala>" not in html
    assert '<a href="http://127.0.0.1:5000/invitation/TOKEN-1">' in html

    assert received["english@example.org"]["Subject"] == "Forum <Testowe>: a new password"
    assert "/password/reset/TOKEN-2" in received["english@example.org"].get_body(("plain",)).get_content()

    [attachment] = received["ics@example.org"].iter_attachments()
    assert attachment.get_filename() == "forum.ics" and attachment.get_content_type() == "text/calendar"
    assert "BEGIN:VCALENDAR" in attachment.get_content()

    for message in stored.values():
        assert message.state == OutboxState.SENT and message.attempts == 1 and message.sent_at is not None
    assert send_mail(app).output.startswith("Sent 0,")  # sent once only


def test_a_refused_recipient_fails_with_the_servers_answer_and_the_others_are_sent(app, smtp):
    smtp.refused.add("nobody@example.org")
    queue(app, "a@example.org", "nobody@example.org", "c@example.org")
    result = send_mail(app)
    assert result.exit_code == 1 and "Sent 2, failed 1" in result.output
    assert "nobody@example.org: 550" in result.output
    assert sorted(message["To"] for message in smtp.messages) == ["a@example.org", "c@example.org"]
    stored = rows(app)
    refused = stored["nobody@example.org"]
    assert refused.state == OutboxState.FAILED and refused.attempts == 1
    assert refused.last_error.startswith("550") and "no such mailbox" in refused.last_error
    assert stored["a@example.org"].state == stored["c@example.org"].state == OutboxState.SENT
    make_due(app)
    send_mail(app)
    assert len(smtp.messages) == 2  # a refused message is not tried again


def test_a_server_that_is_down_puts_messages_back_with_back_off(app, smtp_down):
    queue(app, "a@example.org", "b@example.org")
    before = datetime.now(UTC)
    result = send_mail(app)
    assert result.exit_code == 1 and "Sent 0, failed 0, to be retried 2" in result.output
    for message in rows(app).values():
        assert message.state == OutboxState.QUEUED and message.attempts == 1
        assert "ConnectionRefusedError" in message.last_error
        assert before + timedelta(seconds=55) < aware(message.next_attempt_at) < before + timedelta(minutes=2)
    assert send_mail(app).output.startswith("Sent 0, failed 0, to be retried 0")  # not due yet
    make_due(app)
    before = datetime.now(UTC)
    send_mail(app)
    for message in rows(app).values():  # the second failure waits twice as long
        assert message.attempts == 2
        assert before + timedelta(seconds=115) < aware(message.next_attempt_at) < before + timedelta(minutes=3)
    with app.app_context():
        db.session.execute(sa.update(OutboxMessage).values(attempts=MAX_ATTEMPTS - 1))
        db.session.commit()
    make_due(app)
    assert "failed 2" in send_mail(app).output
    assert {message.state for message in rows(app).values()} == {OutboxState.FAILED}


def test_back_off_doubles_up_to_six_hours():
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert retry_delay(MAX_ATTEMPTS) == timedelta(hours=6)


def test_a_message_left_sending_by_a_dead_worker_is_sent_after_the_claim_timeout(app, smtp):
    stuck, recent = queue(app, "stuck@example.org", "recent@example.org")
    with app.app_context():
        now = datetime.now(UTC)
        for message_id, claimed_at in ((stuck, now - CLAIM_TIMEOUT - timedelta(seconds=1)), (recent, now)):
            db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id).values(
                state=OutboxState.SENDING, attempts=1, next_attempt_at=claimed_at + CLAIM_TIMEOUT))
        db.session.commit()
    send_mail(app)
    assert [message["To"] for message in smtp.messages] == ["stuck@example.org"]
    stored = rows(app)
    assert stored["stuck@example.org"].state == OutboxState.SENT and stored["stuck@example.org"].attempts == 2
    assert stored["recent@example.org"].state == OutboxState.SENDING  # its worker may still be sending it


def test_workers_running_at_once_never_send_a_message_twice(app, smtp, monkeypatch):
    queue(app, *(f"person{n}@example.org" for n in range(60)))
    workers = 4
    selected, errors = threading.Barrier(workers), []
    due_message_ids, first_look = worker.due_message_ids, threading.local()

    def due_at_the_same_moment(now, limit):
        """Every worker's first look finds the same messages before any of them claims one."""
        found = due_message_ids(now, limit)
        if not getattr(first_look, "done", False):
            first_look.done = True
            selected.wait(timeout=10)
        return found

    monkeypatch.setattr(worker, "due_message_ids", due_at_the_same_moment)

    def work():
        try:
            with app.app_context():
                send_due(batch_size=3)
                db.session.remove()
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    message_ids = [message["Message-ID"] for message in smtp.messages]
    assert len(message_ids) == 60 and len(set(message_ids)) == 60
    assert {(message.state, message.attempts) for message in rows(app).values()} == {(OutboxState.SENT, 1)}


def test_without_a_server_messages_are_private_eml_files(app, tmp_path, monkeypatch):
    folder = tmp_path / "outbox"
    folder.mkdir(mode=0o755)  # as earlier versions left it
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", folder)
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    queue(app, "a@example.org", subject="Link")
    assert send_mail(app).exit_code == 0
    message = rows(app)["a@example.org"]
    [path] = folder.iterdir()
    assert path.name == message.message_id.strip("<>") + ".eml"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(path.stat().st_mode) == 0o600
    written = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert written["Subject"] == "Link" and message.state == OutboxState.SENT


def test_send_reminders_with_the_server_down_reports_it_and_loses_nothing(app, smtp, monkeypatch):
    with app.app_context():
        organisation = factories.organisation("Fundacja Alfa", forum_member_since=date(2023, 5, 18))
        organisation.created_at = datetime.now(UTC) - timedelta(days=400)
        factories.committed(organisation, factories.user(Role.ORG_EDITOR, email="a@example.org",
                                                         organisation=organisation))
    port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # the server is down
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0 and "queued for 1 organisation" in result.output
    result = send_mail(app)
    assert result.exit_code == 1 and "a@example.org: ConnectionRefusedError" in result.output
    assert "to be retried 1" in result.output
    assert runner.invoke(args=["send-reminders"]).output.startswith("Reminders queued for 0")  # recorded once
    [message] = rows(app).values()
    assert message.state == OutboxState.QUEUED and message.kind == MessageKind.PROFILE_REMINDER
    with app.app_context():
        assert db.session.scalar(sa.select(Organisation.profile_reminder_sent_at)) is not None
    monkeypatch.setitem(app.config, "MAIL_PORT", port)  # the server is back
    make_due(app)
    assert send_mail(app).exit_code == 0
    [received] = smtp.messages
    assert received["To"] == "a@example.org" and "Fundacja Alfa" in received["Subject"]


# The coordinator's page

def test_the_outbox_page_lists_messages_for_the_coordinator_only(app, client, login, smtp):
    smtp.refused.add("nobody@example.org")
    queue(app, "nobody@example.org", subject="Odmowa")
    send_mail(app)
    queue(app, *(f"person{n:02}@example.org" for n in range(30)), subject="<script>alert(1)</script>")
    with app.app_context():
        coordinator, member = factories.committed(factories.user(Role.COORDINATOR), factories.user(Role.MEMBER))
    login(member)
    assert client.get("/outbox").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(coordinator)
    page = client.get("/outbox").text
    assert "31 wiadomości" in page and "person29@example.org" in page and "nobody@example.org" not in page
    assert page.index("person29@") < page.index("person28@")  # newest first
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "nobody@example.org" in client.get("/outbox?page=2").text
    failed = client.get("/outbox?state=failed").text
    assert "1 wiadomość" in failed and "nobody@example.org" in failed and "person" not in failed
    assert "550" in failed and "no such mailbox" in failed
    assert client.get("/outbox?state=bogus").status_code == 200  # an unknown state shows everything
    assert 'href="/outbox"' in page  # in the coordinator's menu


# Asking for a new password: no sign of whether the address has an account

def test_forgot_password_does_the_same_work_for_known_and_unknown_addresses(app, tmp_path, monkeypatch):
    """A security property, so it is timed: the medians of 30 requests each differ by less than 5 ms."""
    monkeypatch.setitem(app.config, "MAIL_OUTBOX", tmp_path / "outbox")
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    with app.app_context():
        password_hash = factories.user(email="template@example.org").password_hash
        db.session.add_all(User(email=f"known{n}@example.org", role=Role.MEMBER, password_hash=password_hash)
                           for n in range(30))
        db.session.commit()
    client = app.test_client()
    token = csrf_token(client, "/password/forgot")

    def ask(address: str) -> float:
        started = time.perf_counter()
        response = client.post("/password/forgot", data={"email": address, "csrf_token": token})
        elapsed = time.perf_counter() - started
        assert response.status_code == 302
        return elapsed

    for n in range(5):  # warm up
        ask(f"warm{n}@example.org")
    known, unknown = [], []
    for n in range(30):  # interleaved, so that a slow moment of the machine hits both
        known.append(ask(f"known{n}@example.org"))
        unknown.append(ask(f"unknown{n}@example.org"))
    difference = abs(statistics.median(known) - statistics.median(unknown))
    assert difference < 0.005, (statistics.median(known), statistics.median(unknown))
    assert not (tmp_path / "outbox").exists()  # nothing written outside the database in the request
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 30
        requested = db.session.scalar(sa.select(sa.func.count()).select_from(AuthEvent).where(
            AuthEvent.kind == AuthEventKind.PASSWORD_RESET_REQUESTED))
        assert requested == 65

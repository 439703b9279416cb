"""The worker behind `flask send-mail`: claims due messages, sends them, records each outcome.

Unlike services, the worker commits: the claim before sending and each outcome right after the server
answers, so a message is never sent twice by two workers and a crash loses nothing. A message whose
worker died while it was 'sending' is due again after CLAIM_TIMEOUT: only then can a message arrive
twice, with the same Message-ID (the worker cannot know whether the server got it).

Without MAIL_SERVER, messages are written to MAIL_OUTBOX/<message-id>.eml (0600, in a 0700 folder).
"""

import base64
import os
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from forum_crm.extensions import db
from forum_crm.models import OutboxMessage, OutboxState, WorkerRun
from forum_crm.models.base import utcnow
from forum_crm.outbox.queries import due_message_ids

BATCH_SIZE = 50  # messages claimed at once and sent over one SMTP connection
CLAIM_TIMEOUT = timedelta(minutes=15)  # a message 'sending' for longer is presumed lost by a dead worker
MAX_ATTEMPTS = 12  # with the back-off below, about a day of trying
FIRST_RETRY = timedelta(minutes=1)  # doubled after every failed attempt...
LONGEST_RETRY = timedelta(hours=6)  # ...up to this
SMTP_TIMEOUT = 30  # seconds
WORKER_NAME = "send-mail"  # its row in worker_run


@dataclass
class Report:
    """What one run of the worker did."""

    sent: int = 0
    failed: int = 0  # refused for good, or out of attempts
    retrying: int = 0  # back in the queue, to be tried later
    errors: list[str] = field(default_factory=list)


class TemporaryError(Exception):
    """The server could not take the message now (down, busy, 4xx): try again later."""


class PermanentError(Exception):
    """The server refused the message for good (5xx), with its answer."""


def send_due(batch_size: int = BATCH_SIZE) -> Report:
    """Send every message that is due now, batch by batch; messages retried later are left for later runs.

    First, each producer in app.extensions["outbox_producers"] queues what has become due (e.g. the reminders
    before an edition) and the worker commits it: packages register them without the outbox importing them.
    """
    report = Report()
    for produce in current_app.extensions.get("outbox_producers", ()):
        produce()
        db.session.commit()
    started = utcnow()
    while claimed := claim(batch_size, started):
        send_batch(claimed, report)
    record_run(WORKER_NAME, started)
    return report


def record_run(name: str, moment) -> None:
    """Remember (and commit) that the worker `name` looked for work at `moment`; /healthz reports it."""
    if not db.session.execute(sa.update(WorkerRun).where(WorkerRun.name == name).values(last_run_at=moment)).rowcount:
        db.session.add(WorkerRun(name=name, last_run_at=moment))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # another worker recorded its first run at the same moment
        db.session.rollback()


def claim(limit: int, now=None) -> list[int]:
    """Mark up to `limit` due messages 'sending' and commit; another worker claims none of them.

    Each row is taken by an UPDATE that checks it is still what we saw, so of two workers only one wins it.
    """
    now = now or utcnow()
    claimed = []
    for message_id in due_message_ids(now, limit):
        result = db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.attempts < MAX_ATTEMPTS,
                   OutboxMessage.state.in_([OutboxState.QUEUED, OutboxState.SENDING]),
                   OutboxMessage.next_attempt_at <= now)
            .values(state=OutboxState.SENDING, attempts=OutboxMessage.attempts + 1,
                    next_attempt_at=utcnow() + CLAIM_TIMEOUT))
        if result.rowcount == 1:
            claimed.append(message_id)
    _give_up_abandoned(now)
    db.session.commit()
    return claimed


def _give_up_abandoned(now) -> None:
    """Messages whose worker died on their last allowed attempt are failed, not tried again."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.SENDING, OutboxMessage.next_attempt_at <= now,
               OutboxMessage.attempts >= MAX_ATTEMPTS)
        .values(state=OutboxState.FAILED, last_error="The worker stopped while sending it; not tried again."))


def send_batch(message_ids: list[int], report: Report) -> None:
    """Send claimed messages over one connection; a server that cannot be reached puts them all back."""
    try:
        with _Transport() as deliver:
            for position, message_id in enumerate(message_ids):
                message = db.session.get(OutboxMessage, message_id)
                try:
                    email = build_email(message)
                except (ValueError, KeyError, TypeError) as error:  # a broken row: it would fail every time
                    _fail(message, f"The message could not be built: {error!r}", report)
                    continue
                try:
                    deliver(email)
                except PermanentError as error:
                    _fail(message, str(error), report)
                except TemporaryError as error:
                    _retry(message, str(error), report)
                except (OSError, smtplib.SMTPException) as error:  # the connection broke: stop this batch
                    _retry_all(message_ids[position:], _describe(error), report)
                    return
                else:
                    _finish(message, OutboxState.SENT)
                    report.sent += 1
    except (OSError, smtplib.SMTPException) as error:  # could not connect or log in
        _retry_all(message_ids, _describe(error), report)


def _finish(message: OutboxMessage, state: OutboxState, error: str | None = None) -> None:
    message.state = state
    message.last_error = error[:1000] if error else None
    if state == OutboxState.SENT:
        message.sent_at = utcnow()
    db.session.commit()


def _fail(message: OutboxMessage, error: str, report: Report) -> None:
    report.failed += 1
    report.errors.append(f"{message.recipient}: {error}")
    _finish(message, OutboxState.FAILED, error)


def _retry(message: OutboxMessage, error: str, report: Report) -> None:
    """Back to the queue with exponential back-off, or failed after MAX_ATTEMPTS."""
    if message.attempts >= MAX_ATTEMPTS:
        _fail(message, error, report)
        return
    report.retrying += 1
    report.errors.append(f"{message.recipient}: {error} (to be retried)")
    message.state = OutboxState.QUEUED
    message.next_attempt_at = utcnow() + retry_delay(message.attempts)
    message.last_error = error[:1000]
    db.session.commit()


def _retry_all(message_ids: list[int], error: str, report: Report) -> None:
    db.session.rollback()
    for message_id in message_ids:
        message = db.session.get(OutboxMessage, message_id)
        if message.state == OutboxState.SENDING:
            _retry(message, error, report)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 2, 4... minutes, at most LONGEST_RETRY."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def build_email(message: OutboxMessage) -> EmailMessage:
    """The e-mail of an outbox row: plain text and HTML alternatives, then any attachments."""
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=True)
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    for name, value in (message.headers or {}).items():  # e.g. a mailing's List-Unsubscribe
        email[name] = value
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment["content_type"].partition("/")
        email.add_attachment(base64.b64decode(attachment["data"]), maintype=maintype, subtype=subtype,
                             filename=attachment["filename"])
    email["Content-Language"] = message.language  # after the parts: setting content drops Content-* headers
    return email


class _Transport:
    """A context manager giving a function that delivers one e-mail: over SMTP, or into the outbox folder."""

    def __enter__(self) -> Callable[[EmailMessage], None]:
        config = current_app.config
        if not config["MAIL_SERVER"]:
            self.smtp = None
            return _outbox_writer(Path(config["MAIL_OUTBOX"]))
        self.smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT)
        try:
            if config["MAIL_USE_TLS"]:
                self.smtp.starttls()
            if config["MAIL_USERNAME"]:
                self.smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        except BaseException:
            self.smtp.close()
            raise
        return self._send

    def _send(self, email: EmailMessage) -> None:
        try:
            self.smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:  # one recipient per message: it was refused
            [(code, answer)] = error.recipients.values()
            raise _answer_error(code, answer) from error
        except smtplib.SMTPDataError as error:
            raise _answer_error(error.smtp_code, error.smtp_error) from error

    def __exit__(self, *exc_info) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()


def _answer_error(code: int, answer: bytes | str) -> Exception:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    described = f"{code} {text}"
    return PermanentError(described) if 500 <= code < 600 else TemporaryError(described)


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return _answer_error(error.smtp_code, error.smtp_error).args[0]
    return f"{type(error).__name__}: {error}"


def _outbox_writer(folder: Path) -> Callable[[EmailMessage], None]:
    """Write each e-mail to folder/<message-id>.eml, readable by the owner only (they hold live links)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)

    def write(email: EmailMessage) -> None:
        name = "".join(ch for ch in email["Message-ID"].strip("<>") if ch.isalnum() or ch in ".@_-")
        temporary = folder / f".{name}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(bytes(email))
        os.replace(temporary, folder / f"{name}.eml")

    return write


def run_forever(interval: float, should_stop: Callable[[], bool], echo: Callable[[str], None]) -> None:
    """Send what is due every `interval` seconds until `should_stop()` (checked between runs and while waiting)."""
    while not should_stop():
        try:
            report = send_due()
        except sa.exc.OperationalError as error:  # the database is away for a moment: try again next time
            db.session.rollback()
            echo(f"Database error, trying again in {interval:g} s: {error}")
        else:
            if report.sent or report.failed or report.retrying:
                echo(summary(report))
        db.session.remove()
        deadline = time.monotonic() + interval
        while not should_stop() and time.monotonic() < deadline:
            time.sleep(min(0.2, interval))


def summary(report: Report) -> str:
    lines = [f"Sent {report.sent}, failed {report.failed}, to be retried {report.retrying}."]
    lines += [f"  {error}" for error in report.errors]
    return "\n".join(lines)

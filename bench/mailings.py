"""Benchmark of mailings: queueing one to 10,000 recipients, and the worker's sending rate over SMTP.

    .venv/bin/python -m bench.mailings                       # SQLite, in a temporary file
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python -m bench.mailings

Builds 10,000 people with e-mail addresses (a tenth of them reading English, one in fifty who withdrew
consent to mailings) working at 1,000 organisations, and a draft in Polish and English with merge fields
to all of them. Times, as wall time and this process's CPU time:
- the draft page (the segment read, exclusions counted, a preview rendered),
- sending it: POST /mailings/<id>/send through the test client, which reads the segment again, renders
  every recipient's message and queues them (Core INSERTs in batches, one transaction),
- the worker (`send_due`) sending SENT_BY_WORKER of them to a local SMTP server (aiosmtpd's Sink, run in
  its own process so it does not share this one's CPU).
"""

import socket
import subprocess
import sys
import time

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.run import fresh_database_url
from forum_crm import create_app
from forum_crm.auth.services import create_user
from forum_crm.extensions import db
from forum_crm.models import Affiliation, Mailing, OutboxMessage, OutboxState, Person, Role, Sector
from forum_crm.models.base import utcnow
from forum_crm.models.directory import Organisation
from forum_crm.outbox.worker import send_due

RECIPIENTS = 10_000
ORGANISATIONS = 1_000
SENT_BY_WORKER = 2_000
PASSWORD = "bench password 123"


def report(what: str, started: float, started_cpu: float) -> None:
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(f"| {what} | {wall:.2f} s ({cpu:.2f} s CPU) |", flush=True)


def _network() -> int:
    organisations = [Organisation(name=f"Fundacja Ławeczka {number}", sector=Sector.NGO)
                     for number in range(ORGANISATIONS)]
    db.session.add_all(organisations)
    db.session.flush()
    withdrawn = utcnow()
    for number in range(RECIPIENTS):
        person = Person(first_name=f"Łucja{number}", last_name=f"Żak{number}", email=f"osoba{number}@example.org",
                        language="en" if number % 10 == 0 else None,
                        newsletter_withdrawn_at=withdrawn if number % 50 == 0 else None)
        db.session.add(person)
        db.session.add(Affiliation(person=person, organisation=organisations[number % ORGANISATIONS]))
        if number % 2000 == 0:
            db.session.flush()
    mailing = Mailing(source="people", source_args={}, subject_pl="Zaproszenie dla {first_name}",
                      body_pl="Dzień dobry {first_name},\n\nzapraszamy {organisation} na spotkanie sieci.\n",
                      subject_en="An invitation for {first_name}",
                      body_en="Hello {first_name},\n\nwe invite {organisation} to the network's meeting.\n")
    db.session.add(mailing)
    create_user("bench@example.org", PASSWORD, Role.COORDINATOR)
    db.session.commit()
    return mailing.id


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _smtp_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                               "-c", "aiosmtpd.handlers.Sink"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the SMTP server did not start")


def main() -> None:
    port = _free_port()
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(), "WTF_CSRF_ENABLED": False,
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False, "MAIL_USERNAME": None,
                      "MAILING_CONFIRM_ABOVE": RECIPIENTS * 2})
    print(f"\nDatabase: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}\n")
    print("| what | wall time (CPU time of this process) |\n| --- | --- |", flush=True)
    with app.app_context():
        upgrade()
        mailing_id = _network()
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})

    started, started_cpu = time.perf_counter(), time.process_time()
    page = client.get(f"/mailings/{mailing_id}")
    assert page.status_code == 200, page.status_code
    report(f"GET /mailings/<id> (the draft: {RECIPIENTS:,} people read, exclusions counted, a preview)",
           started, started_cpu)

    expected = RECIPIENTS - RECIPIENTS // 50
    started, started_cpu = time.perf_counter(), time.process_time()
    sent = client.post(f"/mailings/{mailing_id}/send", data={"expected": str(expected)})
    report(f"POST /mailings/<id>/send: queueing {expected:,} recipients (segment, rendering, inserts, commit)",
           started, started_cpu)
    with app.app_context():
        queued = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    assert sent.status_code == 302 and queued == expected, (sent.status_code, queued)

    server = _smtp_server(port)
    try:
        with app.app_context():
            db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id > SENT_BY_WORKER)
                               .values(next_attempt_at=utcnow().replace(year=2100)))  # only the first ones are due
            db.session.commit()
            started, started_cpu = time.perf_counter(), time.process_time()
            result = send_due()
            elapsed = time.perf_counter() - started
            report(f"worker: {result.sent:,} messages sent over SMTP ({result.sent / elapsed:.0f} messages/s)",
                   started, started_cpu)
            assert result.sent == SENT_BY_WORKER and not result.failed, result
            assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.state == OutboxState.SENT)) == SENT_BY_WORKER
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

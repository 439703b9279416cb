"""Benchmark of data protection at 100,000 people, 10,000 organisations and 50 editions, with a change-log entry
per person (as an import leaves them).

    .venv/bin/python -m bench.gdpr                       # SQLite, in a temporary file
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python -m bench.gdpr

Times one person's whole download (the ZIP through the test client), anonymising one person (each run a different
person: it scans the change log, e-mails and security log for their name), and the retention page and count
with every person past the period. Wall time and this process's CPU time; each row is printed as it is measured.
"""

import itertools
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.duplicates import REPEATS, report, timed
from bench.run import EDITIONS, ORGANISATIONS, PEOPLE, fresh_database_url
from forum_crm import create_app
from forum_crm.auth.services import create_user
from forum_crm.extensions import db
from forum_crm.gdpr.erasure import anonymise
from forum_crm.gdpr.retention import count_past_retention
from forum_crm.models import ChangeLogEntry, Origin, Participation, Person, Role
from forum_crm.seeding.demo import generate_demo_network, refresh_statistics

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def _prepare() -> None:
    generate_demo_network(PEOPLE, ORGANISATIONS, seed=1, editions=EDITIONS)
    db.session.commit()
    rows = db.session.execute(sa.select(Person.id, Person.first_name, Person.last_name, Person.email)).all()
    for start in range(0, len(rows), 5_000):
        db.session.execute(sa.insert(ChangeLogEntry), [
            {"entity_type": "person", "entity_id": id, "entity_label": f"{first} {last}", "action": "imported",
             "changes": {"first_name": [None, first], "last_name": [None, last], "email": [None, email]},
             "occurred_at": LONG_AGO} for id, first, last, email in rows[start:start + 5_000]])
    # Real people, all added long ago and idle since (editions of the demo network are in the past or future).
    db.session.execute(sa.update(Person).values(origin=Origin.IMPORT, created_at=LONG_AGO, updated_at=LONG_AGO))
    db.session.execute(sa.delete(Participation))
    db.session.commit()
    refresh_statistics()
    create_user("bench@example.org", "bench password 123", Role.COORDINATOR)
    db.session.commit()


def _download(client, person_id: int) -> None:
    response = client.get(f"/gdpr/people/{person_id}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip", response.status_code
    response.close()


def main() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(), "WTF_CSRF_ENABLED": False})
    print(f"\nDatabase: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; median of {REPEATS} runs\n")
    print("| what | wall time (CPU time of this process) |\n| --- | --- |", flush=True)
    with app.app_context():
        upgrade()
        _prepare()
        person_ids = db.session.scalars(sa.select(Person.id).order_by(Person.id).limit(REPEATS + 1)).all()
        report("people past the retention period: count", timed(lambda: count_past_retention(datetime.now().date())))
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.org", "password": "bench password 123"})
    report("GET /gdpr/retention (first page, with its count)", timed(lambda: client.get("/gdpr/retention")))
    report("GET /gdpr/people/<id>/export.zip (one person's ZIP)",
           timed(lambda: _download(client, person_ids[0])))
    queue = itertools.cycle(person_ids[1:])

    def erase_next() -> None:
        with app.test_request_context():
            anonymise(db.session.get(Person, next(queue)), "bench")
            db.session.commit()

    report("anonymising one person (change log of 100,000 entries scanned for their name)", timed(erase_next))


if __name__ == "__main__":
    main()

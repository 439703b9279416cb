"""Benchmark of registration for an edition with 2,000 invited people.

    .venv/bin/python -m bench.registration                       # SQLite, in a temporary file
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python -m bench.registration

Times queueing the registration form to 2,000 invited people (one request's work), a person opening their
personal link and answering it, the coordinator's answers page, and 50 people answering at once for the last
10 places (threads, each with its own connection): wall time and this process's CPU time.
"""

import threading
import time
from datetime import date, timedelta

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.duplicates import REPEATS, report, timed
from bench.run import fresh_database_url
from forum_crm import create_app
from forum_crm.auth.services import create_user
from forum_crm.extensions import db
from forum_crm.models import Edition, EditionRegistration, Participation, ParticipationStatus, Person, Role
from forum_crm.registration.queries import registration_of, to_invite
from forum_crm.registration.services import Answers, accept, send_invitations
from forum_crm.registration.tokens import personal_token

INVITED = 2_000
RUSHING, FREE = 50, 10


def _edition() -> int:
    start = date.today() + timedelta(days=30)
    edition = Edition(number=1, start_date=start, end_date=start + timedelta(days=1))
    db.session.add(edition)
    db.session.flush()
    db.session.add(EditionRegistration(edition_id=edition.id, opens_on=date.today(), closes_on=start,
                                       capacity=INVITED - RUSHING - 20 + FREE, reminder_days=3))
    db.session.execute(sa.insert(Person), [
        {"first_name": f"Osoba{n}", "last_name": f"Zaproszona{n}", "email": f"osoba{n}@example.org",
         "search_text": f"osoba{n} zaproszona{n}", "name_sort": f"zaproszona{n:05d}"} for n in range(INVITED)])
    people = db.session.scalars(sa.select(Person.id).order_by(Person.id)).all()
    db.session.execute(sa.insert(Participation), [
        {"edition_id": edition.id, "person_id": person_id, "status": ParticipationStatus.INVITED}
        for person_id in people])
    db.session.commit()
    return edition.id


def main() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(), "WTF_CSRF_ENABLED": False})
    print(f"\nDatabase: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; median of {REPEATS} runs\n")
    print("| what | wall time (CPU time of this process) |\n| --- | --- |", flush=True)
    with app.test_request_context():
        upgrade()
        edition_id = _edition()
        create_user("bench@example.org", "bench password 123", Role.COORDINATOR)
        db.session.commit()
        edition = db.session.get(Edition, edition_id)

        def invite_all():
            send_invitations(edition, list(db.session.scalars(to_invite(edition_id)).unique()))
            db.session.commit()

        report(f"queue the form to {INVITED:,} invited people (once)", timed(invite_all, repeats=1))
        participation_ids = db.session.scalars(sa.select(Participation.id).order_by(Participation.id)).all()
        links = [f"/registration/{personal_token(registration_of(pid))}" for pid in participation_ids]
        start = edition.start_date
    client = app.test_client()
    report("GET /registration/<token> (the personal link)", timed(lambda: client.get(links[0])))
    answering = iter(links[1:])
    report("POST /registration/<token> (an answer: place, e-mail with .ics queued)",
           timed(lambda: client.post(next(answering), data={"coming": "yes", "days": [start.isoformat()]})))
    client.post("/login", data={"email": "bench@example.org", "password": "bench password 123"})
    report(f"GET /registration/editions/<id>/answers ({INVITED:,} people)",
           timed(lambda: client.get(f"/registration/editions/{edition_id}/answers")))
    with app.app_context():  # fill all but FREE places, so that RUSHING people race for the last ones
        capacity = db.session.get(EditionRegistration, edition_id).capacity
        taken = db.session.scalar(sa.select(sa.func.count()).select_from(Participation).where(
            Participation.status == ParticipationStatus.REGISTERED))
        fill = db.session.scalars(sa.select(Participation.id).where(
            Participation.status == ParticipationStatus.INVITED).order_by(Participation.id.desc())
            .limit(capacity - FREE - taken)).all()
        db.session.execute(sa.update(Participation).where(Participation.id.in_(fill))
                           .values(status=ParticipationStatus.REGISTERED))
        db.session.commit()
        rushing = db.session.scalars(sa.select(Participation.id).where(
            Participation.status == ParticipationStatus.INVITED).order_by(Participation.id).offset(20)
            .limit(RUSHING)).all()
    answers = Answers([start], [], None, False, None, None, False)
    barrier = threading.Barrier(RUSHING)

    def register(participation_id: int) -> None:
        with app.test_request_context():
            barrier.wait()
            registration = registration_of(participation_id)
            accept(registration, registration.link_sequence, answers, "pl")
            db.session.commit()

    threads = [threading.Thread(target=register, args=(pid,)) for pid in rushing]
    started, started_cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report(f"{RUSHING} people at once for the last {FREE} places (all of them)",
           f"{(time.perf_counter() - started) * 1000:.0f} ms ({(time.process_time() - started_cpu) * 1000:.0f} ms CPU)")


if __name__ == "__main__":
    main()

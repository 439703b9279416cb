"""Capacity holds under concurrency: 50 people registering at once for the last 10 places, each in its own
thread with its own session and connection, give exactly 10 registered and 40 on the waiting list, numbered
1 to 40 without gaps or repeats (run on SQLite, and on PostgreSQL with TEST_DATABASE_URL)."""

import threading
from datetime import date, timedelta

import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import EditionRegistration, Participation, ParticipationStatus, Registration
from forum_crm.registration.queries import registration_of
from forum_crm.registration.services import Answers, accept, ensure_registration
from tests import factories

TAKEN, FREE, RUSHING = 40, 10, 50


def test_fifty_people_for_the_last_ten_places(app):
    start = date.today() + timedelta(days=30)
    with app.app_context():
        edition = factories.edition(9, start, start + timedelta(days=1))
        db.session.add(EditionRegistration(edition=edition, opens_on=date.today(), closes_on=start,
                                           capacity=TAKEN + FREE, reminder_days=3))
        for number in range(TAKEN):
            factories.participation(edition, factories.person(f"Zapisana{number}"),
                                    status=ParticipationStatus.REGISTERED)
        rushing = []
        for number in range(RUSHING):
            participation = factories.participation(edition, factories.person(f"Chętna{number}",
                                                                              email=f"chetna{number}@example.org"))
            ensure_registration(participation)
            rushing.append(participation.id)
        db.session.commit()
        edition_id = edition.id
    answers = Answers(days=[start], nights=[], travel_from=None, refund_needed=False, dietary_needs=None,
                      accessibility_needs=None, photo_consent=False)
    barrier = threading.Barrier(RUSHING)
    errors = []

    def register(participation_id: int) -> None:
        with app.test_request_context():
            try:
                barrier.wait(timeout=60)  # all start together (then each waits for a connection from the pool)
                registration = registration_of(participation_id)
                accept(registration, registration.link_sequence, answers, "pl")
                db.session.commit()
            except Exception as error:  # reported below: any failure fails the test
                errors.append(repr(error))
                db.session.rollback()

    threads = [threading.Thread(target=register, args=(participation_id,)) for participation_id in rushing]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        statuses = dict(db.session.execute(
            sa.select(Participation.status, sa.func.count()).where(Participation.edition_id == edition_id)
            .group_by(Participation.status)).tuples().all())
        assert statuses == {ParticipationStatus.REGISTERED: TAKEN + FREE, ParticipationStatus.INVITED: RUSHING - FREE}
        numbers = sorted(db.session.scalars(sa.select(Registration.waiting_number)
                                            .where(Registration.waiting_number.is_not(None))))
        assert numbers == list(range(1, RUSHING - FREE + 1))

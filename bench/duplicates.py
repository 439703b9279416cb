"""Benchmark of the duplicate finder and of a merge, at 100,000 demo people and 10,000 organisations.

    .venv/bin/python -m bench.duplicates                       # SQLite, in a temporary file
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python -m bench.duplicates

Times the first page of the finder (the query, and the whole page through the test client) and a merge of a
person with 50 participations into another. Results go to standard output as a Markdown table.
"""

import time

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.run import EDITIONS, ORGANISATIONS, PEOPLE, fresh_database_url, median_ms
from forum_crm import create_app
from forum_crm.auth.services import create_user
from forum_crm.duplicates.merging import merge_people
from forum_crm.duplicates.queries import person_pairs
from forum_crm.extensions import db
from forum_crm.models import Edition, Participation, Person, Role
from forum_crm.pagination import PER_PAGE
from forum_crm.seeding.demo import generate_demo_network, refresh_statistics
from forum_crm.seeding.report import seed_report

REPEATS = 5


def _first_page() -> int:
    return len(db.session.execute(person_pairs().limit(PER_PAGE)).all())


def _person_with_participations(count: int) -> tuple[int, int]:
    """A person in `count` editions and a twin of theirs in some of them: the pair to merge."""
    editions = db.session.scalars(sa.select(Edition.id).order_by(Edition.id).limit(count)).all()
    person = Person(first_name="Ołena", last_name="Szewczenko")
    twin = Person(first_name="Olena", last_name="Szewczenko")
    db.session.add_all([person, twin])
    db.session.flush()
    db.session.add_all([Participation(edition_id=edition_id, person_id=twin.id) for edition_id in editions])
    db.session.add_all([Participation(edition_id=edition_id, person_id=person.id) for edition_id in editions[::3]])
    db.session.commit()
    return person.id, twin.id


def main() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(), "WTF_CSRF_ENABLED": False})
    results = []
    with app.app_context():
        upgrade()
        seed_report()
        generate_demo_network(PEOPLE, ORGANISATIONS, seed=1, editions=EDITIONS)
        db.session.commit()
        refresh_statistics()
        create_user("bench@example.org", "bench password 123", Role.COORDINATOR)
        db.session.commit()
        pairs = db.session.scalar(sa.select(sa.func.count()).select_from(person_pairs().subquery()))
        results.append((f"likely duplicate pairs of people in the demo network ({PEOPLE:,} people)", f"{pairs:,}"))
        results.append(("finder query, first page of people", f"{median_ms(_first_page, REPEATS):.0f} ms"))
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.org", "password": "bench password 123"})
    for path in ("/duplicates/people", "/duplicates/organisations"):
        timing = median_ms(lambda path=path: client.get(path), REPEATS)
        results.append((f"GET {path} (first page, with its count)", f"{timing:.0f} ms"))
    results.append(_merge_timing(app))

    print(f"\nDatabase: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; median of {REPEATS} runs\n")
    print("| what | time |\n| --- | --- |")
    for what, value in results:
        print(f"| {what} | {value} |")


def _merge_timing(app) -> tuple[str, str]:
    """One merge of a person with 50 participations (a merge cannot be repeated on the same pair)."""
    with app.test_request_context():
        kept_id, twin_id = _person_with_participations(50)
        started = time.perf_counter()
        merge_people(db.session.get(Person, kept_id), db.session.get(Person, twin_id), set())
        db.session.commit()
        return "merge of a person with 50 participations", f"{(time.perf_counter() - started) * 1000:.0f} ms"


if __name__ == "__main__":
    main()

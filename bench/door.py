"""Benchmark of the door and of the suggestions while typing, at 100,000 demo people and 10,000 organisations.

    .venv/bin/python -m bench.door                       # SQLite, in a temporary file
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python -m bench.door

Times, through the test client as the coordinator: suggestions of people and organisations (a common and a rare
piece of a name: the rare one reads every row's folded search text), the check-in page's search, a check-in
answered as JSON, a scanned badge, and a page of 48 name badges with their QR codes. Wall time and this process's
CPU time, median of 5 runs; each row of the Markdown table is printed as soon as it is measured.
"""

import sqlalchemy as sa

from bench.duplicates import report, timed
from bench.run import BENCH_LOGIN, network_app
from forum_crm.editions.badges import badge_token
from forum_crm.extensions import db
from forum_crm.models import Edition, Participation, Person
from forum_crm.text import fold

JSON = {"Accept": "application/json"}


def _biggest_edition() -> tuple[int, str]:
    """The edition with the most participants, and its first day."""
    edition_id = db.session.scalar(sa.select(Participation.edition_id).group_by(Participation.edition_id)
                                   .order_by(sa.func.count().desc()).limit(1))
    return edition_id, db.session.get(Edition, edition_id).start_date.isoformat()


def main() -> None:
    app = network_app(5)
    with app.test_request_context():
        edition_id, day = _biggest_edition()
        common = fold(db.session.scalar(sa.select(Person.last_name).order_by(Person.id).limit(1)))[:4]
        participations = db.session.scalars(sa.select(Participation).where(Participation.edition_id == edition_id)
                                            .order_by(Participation.id).limit(10)).all()
        people = [participation.person_id for participation in participations]
        tokens = [badge_token(participation) for participation in participations[5:]]
    client = app.test_client()
    client.post("/login", data=dict(zip(("email", "password"), BENCH_LOGIN, strict=True)))
    for what, path in ((f"people, common ({common!r})", f"/people/suggestions?q={common}"),
                       ("people, rare ('qxzw')", "/people/suggestions?q=qxzw"),
                       ("organisations, common ('fund')", "/organisations/suggestions?q=fund"),
                       ("organisations, rare ('qxzw')", "/organisations/suggestions?q=qxzw")):
        report(f"GET suggestions of {what}", timed(lambda path=path: client.get(path, headers=JSON)))
    report(f"GET check-in page searching {common!r}",
           timed(lambda: client.get(f"/editions/{edition_id}/checkin?day={day}&q={common}")))
    checked_in = iter(people[:5])
    report("POST a check-in, answered as JSON (5 people)", timed(lambda: client.post(
        f"/editions/{edition_id}/checkin/{next(checked_in)}", data={"day": day}, headers=JSON)))
    scanned = iter(tokens)
    report("POST a scanned badge, answered as JSON (5 people)", timed(lambda: client.post(
        f"/editions/{edition_id}/checkin/badge", data={"day": day, "token": next(scanned)}, headers=JSON)))
    report("GET a page of 48 name badges (QR codes drawn)", timed(lambda: client.get(f"/editions/{edition_id}/badges")))


if __name__ == "__main__":
    main()

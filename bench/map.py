"""The member map at today's size (104 people, 51 organisations) and at 100,000 people in ~3,300 towns.

    .venv/bin/python -m bench.map            # SQLite
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/forum_crm_bench .venv/bin/python -m bench.map

The PostgreSQL database is emptied and rebuilt. "Built" is a request whose map is not in the
cache (the SQL aggregates and folium's rendering); "cached" is a repeated view.
"""

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from bench.run import EDITIONS, ORGANISATIONS, PEOPLE, fresh_database_url, median_ms
from forum_crm import create_app
from forum_crm.auth.services import create_user
from forum_crm.extensions import db
from forum_crm.mapping.queries import map_data_version
from forum_crm.models import Locality, Organisation, Role
from forum_crm.seeding import demo
from forum_crm.seeding.report import seed_report

CACHE = "forum_crm.map_cache"
PASSWORD = "bench password 123"


def measure(app: Flask, label: str) -> list[tuple[str, str]]:
    """Times of the map pages of the network now in the database."""
    with app.app_context():
        towns = db.session.scalar(sa.select(sa.func.count(sa.distinct(Organisation.locality_id))))
        located = db.session.scalar(sa.select(sa.func.count(Locality.id)).where(Locality.latitude.is_not(None)))
        version_ms = median_ms(map_data_version)
    rows = [(f"{label}: towns with organisations / localities with coordinates", f"{towns:,} / {located:,}"),
            (f"{label}: data version query (every view)", f"{version_ms:.1f} ms")]
    for role in (Role.COORDINATOR, Role.MEMBER):
        client = app.test_client()
        client.post("/login", data={"email": f"{role}@example.org", "password": PASSWORD})
        size = len(client.get("/map").data)

        rows += [
            (f"{label}: GET /map as {role}, built", f"{median_ms(lambda c=client: built(app, c), 10):.1f} ms"),
            (f"{label}: GET /map as {role}, cached", f"{median_ms(lambda c=client: c.get('/map')):.1f} ms"),
            (f"{label}: HTML of /map as {role}", f"{size / 1024:,.0f} KiB"),
        ]
    filtered = "?edition=1&sector=ngo"
    rows.append((f"{label}: GET /map{filtered} as member, built",
                 f"{median_ms(lambda: built(app, client, filtered), 10):.1f} ms"))
    return rows


def built(app: Flask, client, query: str = "") -> None:
    """A view of the map that is not in the cache."""
    app.extensions.pop(CACHE, None)
    assert client.get(f"/map{query}").status_code == 200


def main() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(), "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        seed_report()
        demo.generate_demo_network(104, 51, seed=1)
        for role in (Role.COORDINATOR, Role.MEMBER):
            create_user(f"{role}@example.org", PASSWORD, role)
        db.session.commit()
    results = measure(app, "today (104 people, 51 organisations)")
    with app.app_context():
        demo.generate_demo_network(PEOPLE, ORGANISATIONS, seed=1, editions=EDITIONS)
        db.session.commit()
        if hasattr(demo, "refresh_statistics"):
            demo.refresh_statistics()
    results += measure(app, f"{PEOPLE:,} people, {ORGANISATIONS:,} organisations")

    print(f"\nDatabase: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; median of 10-20 runs\n")
    print("| what | value |\n| --- | --- |")
    for what, value in results:
        print(f"| {what} | {value} |")


if __name__ == "__main__":
    main()

"""Benchmark of the public pages and the API at 100,000 people and 10,000 organisations, all of them shown
publicly with every field (the most the public pages can ever have to show).

    .venv/bin/python -m bench.public                       # SQLite, in a temporary file
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python -m bench.public

Each page through the test client (the whole Flask request, rendering included): the first request (cold, the
map built), then the median of the next ones (cached map; the list and the API query each time), then an answer
to If-None-Match (304). Wall time and this process's CPU time (the machine may be shared).
"""

import time

import sqlalchemy as sa

from bench.duplicates import REPEATS, report, timed
from bench.run import network_app
from forum_crm.extensions import db
from forum_crm.models import Edition, Organisation, Origin
from forum_crm.models.base import utcnow

PAGES = ("/public/map", "/public/map.js", "/public/organisations", "/public/organisations?q=fund",
         "/public/organisations?page=200", "/api/v1/organisations", "/api/v1/organisations?per_page=200&page=20",
         "/api/v1/editions", "/public/editions.ics")


def main() -> None:
    app = network_app(REPEATS, PUBLIC_RATE_LIMIT=10**9)
    with app.app_context():
        # Demo records are never public: make the generated network look real, and show all of it.
        db.session.execute(sa.update(Organisation).values(
            origin=Origin.IMPORT, public_since=utcnow(), public_town=True, public_areas=True, public_languages=True,
            public_website=True))
        db.session.execute(sa.update(Edition).values(origin=Origin.IMPORT, is_public=True))
        db.session.commit()
    client = app.test_client()
    for path in PAGES:
        started, started_cpu = time.perf_counter(), time.process_time()
        first = client.get(path)
        assert first.status_code == 200, (path, first.status_code)
        wall, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
        report(f"GET {path}, first ({len(first.data) // 1024} KB)", f"{wall:.0f} ms ({cpu:.0f} ms CPU)")
        report(f"GET {path}, again", timed(lambda path=path: client.get(path)))
        etag = first.headers["ETag"]
        report(f"GET {path}, unchanged (304)",
               timed(lambda path=path, etag=etag: client.get(path, headers={"If-None-Match": etag})))


if __name__ == "__main__":
    main()

"""CPU time of built member maps at 100,000 people, on a database that holds the bench network (bench/network.py).

    .venv/bin/python -m bench.map_built sqlite:////tmp/bench.sqlite
    .venv/bin/python -m bench.map_built postgresql://postgres@127.0.0.1:5432/forum_crm_bench

Every view comes after a change-log entry and new table versions, as after any edit (bench.compare.invalidate), so the
map is built again: the SQL, the circles and their JSON, the compression of the data, the page (gzipped, as a browser
asks). For each page: the median CPU time a request of this process and, on PostgreSQL, of the database server
processes of its connections (found by application_name), which the machine's other users cannot inflate as they do
wall time. The garbage collector is set as wsgi.py sets it (settle_garbage_collector). To compare two versions of the
code on a shared machine, run it on each alternately, on copies of the same database.
"""

import argparse
import logging
import statistics
import time

import sqlalchemy as sa

from bench.compare import invalidate
from bench.cpu import process_cpu
from bench.network import ACCOUNTS, PASSWORD, bench_app
from forum_crm import settle_garbage_collector
from forum_crm.config import with_psycopg_driver
from forum_crm.models import Role

PAGES = ("/map", "/map?edition=101", "/map?sector=ngo&edition=1")
NAME = "bench_map_built"


def server_cpu(engine: sa.Engine) -> float:
    """CPU seconds of the PostgreSQL server processes serving the app's connections (0 on SQLite), looked up
    through `engine`, which is not the app's."""
    if engine.dialect.name != "postgresql":
        return 0.0
    with engine.connect() as connection:
        pids = connection.scalars(sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                                  {"name": NAME}).all()
    return sum(process_cpu(pid) for pid in pids)


def main(database_url: str, repeats: int) -> None:
    tagged = database_url + (("&" if "?" in database_url else "?") + f"application_name={NAME}"
                             if database_url.startswith("postgres") else "")
    app = bench_app(tagged)
    settle_garbage_collector()  # as wsgi.py does
    logging.getLogger("forum_crm.requests").setLevel(logging.WARNING)
    writer = sa.create_engine(with_psycopg_driver(database_url))
    client = app.test_client()
    client.post("/login", data={"email": ACCOUNTS[Role.COORDINATOR], "password": PASSWORD})
    print(f"\nDatabase: {writer.dialect.name}; CPU per built map: median of {repeats} (the server's: mean)\n")
    print("| page | CPU (of which the database server) | body (gzip) |\n| --- | --- | --- |")
    for path in PAGES:
        cpu, server = [], []
        for round_ in range(repeats + 2):  # two to warm up
            invalidate(writer)
            before_server, before = server_cpu(writer), time.process_time()
            response = client.get(path, headers={"Accept-Encoding": "gzip"})
            spent, on_server = time.process_time() - before, server_cpu(writer) - before_server
            assert response.status_code == 200, (path, response.status_code)
            if round_ >= 2:
                cpu.append((spent + on_server) * 1000)
                server.append(on_server * 1000)
        print(f"| `{path}` | {statistics.median(cpu):.0f} ms ({statistics.mean(server):.0f} ms) "
              f"| {len(response.data) / 1024:,.0f} KiB |")
    writer.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="SQLite or PostgreSQL URL of a bench network (bench/network.py)")
    parser.add_argument("repeats", nargs="?", type=int, default=15, help="views of each map (default 15)")
    arguments = parser.parse_args()
    main(arguments.database, arguments.repeats)

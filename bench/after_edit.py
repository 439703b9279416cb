"""What a page costs right after an edit, when nothing kept between requests is up to date, under gunicorn.

    .venv/bin/python -m bench.after_edit --database sqlite:////tmp/net.sqlite /people /organisations
    .venv/bin/python -m bench.after_edit --database postgresql://postgres@127.0.0.1:5432/forum_crm_bench /people

Serves this checkout (`wsgi:app`, 2 workers) on an existing bench network (bench/network.py) and, before each
request, gives every table a new version (forum_crm.kept.mark_all_changed, in its own transaction, not timed), so
every count and every kept page is made again. Prints the CPU time per request of the workers and, on PostgreSQL,
of their database server processes. Run from a checkout without forum_crm.kept (before issue 15's kept pages), it
measures plain requests: nothing was kept then.
"""

import argparse

import sqlalchemy as sa

from bench.compare import Server, logged_in
from forum_crm.config import with_psycopg_driver

try:
    from forum_crm.kept import mark_all_changed
except ImportError:  # a checkout from before anything was kept
    mark_all_changed = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLite or PostgreSQL URL of a bench network")
    parser.add_argument("--requests", type=int, default=40, help="requests per page (default 40)")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    engine = sa.create_engine(with_psycopg_driver(args.database))
    server = Server("wsgi:app", args.database, engine)
    try:
        session = logged_in(server)
        for path in args.paths:
            for _ in range(5):  # templates compiled, connections open
                session.get(server.url(path))
            cpu = 0.0
            for _ in range(args.requests):
                if mark_all_changed is not None:
                    with engine.begin() as connection:
                        mark_all_changed(connection)
                before = server.cpu_times()
                assert session.get(server.url(path), headers={"Accept-Encoding": "gzip"}).status_code == 200
                cpu += server.cpu_seconds_since(before)
            print(f"{path}: {cpu / args.requests * 1000:.1f} ms of CPU a request after an edit", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()

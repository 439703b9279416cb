"""Pages of two checkouts of forum-crm side by side, interleaved in one run: CPU time per request of each.

    git worktree add /tmp/before main   # or any commit; then, in it: pybabel compile -d forum_crm/translations
    .venv/bin/python -m bench.before_after --before /tmp/before \
        --before-database sqlite:////tmp/before.sqlite --database sqlite:////tmp/after.sqlite
    .venv/bin/python -m bench.before_after ... --after-edit /reports/editions/4 /reports/editions/53

Each checkout runs under gunicorn with 2 workers (bench/compare.py's Server) on its own copy of the same network
(100,000 people, bench/network.py), migrated by that checkout; every round asks each page of "before", then of
"after", so a change in the machine's load hits both alike. CPU time is that of the workers and, on PostgreSQL,
of the database server processes of their connections, read from /proc. With --after-edit, before each request
(not timed) the copy gets a change-log entry and every table a new version (bench/compare.py's invalidate, as after
any edit), so nothing kept between requests is up to date, maps included; paths given on the command line replace
the pages below.
"""

import argparse
import sys
from pathlib import Path

import sqlalchemy as sa

from bench.compare import Server, Timings, engine_name, invalidate, logged_in, percentile, timed_get
from bench.network import bench_app

PAGES = [
    ("report of the first demo edition (2,532 attended, 3 editions before it)", "/reports/editions/4"),
    ("report of the last edition held (2,549 attended, 14 editions before it)", "/reports/editions/15"),
    ("report of the last demo edition (not held yet)", "/reports/editions/53"),
    ("reports overview, real records (3 editions)", "/reports"),
    ("reports overview with demo records (53 editions)", "/reports?demo=y"),
    ("each person's editions, first page, with demo records", "/reports/people?demo=y"),
    ("each organisation's editions, first page, with demo records", "/reports/organisations?demo=y"),
    ("yearly summary, real records (2023: 3 editions)", "/reports/summary"),
    ("yearly summary with demo records (2026: 4 editions, 3,285 towns)", "/reports/summary?demo=y"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the other checkout's directory")
    parser.add_argument("--before-database", required=True, help="its copy of the network (URL)")
    parser.add_argument("--database", required=True, help="this checkout's copy of the network (URL)")
    parser.add_argument("--rounds", type=int, default=20, help="requests per page and checkout (default 20)")
    parser.add_argument("--after-edit", action="store_true", help="every table changed before each request")
    parser.add_argument("paths", nargs="*", help="pages to ask instead of the reports' pages")
    args = parser.parse_args()
    pages = [(path, path) for path in args.paths] or PAGES
    servers = {}
    try:
        for name, directory, url in (("before", args.before, args.before_database),
                                     ("after", str(Path(__file__).resolve().parent.parent), args.database)):
            engine = sa.create_engine(bench_app(url).config["SQLALCHEMY_DATABASE_URI"])
            servers[name] = Server("wsgi:app", url, engine, cwd=directory)
        results = measure(servers, args.rounds, pages, args.after_edit)
    finally:
        for server in servers.values():
            server.stop()
    print(f"\n{engine_name(args.database)}; {args.rounds} rounds{', right after an edit' if args.after_edit else ''}; "
          "CPU ms per request of the server's workers and their database server processes; wall ms p50\n")
    print("| page | before: CPU | before: p50 | after: CPU | after: p50 |\n| --- | --- | --- | --- | --- |")
    for (what, path), (before, after) in zip(pages, results, strict=True):
        print(f"| {what} (`{path}`) | {before.cpu_cell()} | {percentile(before.wall, 50):,.0f} | "
              f"{after.cpu_cell()} | {percentile(after.wall, 50):,.0f} |")


def measure(servers: dict[str, Server], rounds: int, pages: list[tuple[str, str]],
            after_edit: bool = False) -> list[tuple[Timings, Timings]]:
    sessions = {name: logged_in(server) for name, server in servers.items()}
    results = [(Timings(), Timings()) for _ in pages]
    for name, server in servers.items():  # warm up: templates compiled, connections open
        for _what, path in pages:
            for _ in range(4):
                sessions[name].get(server.url(path))
    for round_ in range(rounds):
        for (_what, path), timings in zip(pages, results, strict=True):
            for name, page_timings in zip(servers, timings, strict=True):
                if after_edit:
                    invalidate(servers[name].engine)
                timed_get(servers[name], sessions[name], path, page_timings)
        print(f"round {round_ + 1} of {rounds}", file=sys.stderr, flush=True)
    return results


if __name__ == "__main__":
    main()

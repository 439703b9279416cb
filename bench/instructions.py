"""Instructions a page costs right after an edit, counted by Valgrind: a figure the machine's load cannot change.

    apt-get install valgrind
    .venv/bin/python -m bench.instructions --database sqlite:////tmp/net.sqlite /organisations /people
    .venv/bin/python -m bench.instructions --checkout /tmp/before --database sqlite:////tmp/before.sqlite /organisations

CPU time on a shared machine moves with what else runs (each server's caches left cold by the others), by a
tenth or more between runs; the number of instructions a request executes does not. For each page this runs a
process under `valgrind --tool=cachegrind --cache-sim=no` that serves the page through Flask's test client
(in-process: no gunicorn, no HTTP; the garbage collector set as wsgi.py sets it), logged in as the bench
coordinator, on an existing bench network (bench/network.py) at the checkout's migration, gzip accepted. Before each
request every table gets a new version (forum_crm.kept.mark_all_changed), so nothing kept between requests is up to
date. It runs WARM_UP requests then --requests more, and again WARM_UP alone; the difference, less that of the
edits alone, divided by --requests is the page's instructions a request (within about 1% from run to run at 100
requests; at 20, what the process does before serving varies enough to move it by a tenth). --checkout serves
another checkout's forum_crm (with this bench), so two versions can be compared on copies of one network. Python's
hash seed is fixed. On PostgreSQL only the app's instructions are counted, not the database server's.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

from bench.network import ACCOUNTS, PASSWORD, bench_app
from forum_crm import settle_garbage_collector
from forum_crm.extensions import db
from forum_crm.kept import mark_all_changed
from forum_crm.models import Role

WARM_UP = 5


def serve(database_url: str, path: str | None, requests: int) -> None:
    """The measured process: WARM_UP + `requests` edits, each followed by a request of `path` (None: edits only)."""
    app = bench_app(database_url)
    settle_garbage_collector()  # as wsgi.py does
    client = app.test_client()
    response = client.post("/login", data={"email": ACCOUNTS[Role.COORDINATOR], "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    with app.app_context():
        engine: sa.Engine = db.engine
    for _ in range(WARM_UP + requests):
        with engine.begin() as connection:
            mark_all_changed(connection)
        if path is not None:
            response = client.get(path, headers={"Accept-Encoding": "gzip"})
            assert response.status_code == 200, (path, response.status_code)


def counted(checkout: Path, database_url: str, path: str | None, requests: int) -> int:
    """Instructions of one measured process (Valgrind's "I refs"): this `bench` (linked from a folder of its own)
    serving the checkout's `forum_crm`."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, "-m", "bench.instructions", "--serve", "--database", database_url,
               "--requests", str(requests), *([path] if path is not None else [])]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "bench").symlink_to(Path(__file__).resolve().parent)
        environment = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": f"{folder}:{checkout.resolve()}"}
        result = subprocess.run(command, cwd=folder, env=environment, capture_output=True, text=True, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if result.returncode != 0 or found is None:
        sys.exit(f"the measured process failed:\n{result.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def per_request(checkout: Path, database_url: str, path: str | None, requests: int) -> float:
    return (counted(checkout, database_url, path, requests) - counted(checkout, database_url, path, 0)) / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLite or PostgreSQL URL of a bench network")
    parser.add_argument("--requests", type=int, default=100, help="measured requests per page (default 100)")
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the forum-crm checkout to serve (default: this one)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the measured process
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    if args.serve:
        serve(args.database, args.paths[0] if args.paths else None, args.requests)
        return
    if not args.paths:
        parser.error("name at least one page")
    edits = per_request(args.checkout, args.database, None, args.requests)
    for path in args.paths:
        page = per_request(args.checkout, args.database, path, args.requests) - edits
        print(f"{path}: {page / 1e6:.2f} million instructions a request after an edit", flush=True)


if __name__ == "__main__":
    main()

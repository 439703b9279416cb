"""forum-crm against what a user would pick instead, over HTTP, side by side and interleaved in one run.

    make bench-compare                        # SQLite: builds bench/.network.sqlite once, then reuses it
    .venv/bin/python -m bench.compare --database postgresql://postgres@127.0.0.1:5432/forum_crm_bench

Needs requirements-bench.txt (Flask-Admin). The 100,000-person network is built once (bench/network.py) and
reused by later runs. forum-crm and the alternatives (bench/alternatives.py: Flask-Admin ModelViews, a naive
folium map) each run under gunicorn with 2 workers; every round asks each page of each once, in turn, so a
change in the machine's load hits all of them alike ("built" pages, asked after an edit, in rounds of their own).
For each page: p50 and p95 of wall time, and the CPU time its server's workers (and, on PostgreSQL, the
database server processes of their connections) spent per request, read from /proc (each thread's time on a CPU, in
nanoseconds): what the machine's other users cannot inflate.
"Bare SQL" replays the statements the page ran (recorded once through the test client) on one connection.
"""

import argparse
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa

from bench.cpu import process_cpu
from bench.network import ACCOUNTS, PASSWORD, bench_app, ensure_network
from forum_crm.extensions import db
from forum_crm.kept import mark_all_changed
from forum_crm.models import Role, TableVersion

DEFAULT_DATABASE = f"sqlite:///{Path(__file__).resolve().parent / '.network.sqlite'}"

# (what, forum-crm's page, the alternative's page or None). Pages seen again are kept (forum_crm.kept: list pages'
# content and totals, maps) until their data change; "built" pages are asked after an edit (a change-log entry and
# every table's version bumped), so nothing kept in either worker is up to date, as after any edit.
PAGES = [
    ("people, page 1", "/people", "/admin/person/"),
    ("people, page 1, built", "/people", "/admin/person/"),
    ("people search, hits (`kowal`), built", "/people?q=kowal", "/admin/person/?search=kowal"),
    ("organisations, page 1, built", "/organisations", "/admin/organisation/"),
    ("people search, no hits (`zolw`)", "/people?q=zolw", "/admin/person/?search=zolw"),
    ("people search, hits (`kowal`)", "/people?q=kowal", "/admin/person/?search=kowal"),
    ("people, page 2000", "/people?page=2000", "/admin/person/?page=1999"),
    ("organisations, page 1", "/organisations", "/admin/organisation/"),
    ("organisations search (`fundacja`)", "/organisations?q=fundacja", "/admin/organisation/?search=fundacja"),
    ("organisations, page 200", "/organisations?page=200", "/admin/organisation/?page=199"),
    ("map, cached", "/map", None),
    ("map, built", "/map", "/naive-map"),
    ("map `?sector=ngo&edition=1`, built", "/map?sector=ngo&edition=1", None),
    ("map `?edition=101` (3,000 people), built", "/map?edition=101", None),
    ("report of the first demo edition", "/reports/editions/4", None),
    ("report of the last demo edition", "/reports/editions/53", None),
    ("report of the first demo edition, built", "/reports/editions/4", None),
    ("home page", "/", None),
]


@dataclass
class Timings:
    wall: list[float] = field(default_factory=list)
    cpu: float = 0.0
    wire: int = 0

    def cell(self) -> str:
        if not self.wall:
            return "-"
        return f"{percentile(self.wall, 50):,.0f} / {percentile(self.wall, 95):,.0f}"

    def cpu_cell(self) -> str:
        return f"{self.cpu / len(self.wall) * 1000:,.1f}" if self.wall else "-"


def percentile(values: list[float], share: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


class Server:
    """`gunicorn --workers 2` serving `app_spec` on a free local port. Its CPU time is its workers' and, on
    PostgreSQL, that of the database server processes serving their connections (found by application_name)."""

    def __init__(self, app_spec: str, database_url: str, engine: sa.Engine, cwd: str | None = None):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.engine, self.name = engine, f"bench{self.port}"
        if database_url.startswith("postgres"):
            database_url += ("&" if "?" in database_url else "?") + f"application_name={self.name}"
        env = {"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-key-" + "x" * 40, "PATH": "/usr/bin:/bin"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "600", "--bind",
             f"127.0.0.1:{self.port}", app_spec], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                requests.get(self.url("/login"), timeout=60)
                if len(self.workers()) == 2:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn {app_spec} did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def backends(self) -> list[int]:
        if self.engine.dialect.name != "postgresql":
            return []
        with self.engine.connect() as connection:
            return list(connection.scalars(sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                                           {"name": self.name}))

    def cpu_times(self) -> dict[int, float]:
        """CPU seconds so far of each worker and database server process."""
        return {pid: process_cpu(pid) for pid in self.workers() + self.backends()}

    def cpu_seconds_since(self, before: dict[int, float]) -> float:
        return sum(seconds - before.get(pid, 0.0) for pid, seconds in self.cpu_times().items())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def logged_in(server: Server, role: Role = Role.COORDINATOR) -> requests.Session:
    session = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', session.get(server.url("/login")).text).group(1)
    response = session.post(server.url("/login"), data={"email": ACCOUNTS[role], "password": PASSWORD,
                                                        "csrf_token": token}, allow_redirects=False)
    assert response.status_code == 302, response.status_code
    return session


def timed_get(server: Server, session: requests.Session, path: str, timings: Timings) -> None:
    """One request, its whole body read as sent (compressed or not); wall time and the workers' CPU time."""
    cpu = server.cpu_times()
    started = time.perf_counter()
    response = session.get(server.url(path), stream=True, headers={"Accept-Encoding": "gzip"})
    body = response.raw.read(decode_content=False)
    timings.wall.append((time.perf_counter() - started) * 1000)
    timings.cpu += server.cpu_seconds_since(cpu)
    timings.wire = len(body)
    assert response.status_code == 200, (path, response.status_code)


def recorded_statements(database_url: str, path: str, cached: bool) -> list[tuple[str, object]]:
    """The SQL statements (and parameters) the page runs, recorded through the test client (`cached`: its second
    view, after the first filled what is kept between requests)."""
    app = bench_app(database_url)
    statements = []
    client = app.test_client()
    client.post("/login", data={"email": ACCOUNTS[Role.COORDINATOR], "password": PASSWORD})
    with app.app_context():
        engine = db.engine
    if cached:
        client.get(path)
    listener = lambda _c, _cur, statement, parameters, _ctx, _many: statements.append((statement, parameters))  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    client.get(path)
    sa.event.remove(engine, "before_cursor_execute", listener)
    with app.app_context():
        db.engine.dispose()
    return statements


def timed_sql(connection: sa.Connection, statements, timings: Timings) -> None:
    """The page's statements on one connection; CPU time of this process and, on PostgreSQL, its server process."""
    backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() \
        if connection.dialect.name == "postgresql" else None
    server_cpu = process_cpu(backend)
    cpu, started = time.process_time(), time.perf_counter()
    for statement, parameters in statements:
        connection.exec_driver_sql(statement, parameters).fetchall()
    timings.wall.append((time.perf_counter() - started) * 1000)
    timings.cpu += time.process_time() - cpu + process_cpu(backend) - server_cpu
    connection.rollback()


def throughput(server: Server, path: str, clients: int, seconds: float, session_for) -> float:
    """Requests a second that `clients` concurrent clients get for `path` ("{page}" in it: each request asks
    another page number, 1-4,000, so nearly every page is made anew)."""
    sessions = [session_for(server) for _ in range(clients)]  # logged in one by one, before the clock starts
    done, stop = [], time.perf_counter() + seconds

    def client(number: int, session: requests.Session):
        count = 0
        while time.perf_counter() < stop:
            page = (number * 500 + count * 7) % 4000 + 1
            assert session.get(server.url(path.format(page=page))).status_code == 200
            count += 1
        done.append(count)

    threads = [threading.Thread(target=client, args=pair) for pair in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def invalidate(engine: sa.Engine) -> None:
    """What any edit does: a change-log entry (the next map view builds the map again) and new versions of the tables
    (list pages and their totals are made again; a database from before table versions has none to change)."""
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO change_log (occurred_at, entity_type, entity_id, entity_label, action, changes) "
            "VALUES (CURRENT_TIMESTAMP, 'bench', 0, 'bench', 'edit', '{}')"))
        if sa.inspect(connection).has_table(TableVersion.__tablename__):
            mark_all_changed(connection)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="SQLite or PostgreSQL URL (kept and reused)")
    parser.add_argument("--rounds", type=int, default=30, help="requests per page (default 30)")
    parser.add_argument("--naive-rounds", type=int, default=2, help="requests of the naive folium map (slow)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for the throughput test")
    args = parser.parse_args()
    built = ensure_network(args.database)
    print("network reused" if built is None else f"network built in {built:.1f} s", flush=True)
    engine = sa.create_engine(bench_app(args.database).config["SQLALCHEMY_DATABASE_URI"])
    statements = {what: recorded_statements(args.database, path, "built" not in what) for what, path, _ in PAGES}
    ours, theirs = Server("wsgi:app", args.database, engine), Server("bench.alternatives:app", args.database, engine)
    try:
        results = measure(args, engine, ours, theirs, statements)
        anyone = lambda _server: requests.Session()  # noqa: E731
        rates = [(path, throughput(server, path, args.clients, 10, login))
                 for server, path, login in ((ours, "/people", logged_in), (theirs, "/admin/person/", anyone),
                                             (ours, "/people?page={page}", logged_in),
                                             (theirs, "/admin/person/?page={page}", anyone))]
    finally:
        ours.stop()
        theirs.stop()
    report(args, results, rates)


def measure(args, engine, ours: Server, theirs: Server, statements) -> list:
    """Every page once a round, in turn. "Built" pages come in rounds of their own (each after an edit), after the
    others, so that the other pages find what is kept in both workers."""
    session, plain = logged_in(ours), requests.Session()
    results = [(what, ours_path, their_path, Timings(), Timings(), Timings()) for what, ours_path, their_path in PAGES]
    warm_up = [threading.Thread(target=lambda: logged_in(ours).get(ours.url("/map"))) for _ in range(4)]
    for thread in warm_up:  # at once, so that both workers build and cache the map
        thread.start()
    for thread in warm_up:
        thread.join()
    with engine.connect() as connection:
        for built in (False, True):
            for round_ in range(args.rounds):
                for what, ours_path, their_path, mine, alternative, bare in results:
                    if ("built" in what) != built:
                        continue
                    if built:
                        invalidate(engine)
                    timed_get(ours, session, ours_path, mine)
                    if their_path and (their_path != "/naive-map" or round_ < args.naive_rounds):
                        timed_get(theirs, plain, their_path, alternative)
                    timed_sql(connection, statements[what], bare)
                print(f"{'built maps' if built else 'pages'}: round {round_ + 1} of {args.rounds}", file=sys.stderr,
                      flush=True)
    return results


def report(args, results, rates) -> None:
    print(f"\n{engine_name(args.database)}; {args.rounds} rounds (naive map: {args.naive_rounds}); wall ms p50 / p95;"
          " CPU ms per request of the server's workers and their database server processes"
          " (bare SQL: of this process and its database server process)\n")
    print("| page | forum-crm | CPU | bytes sent | alternative | CPU | bytes sent | forum-crm / alternative (p50) "
          "| bare SQL | forum-crm / bare SQL (p50) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for what, _ours_path, their_path, mine, alternative, bare in results:
        ratio = (f"{percentile(mine.wall, 50) / percentile(alternative.wall, 50):.2f}x" if alternative.wall else "-")
        print(f"| {what} | {mine.cell()} | {mine.cpu_cell()} | {mine.wire:,} | "
              f"{(their_path or '-') + ': ' + alternative.cell() if alternative.wall else '-'} | "
              f"{alternative.cpu_cell()} | {f'{alternative.wire:,}' if alternative.wall else '-'} | {ratio} | "
              f"{bare.cell()} | {percentile(mine.wall, 50) / max(percentile(bare.wall, 50), 0.01):.1f}x |")
    print()
    for path, rate in rates:
        print(f"- {path}: {rate:,.0f} requests/s with {args.clients} concurrent clients")


def engine_name(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


if __name__ == "__main__":
    main()

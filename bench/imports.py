"""Benchmarks of the spreadsheet work: a 100,000-row people export (CSV and XLSX) and a 10,000-row people import.

    .venv/bin/python -m bench.imports                                   # SQLite, in a temporary file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/forum_crm_bench .venv/bin/python -m bench.imports
    .venv/bin/python -m bench.imports --exports-only                    # the exports, not the import
    .venv/bin/python -m bench.imports --import-only                     # the import alone, no exports
    .venv/bin/python -m bench.imports --import-only --network=sqlite:////tmp/copy.sqlite

Both run on the demo network of 100,000 people and 10,000 organisations (seed 1), through the same
code as the pages (the export through the test client, read chunk by chunk as a browser would).
An export is timed to its first byte and to its last, in wall and CPU time (CPU of this process: the app
and, on SQLite, the database; PostgreSQL's own work is not in it).
Each operation runs twice: once timed, once under tracemalloc for its peak of Python memory
(tracing slows Python down, so the two are measured apart). The PostgreSQL database is emptied and
filled; `--network=URL` instead takes a database that already holds the network (bench.network's build,
e.g. a copy of it: the import writes into it, so give each run a fresh copy). On PostgreSQL the server's
CPU time (its backends for the bench's database, read from /proc) is reported too.
"""

import argparse
import csv
import io
import random
import time
import tracemalloc
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask_babel import force_locale
from flask_migrate import upgrade

from bench.cpu import process_cpu
from bench.network import ACCOUNTS, PASSWORD, bench_app
from bench.run import fresh_database_url
from forum_crm import create_app
from forum_crm.auth.services import create_user
from forum_crm.extensions import db
from forum_crm.imports.parsing import read_table
from forum_crm.imports.plan import PEOPLE
from forum_crm.imports.plan_people import plan_people
from forum_crm.imports.services import import_people
from forum_crm.models import Organisation, Person, Role
from forum_crm.seeding.demo import FEMALE_FIRST, LAST_NAMES, MALE_FIRST, generate_demo_network
from forum_crm.seeding.report import seed_report

PEOPLE_IN_NETWORK, ORGANISATIONS = 100_000, 10_000
IMPORTED = 10_000
TOWNS = ("Warszawa", "Kraków", "Łódź", "Wrocław", "Poznań", "Gdańsk", "Lublin", "Białystok", "Gorzów Wlkp.",
         "Rzeszów", "Katowice", "Opole", "Kielce", "Szczecin", "Toruń", "")
HEADERS = ["Imię", "Nazwisko", "E-mail", "Telefon", "Miejscowość", "Organizacja", "Rola", "Członek Forum",
           "Obszar ekspertyzy"]


def server_cpu() -> float:
    """CPU seconds PostgreSQL's backends for this database have used so far (0 on SQLite or without /proc)."""
    if db.engine.dialect.name != "postgresql":
        return 0.0
    pids = db.session.scalars(sa.text(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'"))
    return sum(process_cpu(pid) for pid in pids)


def timed(app: Flask, action: Callable[[], object]) -> tuple[float, float, float]:
    """(seconds, CPU seconds of this process, CPU seconds of the PostgreSQL server) of one run of the action."""
    with app.app_context():
        server_started = server_cpu()
    started, cpu_started = time.perf_counter(), time.process_time()
    action()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    with app.app_context():
        return seconds, cpu, server_cpu() - server_started


def measure(app: Flask, action: Callable[[], object]) -> tuple[float, float, float, float]:
    """(seconds, CPU seconds of this process and of the PostgreSQL server, peak MiB): the action timed, then
    run again under tracemalloc."""
    seconds, cpu, server = timed(app, action)
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, cpu, server, peak / 2**20


def people_file(organisation_names: list[str]) -> bytes:
    """A sheet of IMPORTED new people, as Polish Excel saves it (UTF-8 with BOM, ';')."""
    rng = random.Random(1)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for number in range(IMPORTED):
        first = rng.choice(FEMALE_FIRST + MALE_FIRST)
        last = rng.choice(LAST_NAMES)[first in FEMALE_FIRST]
        writer.writerow([first, last, f"osoba{number}@import.example.org", f"+48 600 {number:06d}"[:15],
                         rng.choice(TOWNS), rng.choice(organisation_names), "koordynatorka projektów",
                         rng.choice(("tak", "nie", "")), "prawo migracyjne, edukacja"])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def network_app(given: str | None) -> tuple[Flask, tuple[str, str]]:
    """An app on the network (built here, or the one `given` names) and the login of a coordinator."""
    if given:
        return bench_app(given), (ACCOUNTS[Role.COORDINATOR], PASSWORD)
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(), "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        seed_report()
        generate_demo_network(PEOPLE_IN_NETWORK, ORGANISATIONS, seed=1)
        create_user("bench@example.org", "bench password 123", Role.COORDINATOR)
        db.session.commit()
    return app, ("bench@example.org", "bench password 123")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--exports-only", action="store_true", help="the two exports, not the import")
    only.add_argument("--import-only", action="store_true", help="the import alone, no exports")
    parser.add_argument("--network", metavar="URL", help="a database that already holds bench.network's build "
                        "(the import writes into it: give each run a fresh copy)")
    args = parser.parse_args()
    app, (email, password) = network_app(args.network)
    results = []
    with app.app_context():
        organisation_names = list(db.session.scalars(sa.select(Organisation.name).order_by(Organisation.id).limit(500)))
        people = db.session.scalar(sa.select(sa.func.count(Person.id)))
    client = app.test_client()
    client.post("/login", data={"email": email, "password": password})

    for file_format in () if args.import_only else ("csv", "xlsx"):
        def export(file_format=file_format) -> tuple[int, float, float]:
            """(bytes, seconds to the first byte, CPU seconds of this process), reading the body as it is sent."""
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(f"/people/export.{file_format}?status=all")
            chunks = iter(response.response)
            size = len(next(chunks))
            first_byte = time.perf_counter() - started
            size += sum(len(chunk) for chunk in chunks)
            response.close()
            return size, first_byte, time.process_time() - cpu_started

        export()  # warm: the first run reads the tables into the caches
        started = time.perf_counter()
        size, first_byte, cpu = export()
        seconds = time.perf_counter() - started
        tracemalloc.start()
        export()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        results.append((f"export of {people:,} people as {file_format.upper()} ({size / 2**20:.1f} MiB), "
                        f"first byte {first_byte:.2f} s", seconds, cpu, 0.0, peak))
        print(*results[-1], flush=True)
    if args.exports_only:
        report(app, results)
        return

    data = people_file(organisation_names)

    def run_import(commit: bool) -> None:
        with app.test_request_context(), force_locale("en"):
            table = read_table(data)
            plan = plan_people(table, PEOPLE.guess(table))
            assert plan.is_valid, plan.problems[:5]
            import_people(plan)
            if commit:
                db.session.commit()
            else:
                db.session.rollback()

    tracemalloc.start()
    run_import(commit=False)
    import_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    results.append((f"import of {IMPORTED:,} new people ({len(data) / 2**20:.1f} MiB CSV) into that network",
                    *timed(app, lambda: run_import(commit=True)), import_peak))
    results.append((f"the same file again: {IMPORTED:,} rows unchanged",
                    *measure(app, lambda: run_import(commit=True))))

    report(app, results)


def report(app: Flask, results: list[tuple[str, float, float, float, float]]) -> None:
    print(f"\nDatabase: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}\n")
    print("| what | time | CPU time (this process) | CPU time (PostgreSQL server) | peak Python memory |\n"
          "| --- | --- | --- | --- | --- |")
    for what, seconds, cpu, server, peak in results:
        print(f"| {what} | {seconds:.2f} s | {cpu:.2f} s | {server:.2f} s | {peak:.0f} MiB |")


if __name__ == "__main__":
    main()

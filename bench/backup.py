"""Benchmark of `flask backup create` and `backup restore`, and of GET /healthz, at 100,000 demo people.

    .venv/bin/python -m bench.backup                       # SQLite, in a temporary folder
    BENCH_DATABASE_URL=postgresql://.../bench .venv/bin/python -m bench.backup   # PostgreSQL (its database
                                                           # and a second one, <name>_restore, are emptied)

Backup and restore are timed once each (wall time, this process's CPU time, and the CPU time of the
pg_dump / pg_restore it started); /healthz is the median of 20 requests through the test client.
Each row of the Markdown table is printed as soon as it is measured.
"""

import resource
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.run import EDITIONS, ORGANISATIONS, PEOPLE, fresh_database_url
from forum_crm import create_app
from forum_crm.extensions import db
from forum_crm.seeding.demo import generate_demo_network

REPEATS = 20


def cpu_seconds() -> tuple[float, float]:
    """CPU time of this process and of its finished children (pg_dump, pg_restore)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


def once(label: str, action) -> None:
    started, (own, children) = time.perf_counter(), cpu_seconds()
    result = action()
    wall, (own_after, children_after) = time.perf_counter() - started, cpu_seconds()
    assert result.exit_code == 0, result.output
    print(f"| {label} | {wall:.1f} s ({own_after - own:.1f} s CPU, tools {children_after - children:.1f} s CPU) |",
          flush=True)


def restore_url(url: str, folder: Path) -> str:
    """A second, empty database for the restore."""
    if url.startswith("sqlite"):
        return f"sqlite:///{folder / 'restored.sqlite'}"
    parsed = sa.make_url(url)
    name = f"{parsed.database}_restore"
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    url = fresh_database_url()
    folder = Path(tempfile.mkdtemp())
    config = {"TESTING": True, "SECRET_KEY": "bench-" + "x" * 40, "INSTANCE_FOLDER": str(folder)}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        generate_demo_network(people=PEOPLE, organisations=ORGANISATIONS, seed=1, editions=EDITIONS)
        db.session.commit()
        db.session.remove()
    print(f"| what ({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}) | time |\n| --- | --- |", flush=True)
    backup = folder / "bench.tar"
    once("`backup create` (100,000 people)", lambda: app.test_cli_runner().invoke(args=["backup", "create",
                                                                                     str(backup)]))
    print(f"| backup file size | {backup.stat().st_size / 1_048_576:.0f} MB |", flush=True)
    target = create_app({**config, "SQLALCHEMY_DATABASE_URI": restore_url(url, folder)})
    once("`backup restore` into an empty database", lambda: target.test_cli_runner().invoke(
        args=["backup", "restore", str(backup)]))
    client = app.test_client()
    timings, cpu = [], []
    for _ in range(REPEATS):
        started, started_cpu = time.perf_counter(), time.process_time()
        assert client.get("/healthz").status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(f"| `GET /healthz` | {statistics.median(timings):.1f} ms ({statistics.median(cpu):.1f} ms CPU) |",
          flush=True)


if __name__ == "__main__":
    main()

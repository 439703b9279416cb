"""flask backup: a backup taken while the app writes restores into a new database with every table as it was at
one moment; an older backup is migrated forward; bad files and non-empty databases are refused without a change;
a full disk leaves no file called a backup. Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL."""

import errno
import io
import json
import os
import resource
import signal
import subprocess
import sys
import tarfile
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from forum_crm import create_app
from forum_crm.backup import archive
from forum_crm.backup.archive import Manifest, read_manifest
from forum_crm.backup.retention import backup_name, backups_in, to_remove
from forum_crm.extensions import db
from forum_crm.schema import code_heads, previous_revision
from forum_crm.seeding.demo import generate_demo_network
from tests.conftest import TEST_SECRET, create_postgres_database, drop_postgres_database, postgres_url
from tests.old_revision_data import insert_network, read_all

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def new_database(tmp_path):
    """new_database() -> the URL of another new, empty database (dropped after the test)."""
    made = []

    def make() -> str:
        base = postgres_url()
        url = (create_postgres_database(base, f"bk{uuid.uuid4().hex[:8]}") if base
               else f"sqlite:///{tmp_path / f'db{len(made)}.sqlite'}")
        made.append(url)
        return url

    yield make
    for url in made:
        if url.startswith("postgresql"):
            drop_postgres_database(url)


def app_on(url: str, tmp_path: Path, name: str):
    instance = tmp_path / f"instance-{name}"
    instance.mkdir(exist_ok=True)
    return create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": url,
                       "INSTANCE_FOLDER": str(instance), "BACKUP_FOLDER": tmp_path / "backups"})


def run(app, *args):
    return app.test_cli_runner().invoke(args=["backup", *args])


def rows_of(app) -> dict:
    with app.app_context(), db.engine.connect() as connection:
        rows = read_all(connection)
    with app.app_context():
        db.engine.dispose()
    return rows


@pytest.fixture
def source(new_database, tmp_path):
    """An app on a new database at head with a demo network, and a secret key in its instance folder."""
    app = app_on(new_database(), tmp_path, "source")
    (Path(app.config["INSTANCE_FOLDER"]) / "secret_key").write_text("k" * 48)
    with app.app_context():
        upgrade()
        generate_demo_network(people=60, organisations=10, seed=3, editions=2)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def write_pairs(url: str, stop: threading.Event, written: list[int]) -> None:
    """What the app does meanwhile: two areas of work per transaction, so a torn snapshot would hold an odd number."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    areas = sa.table("area_of_work", sa.column("name"))
    try:
        while not stop.is_set() or len(written) < 10:
            with engine.begin() as connection:
                number = len(written)
                connection.execute(areas.insert(), [{"name": f"obszar {number}a"}, {"name": f"obszar {number}b"}])
            written.append(number)
    finally:
        engine.dispose()


def test_a_backup_taken_while_the_app_writes_restores_every_table_into_a_new_database(source, new_database,
                                                                                      tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    stop, written = threading.Event(), []
    writer = threading.Thread(target=write_pairs, args=(source.config["SQLALCHEMY_DATABASE_URI"], stop, written))
    writer.start()
    try:
        while len(written) < 5:  # the writer is under way before the backup starts
            threading.Event().wait(0.01)
        result = run(source, "create")
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    (backup,) = (tmp_path / "backups").glob("forum-crm-*.tar")
    manifest = read_manifest(backup)
    assert manifest.revisions == sorted(code_heads()) and manifest.tables["person"] == 60
    assert oct(backup.stat().st_mode & 0o777) == "0o600"

    target = app_on(new_database(), tmp_path, "target")
    restored = run(target, "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    assert "as many as the manifest lists" in restored.output

    before, after = rows_of(source), rows_of(target)
    assert set(after) == set(before)
    for table, rows in before.items():
        if table == "table_version":  # set anew by the restore: no process has seen these versions
            assert min(row["version"] for row in after[table].values()) > max(
                row["version"] for row in rows.values())
            assert set(after[table]) >= set(rows)
            continue
        assert len(after[table]) == manifest.tables[table], table
        if table == "area_of_work":  # written meanwhile: the backup holds the rows of one moment
            assert all(rows[key] == row for key, row in after[table].items())
            assert len(after[table]) % 2 == 0
        else:
            assert after[table] == rows, table
    assert (Path(target.config["INSTANCE_FOLDER"]) / "secret_key").read_text() == "k" * 48


def test_a_backup_of_the_previous_revision_is_restored_and_migrated_forward(new_database, tmp_path):
    old = app_on(new_database(), tmp_path, "old")
    with old.app_context():
        upgrade(revision=previous_revision())
        with db.engine.begin() as connection:
            insert_network(connection)
        db.engine.dispose()
    taken = run(old, "create", str(tmp_path / "old.tar"))
    assert taken.exit_code == 0, taken.output
    assert read_manifest(tmp_path / "old.tar").revisions == [previous_revision()]
    before = rows_of(old)

    target = app_on(new_database(), tmp_path, "target")
    restored = run(target, "restore", str(tmp_path / "old.tar"))
    assert restored.exit_code == 0, restored.output
    assert f"Migrated forward from revision {previous_revision()}" in restored.output
    after = rows_of(target)
    for table, rows in before.items():
        if table != "table_version":  # set anew by the restore (see the test above)
            assert set(after[table]) == set(rows), table
    with target.app_context(), db.engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT version_num FROM alembic_version")) in code_heads()
        db.engine.dispose()


def test_a_database_with_data_is_replaced_only_with_force(source, tmp_path):
    assert run(source, "create", str(tmp_path / "a.tar")).exit_code == 0
    with source.app_context():
        db.session.execute(sa.text("DELETE FROM day_attendance"))
        db.session.commit()
    refused = run(source, "restore", str(tmp_path / "a.tar"))
    assert refused.exit_code == 1 and "The database is not empty" in refused.output
    assert rows_of(source)["day_attendance"] == {}
    forced = run(source, "restore", "--force", str(tmp_path / "a.tar"))
    assert forced.exit_code == 0, forced.output
    assert rows_of(source)["day_attendance"]


def damaged_copies(good: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    """Bad files, each with the message its refusal gives."""
    data = good.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF
    cases = {"flipped byte": (bytes(flipped), "checksum"), "cut short": (data[: len(data) // 2], "cut short"),
             "empty": (b"", "not a forum-crm backup"), "text": (b"hello\n" * 100, "not a forum-crm backup")}
    foreign = io.BytesIO()
    with tarfile.open(fileobj=foreign, mode="w") as tar:
        info = tarfile.TarInfo("manifest.json")
        body = json.dumps({"format": "other-app", "version": 3}).encode()
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    cases["another application's"] = (foreign.getvalue(), "not a forum-crm backup")
    paths = {}
    for name, (content, message) in cases.items():
        path = folder / f"{name}.tar"
        path.write_bytes(content)
        paths[name] = (path, message)
    return paths


def test_damaged_truncated_and_foreign_files_are_refused_and_nothing_changes(source, new_database, tmp_path):
    assert run(source, "create", str(tmp_path / "good.tar")).exit_code == 0
    target = app_on(new_database(), tmp_path, "target")
    with target.app_context():
        upgrade()
        db.engine.dispose()
    empty = rows_of(target)
    for name, (path, message) in damaged_copies(tmp_path / "good.tar", tmp_path).items():
        result = run(target, "restore", str(path))
        assert result.exit_code == 1, name
        assert message in result.output, (name, result.output)
        assert rows_of(target) == empty, name
    assert "There is no file" in run(target, "restore", str(tmp_path / "missing.tar")).output


def forged(good: Path, folder: Path, **changes) -> Path:
    """A well-formed backup whose manifest says something else (a newer revision, another database kind)."""
    with tarfile.open(good) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        members = {member.name: tar.extractfile(member).read() for member in tar if member.name != "manifest.json"}
    manifest.update(changes)
    for name, content in members.items():
        (folder / name.replace("/", "_")).write_bytes(content)
    path = folder / "forged.tar"
    archive.write_archive(path, Manifest(manifest["created_at"], manifest["dialect"], manifest["revisions"],
                                         manifest["tables"], manifest["files"]),
                          {name: folder / name.replace("/", "_") for name in members})
    return path


def test_a_backup_of_a_newer_release_or_another_database_kind_is_refused(source, tmp_path):
    assert run(source, "create", str(tmp_path / "good.tar")).exit_code == 0
    newer = run(source, "restore", "--force", str(forged(tmp_path / "good.tar", tmp_path, revisions=["9999"])))
    assert newer.exit_code == 1 and "revision 9999, which this version of forum-crm does not know" in newer.output
    other_kind = "postgresql" if source.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "sqlite"
    kind = run(source, "restore", "--force", str(forged(tmp_path / "good.tar", tmp_path, dialect=other_kind)))
    assert kind.exit_code == 1 and f"This is a backup of a {other_kind} database" in kind.output


def test_a_full_disk_fails_loudly_and_leaves_no_backup(source, tmp_path):
    """The backup runs in a process that may write only 64 KiB per file, as on a disk that fills up."""
    folder = tmp_path / "small-disk"
    folder.mkdir()

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    environment = {**os.environ, "DATABASE_URL": source.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": TEST_SECRET}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "backup", "create", str(folder)],
                            cwd=ROOT, env=environment, capture_output=True, text=True, preexec_fn=small_disk,
                            check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Error:" in result.stderr and "No backup was written" in result.stderr
    assert list(folder.iterdir()) == []


def test_a_failure_while_writing_the_archive_removes_the_partial_file(source, tmp_path, monkeypatch):
    def disk_full(_descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(archive.os, "fsync", disk_full)
    result = run(source, "create", str(tmp_path))
    assert result.exit_code == 1 and "The disk is full (No space left on device)" in result.output
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith((".forum", "forum"))] == []


def test_create_refuses_to_overwrite_a_file(source, tmp_path):
    (tmp_path / "taken.tar").write_text("keep me")
    result = run(source, "create", str(tmp_path / "taken.tar"))
    assert result.exit_code == 1 and "exists already" in result.output
    assert (tmp_path / "taken.tar").read_text() == "keep me"


def test_retention_keeps_the_newest_of_each_recent_day_and_month():
    moments = [datetime(2026, month, day, hour, tzinfo=UTC)
               for month, day, hour in [(11, 30, 3), (11, 30, 1), (11, 29, 3), (11, 28, 3), (10, 31, 3), (10, 1, 3),
                                        (9, 15, 3), (8, 2, 3)]]
    backups = [(moment, Path(backup_name(moment))) for moment in moments]
    removed = {path.name for path in to_remove(backups, daily=2, monthly=3)}
    assert removed == {"forum-crm-20261130-010000.tar", "forum-crm-20261128-030000.tar",
                       "forum-crm-20261001-030000.tar", "forum-crm-20260802-030000.tar"}
    assert to_remove(backups[:1], daily=0, monthly=0) == []  # the newest is always kept


def test_list_and_prune_work_on_the_backup_folder(source, tmp_path):
    folder = tmp_path / "backups"
    assert "No backups in" in run(source, "list").output
    assert run(source, "create").exit_code == 0
    (newest,) = backups_in(folder)
    older = [folder / backup_name(datetime(2025, month, 1, tzinfo=UTC)) for month in (1, 2, 3)]
    for path in older:
        path.write_bytes(b"not a backup")
    (folder / "notes.txt").write_text("not ours")
    listing = run(source, "list").output
    assert f"{newest[1].name}" in listing and f"revision {sorted(code_heads())[0]}" in listing
    assert "NOT A USABLE BACKUP" in listing
    dry = run(source, "prune", "--keep-daily", "1", "--keep-monthly", "2", "--dry-run")
    assert dry.output.count("Would remove") == 2 and all(path.exists() for path in older)
    pruned = run(source, "prune", "--keep-daily", "1", "--keep-monthly", "2")
    assert pruned.exit_code == 0 and "Kept 2 backup(s)" in pruned.output
    assert sorted(path.name for path in folder.iterdir()) == sorted([newest[1].name, older[2].name, "notes.txt"])

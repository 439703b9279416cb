"""The backup file's own checks, member by member, and the PostgreSQL tools' setup (which needs no server)."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from forum_crm.backup import databases
from forum_crm.backup.archive import BackupRefused, unpack
from forum_crm.backup.databases import BackupFailed, check_client_version, libpq_environment
from forum_crm.extensions import db
from forum_crm.models import WorkerRun
from forum_crm.schema import code_heads
from tests.test_backup import app_on, new_database, rows_of, run, source  # noqa: F401 (fixtures)

MANIFEST = {"format": "forum-crm-backup", "format_version": 1, "created_at": "2026-11-30T12:00:00+00:00",
            "dialect": "sqlite", "revisions": sorted(code_heads()), "tables": {}, "files": {}}


def backup_file(path: Path, members: dict[str, bytes], listed: dict[str, bytes] | None = None,
                manifest_first: bool = True, **changes) -> Path:
    """A tar like a backup: `members` in the archive, `listed` (default: the same) in the manifest's checksums."""
    listed = members if listed is None else listed
    manifest = {**MANIFEST, "files": {name: hashlib.sha256(data).hexdigest() for name, data in listed.items()},
                **changes}
    entries = [("manifest.json", json.dumps(manifest).encode()), *members.items()]
    if not manifest_first:
        entries.reverse()
    with tarfile.open(path, "w") as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(("members", "listed", "options", "message"), [
    ({"database.sqlite": b"x"}, None, {"format_version": 2}, "format version 2"),
    ({"database.sqlite": b"x"}, None, {"manifest_first": False}, "no manifest.json first"),
    ({"database.sqlite": b"x", "extra": b"y"}, {"database.sqlite": b"x"}, {}, "unexpected member 'extra'"),
    ({"database.sqlite": b"x"}, {"database.sqlite": b"x", "instance/secret_key": b"k"}, {},
     "instance/secret_key is missing"),
])
def test_a_file_unlike_its_manifest_is_refused(tmp_path, members, listed, options, message):
    path = backup_file(tmp_path / "b.tar", members, listed, **options)
    with pytest.raises(BackupRefused, match=message):
        unpack(path, tmp_path)


def test_a_database_that_is_not_one_or_no_database_at_all_is_refused(tmp_path, new_database):  # noqa: F811
    target = app_on(new_database(), tmp_path, "target")
    garbage = backup_file(tmp_path / "garbage.tar", {"database.sqlite": b"not a database" * 100})
    if target.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert "The backup's database is damaged" in run(target, "restore", str(garbage)).output
    else:
        dump = backup_file(tmp_path / "dump.tar", {"database.pgdump": b"PGDMP garbage"}, dialect="postgresql")
        assert "The backup's database dump is damaged" in run(target, "restore", str(dump)).output
    kind = "postgresql" if "postgresql" in target.config["SQLALCHEMY_DATABASE_URI"] else "sqlite"
    none = backup_file(tmp_path / "none2.tar", {"instance/secret_key": b"k" * 48}, dialect=kind)
    assert "The backup holds no database" in run(target, "restore", str(none)).output


def test_a_restore_whose_rows_differ_from_the_manifest_says_so(source, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert run(source, "create", str(tmp_path / "a.tar")).exit_code == 0
    with tarfile.open(tmp_path / "a.tar") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        members = {member.name: tar.extractfile(member).read() for member in tar if member.name != "manifest.json"}
    manifest["tables"]["person"] += 1
    forged = backup_file(tmp_path / "b.tar", members, **{key: manifest[key] for key in ("dialect", "tables")})
    result = run(source, "restore", "--force", str(forged))
    assert result.exit_code == 1 and "does not match the backup's manifest (tables: person)" in result.output
    again = run(source, "restore", "--force", str(tmp_path / "a.tar"))
    assert again.exit_code == 0 and "instance/secret_key: unchanged." in again.output
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    assert "not restored: SECRET_KEY is set" in run(source, "restore", "--force", str(tmp_path / "a.tar")).output
    assert rows_of(source)["person"]


def test_pg_tools_get_the_connection_from_the_environment_not_the_command_line():
    engine = sa.create_engine("postgresql+psycopg://crm:tajne%40haslo@db.example.org:5433/forum?sslmode=require")
    environment = libpq_environment(engine)
    assert {key: environment[key] for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE",
                                              "PGSSLMODE")} == {
        "PGHOST": "db.example.org", "PGPORT": "5433", "PGUSER": "crm", "PGPASSWORD": "tajne@haslo",
        "PGDATABASE": "forum", "PGSSLMODE": "require"}


def test_a_missing_or_older_pg_dump_is_named_with_what_to_install(monkeypatch):
    monkeypatch.setattr(databases.shutil, "which", lambda _name: None)
    with pytest.raises(BackupFailed, match="pg_dump is not installed.*postgresql-client-15"):
        databases.dump_postgresql(sa.create_engine("postgresql+psycopg://localhost/x"), Path("x"))

    class Server16:
        def scalar(self, _statement):
            return "160002"

    monkeypatch.setattr(databases, "_major_version", lambda _tool: 15)
    with pytest.raises(BackupFailed, match="pg_dump is version 15 but the server is PostgreSQL 16: install "
                                           "postgresql-client-16"):
        check_client_version(Server16(), "/usr/bin/pg_dump")
    monkeypatch.setattr(databases, "_major_version", lambda _tool: 16)
    check_client_version(Server16(), "/usr/bin/pg_dump")


def test_the_installed_pg_dump_reports_its_version():
    tool = databases.shutil.which("pg_dump")
    if tool is None:
        pytest.skip("pg_dump is not installed here")
    assert databases._major_version(tool) >= 10


def test_a_restore_into_a_database_at_head_without_rows_needs_no_force(source, new_database,  # noqa: F811
                                                                      tmp_path):
    assert run(source, "create", str(tmp_path / "a.tar")).exit_code == 0
    target = app_on(new_database(), tmp_path, "target")
    with target.app_context():
        upgrade()  # what `db upgrade` leaves: tables, no rows; then the mail worker runs
        db.session.add(WorkerRun(name="send-mail"))
        db.session.commit()
        db.engine.dispose()
    assert run(target, "restore", str(tmp_path / "a.tar")).exit_code == 0
    assert rows_of(target)["person"] == rows_of(source)["person"]

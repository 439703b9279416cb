"""Making a backup and restoring one; the commands in commands.py only print what these return."""

import errno
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_migrate import upgrade

from forum_crm.backup import databases
from forum_crm.backup.archive import BackupRefused, Manifest, sha256_of, unpack, write_archive
from forum_crm.backup.databases import BackupFailed
from forum_crm.backup.retention import backup_name
from forum_crm.extensions import db
from forum_crm.kept import mark_all_changed
from forum_crm.models.base import utcnow
from forum_crm.schema import code_heads, known_revisions

DATABASE_MEMBER = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
SECRET_KEY_MEMBER = "instance/secret_key"
DISK_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


def instance_folder() -> Path:
    """The instance folder whose secret_key a backup holds (tests point INSTANCE_FOLDER elsewhere)."""
    return Path(current_app.config.get("INSTANCE_FOLDER") or current_app.instance_path)


def backup_target(path: Path | None) -> Path:
    """The file to write: a new name in `path` (or the backup folder) if it is a folder, else `path` itself."""
    folder = path if path is not None else Path(current_app.config["BACKUP_FOLDER"])
    if path is None or path.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder / backup_name(utcnow())
    if path.exists():
        raise BackupFailed(f"{path} exists already; name a new file or a folder.")
    return path


def create_backup(path: Path | None) -> tuple[Path, Manifest]:
    """Back the database and the secret key up into one file while the app keeps serving."""
    engine = db.engine
    target = backup_target(path)
    dialect = engine.dialect.name  # sqlite or postgresql: the databases the app runs on
    try:
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".forum-crm-backup-") as work:
            database = Path(work) / DATABASE_MEMBER[dialect]
            copy = databases.copy_sqlite if dialect == "sqlite" else databases.dump_postgresql
            snapshot = copy(engine, database)
            members = {DATABASE_MEMBER[dialect]: database}
            secret_key = instance_folder() / "secret_key"
            if secret_key.is_file():
                members[SECRET_KEY_MEMBER] = secret_key
            manifest = Manifest(utcnow().isoformat(timespec="seconds"), dialect, snapshot.revisions, snapshot.tables,
                                {name: sha256_of(member) for name, member in members.items()})
            write_archive(target, manifest, members)
    except OSError as error:
        if error.errno in DISK_FULL:
            raise BackupFailed(f"The disk is full ({os.strerror(error.errno)}) while writing into "
                               f"{target.parent}.") from error
        raise BackupFailed(f"The backup could not be written: {error}.") from error
    return target, manifest


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    upgraded_from: list[str] | None  # the backup's revision(s), when the migrations ran forward from there
    secret_key: str  # what happened to instance/secret_key: "restored", "unchanged", "not in the backup"...


def restore_backup(path: Path, force: bool) -> Restored:
    """Check the whole file, then replace the (empty, unless `force`) database with it, check the rows per table
    and run the migrations forward if the backup is older than the code. Nothing is changed if a check fails."""
    engine = db.engine
    with tempfile.TemporaryDirectory(prefix="forum-crm-restore-") as work:
        manifest, members = unpack(path, Path(work))
        _check_fits(manifest, engine)
        database = members.get(DATABASE_MEMBER[manifest.dialect])
        if database is None:
            raise BackupRefused("The backup holds no database.")
        if manifest.dialect == "sqlite":
            databases.check_sqlite_file(database)
        else:
            databases.check_postgresql_dump(engine, database)
        db.session.remove()
        with engine.connect() as connection:
            if not force and not databases.is_empty(connection):
                raise BackupRefused("The database is not empty: restoring would replace its data. Restore into an "
                                    "empty database, or add --force to replace it.")
        databases.drop_all_tables(engine)
        if manifest.dialect == "sqlite":
            databases.restore_sqlite(engine, database)
        else:
            databases.restore_postgresql(engine, database)
        _verify_counts(engine, manifest)
        secret_key = _restore_secret_key(members.get(SECRET_KEY_MEMBER))
    upgraded_from = None
    if set(manifest.revisions) != code_heads():
        upgrade()
        upgraded_from = manifest.revisions
    with engine.begin() as connection:
        mark_all_changed(connection)
    return Restored(manifest, upgraded_from, secret_key)


def _check_fits(manifest: Manifest, engine: sa.Engine) -> None:
    if manifest.dialect != engine.dialect.name:
        raise BackupRefused(f"This is a backup of a {manifest.dialect} database; the app's database is "
                            f"{engine.dialect.name}.")
    unknown = set(manifest.revisions) - known_revisions()
    if unknown or not manifest.revisions:
        raise BackupRefused(f"The backup is at schema revision {', '.join(sorted(unknown)) or 'none'}, which this "
                            "version of forum-crm does not know: restore it with the release that made it.")


def _verify_counts(engine: sa.Engine, manifest: Manifest) -> None:
    with engine.connect() as connection:
        restored = databases.count_rows(connection)
    if restored != manifest.tables:
        wrong = sorted(name for name in set(restored) | set(manifest.tables)
                       if restored.get(name) != manifest.tables.get(name))
        raise BackupFailed(f"The restored database does not match the backup's manifest (tables: {', '.join(wrong)}).")


def _restore_secret_key(source: Path | None) -> str:
    """Put the backup's instance/secret_key back, so the sessions it signed stay valid."""
    if source is None:
        return "not in the backup"
    if os.environ.get("SECRET_KEY", "").strip():
        return "not restored: SECRET_KEY is set in the environment"
    target = instance_folder() / "secret_key"
    data = source.read_bytes()
    if target.is_file() and target.read_bytes() == data:
        return "unchanged"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(".secret_key.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(partial, target)
    return "restored (restart the app servers to use it)"

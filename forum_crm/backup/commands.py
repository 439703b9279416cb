"""`flask --app wsgi backup create|restore|list|prune`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from forum_crm.backup.archive import BackupRefused, read_manifest
from forum_crm.backup.databases import BackupFailed
from forum_crm.backup.operations import create_backup, restore_backup
from forum_crm.backup.retention import backups_in, to_remove


@click.group("backup")
def backup_group() -> None:
    """Back the database up, restore it, list and prune backups (see docs/deploy.md)."""


@backup_group.command("create")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def create_command(path: Path | None) -> None:
    """Write a backup while the app keeps serving, into PATH (a new file, or a folder), by default a new
    forum-crm-YYYYMMDD-HHMMSS.tar in the backup folder (FORUM_CRM_BACKUP_DIR, default instance/backups).

    The file holds the database (SQLite: a copy made with the online backup API; PostgreSQL: pg_dump
    --format=custom of one snapshot), instance/secret_key, and a manifest with the schema revision, the rows
    of every table and a SHA-256 of each part. It is written under a hidden temporary name and renamed only
    when complete: a full disk leaves no file called a backup, and the exit status is 1.
    """
    try:
        target, manifest = create_backup(path)
    except BackupFailed as error:
        raise click.ClickException(f"{error} No backup was written.") from None
    click.echo(f"Backup written: {target} (revision {', '.join(manifest.revisions)}, "
               f"{sum(manifest.tables.values())} rows in {len(manifest.tables)} tables).")


@backup_group.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data (by default only an empty "
              "database is restored into).")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Restore the backup PATH into the app's database (DATABASE_URL), which must be empty unless --force.

    The whole file is checked first (its manifest, every checksum, the database file itself): a damaged,
    cut-short or foreign file is refused and nothing is changed. After the restore the rows of every
    table are compared with the manifest, and the migrations run forward if the backup is older than the
    code. Stop the app servers and the mail worker first.
    """
    try:
        restored = restore_backup(path, force)
    except (BackupRefused, BackupFailed) as error:
        raise click.ClickException(str(error)) from None
    manifest = restored.manifest
    click.echo(f"Restored the backup of {manifest.created_at}: {sum(manifest.tables.values())} rows in "
               f"{len(manifest.tables)} tables, as many as the manifest lists.")
    if restored.upgraded_from:
        click.echo(f"Migrated forward from revision {', '.join(restored.upgraded_from)} to the code's.")
    click.echo(f"instance/secret_key: {restored.secret_key}.")


@backup_group.command("list")
@with_appcontext
def list_command() -> None:
    """List the backups in the backup folder, newest first, with their revision and size."""
    folder = Path(current_app.config["BACKUP_FOLDER"])
    found = backups_in(folder)
    if not found:
        click.echo(f"No backups in {folder}.")
    for _moment, path in found:
        try:
            manifest = read_manifest(path)
            about = (f"{manifest.dialect}, revision {', '.join(manifest.revisions)}, "
                     f"{sum(manifest.tables.values())} rows")
        except BackupRefused as error:
            about = f"NOT A USABLE BACKUP: {error}"
        click.echo(f"{path.name}  {path.stat().st_size / 1_048_576:9.1f} MB  {about}")


@backup_group.command("prune")
@click.option("--keep-daily", type=click.IntRange(min=0), help="Days of which the newest backup is kept "
              "[default: FORUM_CRM_BACKUP_KEEP_DAILY, 7].")
@click.option("--keep-monthly", type=click.IntRange(min=0), help="Months of which the newest backup is kept "
              "[default: FORUM_CRM_BACKUP_KEEP_MONTHLY, 12].")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed.")
@with_appcontext
def prune_command(keep_daily: int | None, keep_monthly: int | None, dry_run: bool) -> None:
    """Remove old backups from the backup folder: keep the newest backup of each of the last N days and of
    the last M months that have one (and always the newest). For cron, after `backup create`."""
    daily = current_app.config["BACKUP_KEEP_DAILY"] if keep_daily is None else keep_daily
    monthly = current_app.config["BACKUP_KEEP_MONTHLY"] if keep_monthly is None else keep_monthly
    found = backups_in(Path(current_app.config["BACKUP_FOLDER"]))
    removed = to_remove(found, daily, monthly)
    for path in removed:
        if not dry_run:
            path.unlink()
        click.echo(f"{'Would remove' if dry_run else 'Removed'} {path.name}")
    click.echo(f"Kept {len(found) - len(removed)} backup(s) ({daily} daily, {monthly} monthly).")

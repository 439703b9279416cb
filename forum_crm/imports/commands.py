"""`flask --app wsgi import organisations|people FILE [--dry-run]`: the browser's import, from a terminal."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from forum_crm.extensions import db
from forum_crm.imports import uploads
from forum_crm.imports.parsing import FileRefused, read_table
from forum_crm.imports.plan import CREATE, UPDATE, with_choices
from forum_crm.imports.services import IMPORTERS


@click.group("import")
def import_group() -> None:
    """Import organisations or people from a CSV or XLSX file (columns: see docs/import.md)."""


def _run(kind: str, path: Path, dry_run: bool) -> None:
    """Check the whole file, then write it in one transaction; nothing is written if any row has a problem."""
    importer = IMPORTERS[kind]
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if path.stat().st_size > limit:
        raise click.ClickException(f"The file is larger than {limit // (1024 * 1024)} MB; split it.")
    with force_locale("en"):
        try:
            table = read_table(path.read_bytes())
        except FileRefused as refused:
            raise click.ClickException(str(refused.message)) from None
        guesses = importer.kind.guess(table)
        unknown = [header or f"column {index + 1}"
                   for index, (header, guess) in enumerate(zip(table.headers, guesses, strict=True)) if guess is None]
        if unknown:
            click.echo(f"Not imported (unknown column names): {', '.join(unknown)}")
        with click.progressbar(length=len(table.rows), label="Checking rows") as bar:
            plan = importer.plan(table, with_choices(guesses, {}), bar.update)
        if not plan.is_valid:
            for problem in plan.problems:
                where = f"row {problem.row}" + (f", column {problem.column}" if problem.column else "")
                click.echo(f"{where}: {problem.message}", err=True)
            raise click.ClickException(f"Nothing was imported: {len(plan.problems)} problem(s), listed above.")
        try:
            with click.progressbar(length=len(plan.rows_to(CREATE, UPDATE)), label="Writing") as bar:
                outcome = importer.write(plan, bar.update)
        except BaseException:
            db.session.rollback()
            raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(f"{'Dry run, nothing saved' if dry_run else 'Imported'}: {outcome.created} new, "
               f"{outcome.updated} updated, {outcome.unchanged} unchanged, {outcome.skipped} skipped.")


def _command(kind: str) -> click.Command:
    @click.command(kind, help=f"Import {kind} from FILE (CSV or XLSX).\n\nEvery row is checked first; if any has a "
                   "problem, the problems are listed and nothing is written. Records already in the database only "
                   "get their empty fields filled, so importing the same file again changes nothing.")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Check the file and show what would change, saving nothing.")
    @with_appcontext
    def command(file: Path, dry_run: bool) -> None:
        _run(kind, file, dry_run)

    return command


for _kind in IMPORTERS:
    import_group.add_command(_command(_kind))


@import_group.command("cleanup")
@with_appcontext
def cleanup_command() -> None:
    """Remove files kept for imports that were never confirmed (uploaded more than a day ago)."""
    removed = uploads.remove_stale()
    db.session.commit()
    click.echo(f"Removed {removed} file(s) kept for unfinished imports.")

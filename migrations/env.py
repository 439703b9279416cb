"""Alembic environment: runs the migrations against the Flask app's database."""

import logging
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from alembic.util import CommandError
from flask import current_app

from forum_crm.schema import database_revisions, newer_schema_message, unknown_revisions
from forum_crm.search import models_only

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)  # keep the app's loggers (request log) working
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    """Write the SQL instead of running it (`flask db upgrade --sql`)."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_db.metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def refuse_unknown_revisions(connection):
    """A database upgraded by a newer release is left alone, with a message that says so (not Alembic's
    "Can't locate revision")."""
    unknown = unknown_revisions(database_revisions(connection))
    if unknown:
        raise CommandError(newer_schema_message(unknown))


def run_migrations_online():
    def skip_empty_autogenerate(context_, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", skip_empty_autogenerate)
    with target_db.engine.connect() as probe:  # its own connection: Alembic commits only transactions it began
        refuse_unknown_revisions(probe)
    conf_args.setdefault("include_object", models_only)
    with target_db.engine.connect() as connection, foreign_keys_checked_after(connection):
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


@contextmanager
def foreign_keys_checked_after(connection):
    """On SQLite, foreign keys are not enforced while the migrations run, and checked once they have: a batch
    migration rebuilds a table by dropping it, which SQLite refuses (or cascades) while other tables' rows refer to
    it (Alembic's advice for batch mode). If a migration ran, a row left referring to nothing makes the command fail,
    naming it (SQLite's DDL is not undone; the check reads every table: about a second at 100,000 people)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside any transaction, or SQLite ignores it
    revisions = database_revisions(connection)
    connection.commit()
    try:
        yield
        if database_revisions(connection) == revisions:
            return
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise CommandError(f"rows refer to rows that do not exist after the migration: {broken[:5]}")
    finally:
        connection.rollback()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

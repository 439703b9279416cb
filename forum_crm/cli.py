"""Flask commands: `flask --app wsgi COMMAND --help` explains each."""

import sys
import time

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from forum_crm.auth.passwords import password_problem
from forum_crm.auth.services import AccountError, create_user, generate_password
from forum_crm.backup.commands import backup_group
from forum_crm.demo.services import remove_demo_data
from forum_crm.extensions import db
from forum_crm.gdpr.commands import gdpr_group
from forum_crm.i18n import FORMATTING_LOCALES, LANGUAGE_NAMES
from forum_crm.imports.commands import import_group
from forum_crm.mail import queue_profile_reminders
from forum_crm.models import Edition, Organisation, Role, User
from forum_crm.organisations.queries import organisations_due_reminder
from forum_crm.organisations.services import record_reminder
from forum_crm.outbox.commands import send_mail_command
from forum_crm.reports.queries import Period
from forum_crm.reports.summary import build_summary, default_period
from forum_crm.seeding.demo import generate_demo_network, refresh_statistics
from forum_crm.seeding.report import FORUM_ORGANISATIONS, FORUM_PEOPLE, seed_report

QUICKSTART_COORDINATOR = "koordynator@example.org"
DEMO_EDITIONS = 3


def register_commands(app: Flask) -> None:
    for command in (seed_report_command, demo_data_command, create_user_command, quickstart_command, report_group):
        app.cli.add_command(command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(import_group)
    app.cli.add_command(backup_group)
    app.cli.add_command(gdpr_group)


@click.command("seed-report")
@with_appcontext
def seed_report_command() -> None:
    """Load the facts of the 2022/2023 report: towns, organisations, editions I-III, panels, partners.

    Safe to run again: what is already there is left as it is.
    """
    seed_report()
    db.session.commit()
    click.echo("Report data loaded (editions I-III, their panels and partners, the Forum's towns).")


@click.command("demo-data")
@with_appcontext
@click.option("--people", type=click.IntRange(min=1), default=104, show_default=True, help="People to create.")
@click.option("--organisations", type=click.IntRange(min=1), default=51, show_default=True, help="NGOs to create.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same network.")
@click.option("--editions", type=click.IntRange(min=0), default=DEMO_EDITIONS, show_default=True,
              help="Demo editions (numbered from 101) that the demo people attend.")
@click.option("--remove", is_flag=True, help="Remove the whole demo network instead, with its accounts and its "
              "change log; real records stay untouched.")
def demo_data_command(people: int, organisations: int, seed: int, editions: int, remove: bool) -> None:
    """Create a synthetic demo network (marked as demo, e-mails at demo.example.org), or --remove it.

    The network links only to its own records (its own editions, organisations and people) and to
    the shared towns and areas of work, never to real records. Any earlier demo network is
    replaced, so running it twice gives the same data.
    """
    if remove:
        with force_locale("en"):
            removed = remove_demo_data()
            db.session.commit()
            click.echo("Demo data removed: {people}, {organisations}, {editions}; {accounts} account(s), {changes} "
                       "change-log entries.".format(**removed.counts.phrases(), accounts=removed.accounts,
                                                    changes=removed.changes))
        return
    started = time.perf_counter()
    try:
        summary = generate_demo_network(people=people, organisations=organisations, seed=seed, editions=editions)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    db.session.commit()
    refresh_statistics()
    click.echo(
        f"Demo network: {summary.people} people, {summary.organisations} organisations, "
        f"{summary.affiliations} affiliations, {summary.participations} participations "
        f"in {summary.editions} demo editions ({time.perf_counter() - started:.1f} s)."
    )


def _read_password(generate: bool) -> tuple[str, bool]:
    """(password, was_generated): generated, typed at a prompt, or one line of standard input."""
    if generate:
        return generate_password(), True
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True), False
    return sys.stdin.readline().rstrip("\r\n"), False


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True,
              help="What the account may do.")
@click.option("--organisation", "organisation_id", type=int, help="The organisation an org_editor may edit (its id).")
@click.option("--generate-password", is_flag=True, help="Generate a password and print it once.")
def create_user_command(email: str, role: str, organisation_id: int | None, generate_password: bool) -> None:
    """Create a login account for EMAIL.

    The password is read from a prompt, or from the first line of standard input when that is not
    a terminal; with --generate-password one is generated and printed once.
    """
    password, generated = _read_password(generate_password)
    with force_locale("en"):
        problem = password_problem(password, email=email)
    if problem:
        raise click.UsageError(problem)
    try:
        user = create_user(email, password, Role(role), organisation_id)
    except AccountError as error:
        raise click.UsageError(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email}.")
    if generated:
        click.echo(f"Password (shown only now): {password}")


@click.command("quickstart")
@with_appcontext
def quickstart_command() -> None:
    """Prepare a fresh installation (used by `make run`).

    On an empty database: load the report's data and a demo network of 104 people in 51
    organisations who attend 3 demo editions of their own (`demo-data --remove` deletes it). If
    there is no coordinator yet: create one and print its password once.
    """
    empty = not db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) and not db.session.scalar(
        sa.select(sa.func.count()).select_from(Edition))
    if empty:
        seed_report()
        summary = generate_demo_network(people=FORUM_PEOPLE, organisations=FORUM_ORGANISATIONS, seed=1,
                                        editions=DEMO_EDITIONS)
        click.echo(f"Loaded the report's data and a demo network ({summary.people} people, "
                   f"{summary.organisations} organisations, {summary.editions} demo editions; "
                   "flask --app wsgi demo-data --remove deletes it).")
    coordinator = db.session.scalar(sa.select(User).where(User.role == Role.COORDINATOR).limit(1))
    password = None
    if coordinator is None:
        password = generate_password()
        coordinator = create_user(QUICKSTART_COORDINATOR, password, Role.COORDINATOR)
    db.session.commit()
    if password:
        click.echo("\n  Coordinator login (the password is shown only this once):")
        click.echo(f"    e-mail:   {coordinator.email}\n    password: {password}\n")
    else:
        click.echo(f"A coordinator account exists already ({coordinator.email}); its password was shown when it "
                   "was created. Another: flask --app wsgi create-user EMAIL --role coordinator --generate-password")


@click.group("report")
def report_group() -> None:
    """Reports for donors and the yearly report."""


@report_group.command("summary")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: 1 January of the "
              "year of the latest edition).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: 31 December of that year).")
@click.option("--lang", type=click.Choice(list(LANGUAGE_NAMES)), default="pl", show_default=True)
@click.option("--include-demo", is_flag=True, help="Count demo records too (left out by default); the text says so.")
@with_appcontext
def report_summary_command(start, end, lang: str, include_demo: bool) -> None:
    """Print the yearly report's paragraphs: the Forum in numbers, its editions, panels and partners.

    Demo records (from demo-data) are left out unless --include-demo is given.
    """
    if start and end and end < start:
        raise click.UsageError("--to is before --from.")
    with current_app.test_request_context(), force_locale(FORMATTING_LOCALES.get(lang, lang)):
        default = default_period(include_demo=include_demo)
        summary = build_summary(Period(start.date() if start else default.start, end.date() if end else default.end,
                                       include_demo))
        click.echo(summary.plain_text())


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Queue e-mails to the editors of organisations whose profile has not been confirmed for 12 months.

    Each organisation's editors get at most one reminder every 30 days, so it is safe to run daily.
    The reminders are queued with the record that they were sent, in one transaction, and sent by
    `flask send-mail`.
    """
    due = organisations_due_reminder()
    for organisation, editors in due:
        record_reminder(organisation)
        queue_profile_reminders(organisation, editors)
    db.session.commit()
    click.echo(f"Reminders queued for {len(due)} organisation(s); `flask send-mail` sends them.")

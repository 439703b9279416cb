"""`flask gdpr retention [--apply]`: who is past the retention period, and anonymising them (for cron)."""

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from forum_crm.extensions import db
from forum_crm.gdpr.queries import count_waiting_requests
from forum_crm.gdpr.retention import apply_retention, count_past_retention, people_past_retention

LISTED = 50  # people named in the summary without --apply


@click.group("gdpr")
def gdpr_group() -> None:
    """Data protection: retention of personal data (docs/privacy.md)."""


@gdpr_group.command("retention")
@click.option("--apply", "apply", is_flag=True, help="Anonymise them (cannot be undone) and delete answers given "
              "for editions that ended longer ago than FORUM_CRM_ANSWER_RETENTION_DAYS.")
@with_appcontext
def retention_command(apply: bool) -> None:
    """Show the people with no activity (no participation, change or login) for FORUM_CRM_RETENTION_MONTHS
    (36 by default); with --apply, anonymise them and print a summary."""
    months = current_app.config["RETENTION_MONTHS"]
    today = date.today()
    if apply:
        outcome = apply_retention(today)
        click.echo(f"Anonymised {outcome.people} person(s) with no activity for {months} months; deleted "
                   f"{outcome.answers} registration answer(s) older than "
                   f"{current_app.config['ANSWER_RETENTION_DAYS']} days after their edition.")
        return
    total = count_past_retention(today)
    click.echo(f"{total} person(s) with no activity for {months} months (run with --apply to anonymise them):")
    for person in db.session.scalars(people_past_retention(today).limit(LISTED)):
        click.echo(f"  #{person.id}  {person.full_name}  (last changed {person.updated_at.date().isoformat()})")
    if total > LISTED:
        click.echo(f"  ... and {total - LISTED} more (the coordinator's page /gdpr/retention lists them all).")
    waiting = count_waiting_requests()
    if waiting:
        click.echo(f"{waiting} request(s) to erase wait for the coordinator at /gdpr/requests.")

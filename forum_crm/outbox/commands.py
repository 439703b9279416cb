"""`flask send-mail`: the worker that sends the outbox."""

import signal

import click
from flask.cli import with_appcontext

from forum_crm.outbox.worker import run_forever, send_due, summary


@click.command("send-mail")
@click.option("--once", is_flag=True, help="Send what is due now and exit (for cron); the exit status is 1 if "
              "any message failed or is to be retried.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=5, show_default=True,
              help="Seconds between looks at the outbox.")
@with_appcontext
def send_mail_command(once: bool, interval: float) -> None:
    """Send the e-mails in the outbox; runs until stopped (Ctrl-C or SIGTERM) unless --once.

    Uses the SMTP server in MAIL_SERVER, or writes instance/outbox/<message-id>.eml files (0600) when
    it is not set. Before each look it queues what has become due (the reminder before an edition, once per
    registered person). Several workers may run at once: each message is claimed by one. When the server
    cannot be reached, messages wait 1, 2, 4... minutes (at most 6 hours) and fail after
    12 attempts (about a day); a message refused by the server fails at once with its answer. A message
    left 'sending' by a worker that died is tried again after 15 minutes.
    """
    if once:
        report = send_due()
        click.echo(summary(report))
        if report.failed or report.retrying:
            raise SystemExit(1)
        return
    stopping = []
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stopping.append(True))
    click.echo(f"Sending e-mail from the outbox every {interval:g} s; stop with Ctrl-C.")
    run_forever(interval, lambda: bool(stopping), click.echo)
    click.echo("Stopped.")

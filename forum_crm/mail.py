"""Sending e-mail: through SMTP when MAIL_SERVER is configured, otherwise into instance/outbox/.

Messages are plain text, in Polish unless another language is given. Links in them are built from
BASE_URL, never from the Host header of a request.
"""

import smtplib
import time
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from forum_crm.models import Role


def external_url(endpoint: str, **values) -> str:
    """An absolute link to `endpoint` on the configured BASE_URL (works outside requests, in commands)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def in_language(language: str | None, build: Callable[[], tuple[str, str]]) -> tuple[str, str]:
    """(subject, body) built by `build` in `language` (default: the site's default language, Polish)."""
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return build()


def invitation_email(link: str, role: Role, organisation: str | None, language: str | None = None):
    """The invitation to a new representative or member: the link lets them choose a password."""

    def build():
        if role == Role.ORG_EDITOR:
            what = _("You can now keep the profile of %(organisation)s and its people up to date in the "
                     "Forum's member directory.", organisation=organisation)
        else:
            what = _("You can now look up the Forum's people and organisations and keep your own profile "
                     "up to date.")
        return _("Invitation to forum-crm, the Forum Współpracy i Integracji directory"), _(
            "Hello,\n\nthe coordinator of the Forum Współpracy i Integracji has invited you to forum-crm. "
            "%(what)s\n\nTo accept, choose your password here (the link works once, for 7 days):\n"
            "%(link)s\n\nIf you did not expect this invitation, ignore this message.\n", what=what, link=link)

    return in_language(language, build)


def password_reset_email(link: str, language: str | None = None):
    def build():
        return _("A new password for forum-crm"), _(
            "Hello,\n\nsomeone, probably you, asked for a new forum-crm password for this address. "
            "Choose it here (the link works once, for one hour):\n%(link)s\n\n"
            "If it was not you, ignore this message: your password stays as it is.\n", link=link)

    return in_language(language, build)


def profile_reminder_email(organisation: str, link: str, language: str | None = None):
    def build():
        return _("Is the profile of %(organisation)s up to date?", organisation=organisation), _(
            "Hello,\n\nthe profile of %(organisation)s in the Forum Współpracy i Integracji directory has not "
            "been confirmed for a year. Please check it and its people, correct what has changed, and press "
            "\"The profile is up to date\":\n%(link)s\n", organisation=organisation, link=link)

    return in_language(language, build)


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server (or written to the outbox)."""


def send_email(to: str, subject: str, body: str) -> None:
    """Send one plain-text message, or write it to the outbox when no SMTP server is configured."""
    try:
        _send(to, subject, body)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(str(error)) from error


def _send(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=urlsplit(config["BASE_URL"]).hostname or "localhost")
    message.set_content(body)
    if not config["MAIL_SERVER"]:
        outbox = Path(config["MAIL_OUTBOX"])
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml").write_bytes(bytes(message))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)

"""What the app e-mails: invitations, password resets and profile reminders, queued in the outbox.

Messages are written in the recipient's language (Polish unless another is given), name the site
by FORUM_CRM_SITE_NAME, and are sent later by `flask send-mail`. Links in them are built from
BASE_URL, never from the Host header of a request.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from forum_crm.i18n import FORMATTING_LOCALES
from forum_crm.models import MessageKind, Organisation, OutboxMessage, Role, User
from forum_crm.outbox.services import queue_message


def external_url(endpoint: str, **values) -> str:
    """An absolute link to `endpoint` on the configured BASE_URL (works outside requests, in commands)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def language_or_default(language: str | None) -> str:
    return language or current_app.config["BABEL_DEFAULT_LOCALE"]


def in_language(language: str | None, build: Callable[[str], tuple[str, str]]) -> tuple[str, str]:
    """(subject, body) built by `build(site_name)` in `language` (default: the site's default language, Polish)."""
    language = language_or_default(language)
    with force_locale(FORMATTING_LOCALES.get(language, language)):  # English e-mails with European dates too
        return build(current_app.config["SITE_NAME"])


def invitation_email(link: str, role: Role, organisation: str | None, language: str | None = None):
    """The invitation to a new representative or member: the link lets them choose a password."""

    def build(site: str):
        if role == Role.ORG_EDITOR:
            what = _("You can now keep the profile of %(organisation)s and its people up to date in the "
                     "Forum's member directory.", organisation=organisation)
        else:
            what = _("You can now look up the Forum's people and organisations and keep your own profile "
                     "up to date.")
        return _("%(site)s: invitation to the member directory", site=site), _(
            "Hello,\n\nthe coordinator of \"%(site)s\" has invited you to its member directory. "
            "%(what)s\n\nTo accept, choose your password here (the link works once, for 7 days):\n"
            "%(link)s\n\nIf you did not expect this invitation, ignore this message.\n",
            site=site, what=what, link=link)

    return in_language(language, build)


def password_reset_email(link: str, language: str | None = None):
    def build(site: str):
        return _("%(site)s: a new password", site=site), _(
            "Hello,\n\nsomeone, probably you, asked for a new password to the \"%(site)s\" member directory for "
            "this address. Choose it here (the link works once, for one hour):\n%(link)s\n\n"
            "If it was not you, ignore this message: your password stays as it is.\n", site=site, link=link)

    return in_language(language, build)


def profile_reminder_email(organisation: str, link: str, language: str | None = None):
    def build(site: str):
        return _("%(site)s: is the profile of %(organisation)s up to date?", site=site, organisation=organisation), _(
            "Hello,\n\nthe profile of %(organisation)s in the \"%(site)s\" member directory has not "
            "been confirmed for a year. Please check it and its people, correct what has changed, and press "
            "\"The profile is up to date\":\n%(link)s\n", site=site, organisation=organisation, link=link)

    return in_language(language, build)


def queue_invitation(user: User, token: str, language: str | None = None) -> OutboxMessage:
    """Queue the invitation with the link that activates `user`'s account."""
    link = external_url("auth.accept_invitation", token=token)
    subject, text = invitation_email(link, user.role, user.organisation and user.organisation.name, language)
    return queue_message(user.email, MessageKind.INVITATION, subject, text, language=language_or_default(language),
                         user=user, person=user.person)


def queue_password_reset(user: User, token: str, language: str | None = None) -> OutboxMessage:
    link = external_url("auth.reset_password", token=token)
    subject, text = password_reset_email(link, language)
    return queue_message(user.email, MessageKind.PASSWORD_RESET, subject, text,
                         language=language_or_default(language), user=user, person=user.person)


def queue_profile_reminders(organisation: Organisation, editors: list[tuple[str, str | None]]) -> None:
    """Queue the reminder to confirm `organisation`'s profile to each of its editors (e-mail, language)."""
    link = external_url("organisations.organisation_edit", id=organisation.id)
    for email, language in editors:
        subject, text = profile_reminder_email(organisation.name, link, language)
        queue_message(email, MessageKind.PROFILE_REMINDER, subject, text, language=language_or_default(language))

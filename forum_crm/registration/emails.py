"""The e-mails of registration, in the person's language: the invitation with its personal link, the
confirmation (programme summary and an .ics calendar file), the waiting list, the reminder, a new link."""

from datetime import date

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from forum_crm.calendars import CalendarEvent, calendar_text, uid
from forum_crm.labels import label
from forum_crm.mail import external_url, in_language
from forum_crm.models import Edition, MessageKind, OutboxMessage, Registration
from forum_crm.outbox.services import Attachment, queue_message
from forum_crm.registration.tokens import personal_token


def personal_link(registration: Registration) -> str:
    return external_url("registration.answer", token=personal_token(registration))


def _edition_line(edition: Edition) -> str:
    dates = format_date(edition.start_date, "long")
    if edition.end_date != edition.start_date:
        dates += " – " + format_date(edition.end_date, "long")
    place = ", ".join(filter(None, (edition.venue, edition.locality.name if edition.locality else None)))
    return f"{edition} ({dates}{', ' + place if place else ''})"


def programme_summary(edition: Edition) -> str:
    """The programme, one line an item, by day and time."""
    lines = []
    for item in sorted(edition.programme, key=lambda item: (item.day is None, item.day or edition.start_date,
                                                              item.starts_at is None, item.starts_at or 0, item.id)):
        when = format_date(item.day, "short") if item.day else ""
        if item.starts_at:
            when += " " + item.starts_at.strftime("%H:%M")
        lines.append(f"- {when.strip() + ' ' if when.strip() else ''}{label(item.kind)}: {item.title}")
    return "\n".join(lines) or _("The programme will be sent later.")


def _queue(registration: Registration, kind: MessageKind, build, attachments=(),
           flush: bool = True) -> OutboxMessage | None:
    """Queue a message to the participant; None if they have no e-mail address (a member may have none)."""
    person, edition = registration.participation.person, registration.participation.edition
    if not person.email:
        return None
    subject, text = in_language(registration.language, build)
    return queue_message(person.email, kind, subject, text, language=registration.language, person=person,
                         edition=edition, attachments=attachments, flush=flush)


def queue_invitation(registration: Registration, closes_on: date, flush: bool = True) -> OutboxMessage:
    """The invitation with the personal link; `flush=False` when queueing many (see send_invitations)."""
    edition, link = registration.participation.edition, personal_link(registration)

    def build(site: str):
        return _("%(site)s: invitation to %(edition)s", site=site, edition=edition), _(
            "Hello %(name)s,\n\nwe invite you to %(edition)s.\n\nPlease tell us by following your personal link "
            "whether you are coming, and answer a few questions (days, accommodation, travel, dietary and "
            "accessibility needs):\n%(link)s\n\nThe link is yours: do not pass it on. Registration closes on "
            "%(closes)s.\n\n%(site)s\n", name=registration.participation.person.first_name,
            edition=_edition_line(edition), link=link, site=site, closes=format_date(closes_on, "long"))

    return _queue(registration, MessageKind.REGISTRATION_INVITATION, build, flush=flush)


def queue_confirmation(registration: Registration, moved_up: bool = False) -> OutboxMessage:
    """You are registered (or: a place freed and you moved up from the waiting list), with the programme
    and the edition in an .ics file."""
    edition, link = registration.participation.edition, personal_link(registration)

    def build(site: str):
        opening = (_("a place has freed up at %(edition)s and you have moved up from the waiting list: you "
                     "are registered.", edition=_edition_line(edition)) if moved_up
                   else _("you are registered for %(edition)s.", edition=_edition_line(edition)))
        return _("%(site)s: you are registered for %(edition)s", site=site, edition=edition), _(
            "Hello %(name)s,\n\n%(opening)s\n\nProgramme:\n%(programme)s\n\nThe calendar file attached adds it to "
            "your calendar. To change your answers or cancel (please do, if you cannot come: someone on the "
            "waiting list will get your place), use your personal link until registration closes:\n%(link)s\n\n"
            "%(site)s\n", name=registration.participation.person.first_name, opening=opening,
            programme=programme_summary(edition), link=link, site=site)

    return _queue(registration, MessageKind.REGISTRATION_CONFIRMATION, build,
                  (Attachment(f"forum-{edition.roman_number}.ics", "text/calendar", calendar_file(edition)),))


def queue_waiting_list(registration: Registration, place: int) -> OutboxMessage:
    edition, link = registration.participation.edition, personal_link(registration)

    def build(site: str):
        return _("%(site)s: waiting list for %(edition)s", site=site, edition=edition), _(
            "Hello %(name)s,\n\n%(edition)s is full: you are on the waiting list, place %(place)s. If someone "
            "cancels, you move up and we write to you at once.\n\nTo change your answers or leave the waiting "
            "list, use your personal link:\n%(link)s\n\n%(site)s\n",
            name=registration.participation.person.first_name, edition=_edition_line(edition), place=place,
            link=link, site=site)

    return _queue(registration, MessageKind.REGISTRATION_CONFIRMATION, build)


def queue_cancelled(registration: Registration) -> OutboxMessage:
    edition, link = registration.participation.edition, personal_link(registration)

    def build(site: str):
        return _("%(site)s: your answer for %(edition)s", site=site, edition=edition), _(
            "Hello %(name)s,\n\nwe have noted that you are not coming to %(edition)s. If you change your mind "
            "while registration is open, use your personal link:\n%(link)s\n\n%(site)s\n",
            name=registration.participation.person.first_name, edition=_edition_line(edition), link=link,
            site=site)

    return _queue(registration, MessageKind.REGISTRATION_CONFIRMATION, build)


def queue_reminder(registration: Registration) -> OutboxMessage:
    edition, link = registration.participation.edition, personal_link(registration)

    def build(site: str):
        return _("%(site)s: see you at %(edition)s", site=site, edition=edition), _(
            "Hello %(name)s,\n\na reminder: %(edition)s is coming soon and you are registered.\n\nProgramme:\n"
            "%(programme)s\n\nIf you cannot come, please cancel with your personal link:\n%(link)s\n\n%(site)s\n",
            name=registration.participation.person.first_name, edition=_edition_line(edition),
            programme=programme_summary(edition), link=link, site=site)

    return _queue(registration, MessageKind.REGISTRATION_REMINDER, build)


def queue_new_link(registration: Registration) -> OutboxMessage:
    edition, link = registration.participation.edition, personal_link(registration)

    def build(site: str):
        return _("%(site)s: your link for %(edition)s", site=site, edition=edition), _(
            "Hello %(name)s,\n\nhere is your new personal link for %(edition)s (earlier links no longer "
            "work):\n%(link)s\n\nIf you did not ask for it, ignore this message.\n\n%(site)s\n",
            name=registration.participation.person.first_name, edition=_edition_line(edition), link=link,
            site=site)

    return _queue(registration, MessageKind.REGISTRATION_LINK, build)


def calendar_file(edition: Edition) -> bytes:
    """The edition as an all-day event in iCalendar format, with its programme in the description."""
    place = ", ".join(filter(None, (edition.venue, edition.locality.name if edition.locality else None)))
    summary = f"{current_app.config['SITE_NAME']}: {edition}" + (f" – {edition.theme}" if edition.theme else "")
    event = CalendarEvent(uid("edition", edition.id), edition.start_date, edition.end_date, summary, place or None,
                          programme_summary(edition))
    return calendar_text(current_app.config["SITE_NAME"], [event]).encode()

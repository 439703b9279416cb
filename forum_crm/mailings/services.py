"""Writing mailings: drafts, the message each recipient gets, a test to oneself, queueing, unsubscribing.

Queueing writes every recipient's outbox message and recipient row with Core INSERTs in batches, in the
caller's transaction (flush, never commit): 10,000 recipients take seconds, not minutes.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeSerializer

from forum_crm.consents import record_consent
from forum_crm.errors import FieldProblem, refuse
from forum_crm.extensions import db
from forum_crm.mail import external_url
from forum_crm.mailings.merge_fields import MERGE_FIELDS, Addressee, fields_used, fill, unknown_fields
from forum_crm.mailings.segments import Split
from forum_crm.models import (
    ConsentPurpose,
    ConsentSource,
    Mailing,
    MailingRecipient,
    MessageKind,
    OutboxMessage,
    OutboxState,
    Person,
    User,
)
from forum_crm.models.base import utcnow
from forum_crm.outbox.services import new_message_id, queue_message, text_to_html

BATCH = 1000  # rows per INSERT while queueing
_UNSUBSCRIBE_SALT = "mailing-unsubscribe"


@dataclass(frozen=True)
class Rendered:
    """One recipient's e-mail."""

    language: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]


def save_draft(mailing: Mailing, data: dict) -> Mailing:
    """Store the composed message (subject and body per language, the edition it is about). Raises FieldProblem:
    no language written in full, half a language, or {names} that are not merge fields."""
    problems = []
    written = []
    for language in ("pl", "en"):
        subject, body = data[f"subject_{language}"], data[f"body_{language}"]
        if bool(subject) != bool(body):
            missing = f"body_{language}" if subject else f"subject_{language}"
            problems.append((missing, _("Write both the subject and the text in this language, or neither.")))
        elif subject:
            written.append(language)
        for field in (f"subject_{language}", f"body_{language}"):
            if unknown := unknown_fields(data[field]):
                problems.append((field, _("Unknown merge fields: %(names)s.",
                                          names=", ".join(f"{{{name}}}" for name in unknown))))
            needs = [name for name in fields_used(data[field])
                     if name in MERGE_FIELDS and MERGE_FIELDS[name].needs_edition]
            if needs and data["edition"] is None:
                problems.append(("edition", _("Choose the edition the mailing is about: the text uses {%(name)s}.",
                                              name=needs[0])))
    if not written and not problems:
        problems.append(("subject_pl", _("Write the message in Polish, in English, or in both.")))
    refuse(problems)
    for field in ("subject_pl", "body_pl", "subject_en", "body_en"):
        setattr(mailing, field, data[field] or None)
    mailing.edition = data["edition"]
    db.session.add(mailing)
    db.session.flush()
    return mailing


class Renderer:
    """Writes a mailing's e-mail for each recipient; what is the same for all (the footers in each language, the
    start of the unsubscribe link) is prepared once, so thousands of recipients take a moment."""

    _LINK = "\x00link\x00"

    def __init__(self, mailing: Mailing, unsubscribe: bool):
        self.mailing, self.unsubscribe = mailing, unsubscribe
        self.link_start = unsubscribe_link_start()
        self.footers = {}
        for language in ("pl", "en"):
            with force_locale(language):
                self.footers[language] = "\n-- \n" + _(
                    "You get this message as a member of the network of \"%(site)s\". To stop receiving mailings, "
                    "open: %(link)s", site=current_app.config["SITE_NAME"], link=self._LINK) + "\n"

    def render(self, addressee: Addressee) -> Rendered:
        """The e-mail `addressee` gets: in their language if the mailing has it, else in the one it has; with the
        unsubscribe link (a footer and a List-Unsubscribe header) when asked for and they are a person."""
        mailing = self.mailing
        language = addressee.language if getattr(mailing, f"subject_{addressee.language}") else (
            "pl" if mailing.subject_pl else "en")
        subject = fill(getattr(mailing, f"subject_{language}"), addressee, mailing)
        text = fill(getattr(mailing, f"body_{language}"), addressee, mailing).strip() + "\n"
        headers = {}
        if self.unsubscribe and addressee.person_id is not None:
            link = self.link_start + unsubscribe_token(addressee.person_id, mailing.id)
            text += self.footers[language].replace(self._LINK, link)
            headers["List-Unsubscribe"] = f"<{link}>"
        return Rendered(language, " ".join(subject.split()), text, text_to_html(text, language), headers)


def render(mailing: Mailing, addressee: Addressee, unsubscribe: bool) -> Rendered:
    """The e-mail one recipient gets (see Renderer)."""
    return Renderer(mailing, unsubscribe).render(addressee)


def send_test(mailing: Mailing, addressee: Addressee, author: User, unsubscribe: bool) -> OutboxMessage:
    """Queue to `author` the e-mail `addressee` would get, its subject marked as a test."""
    rendered = render(mailing, addressee, unsubscribe)
    with force_locale(rendered.language):
        subject = _("[Test] %(subject)s", subject=rendered.subject)
    return queue_message(author.email, MessageKind.MAILING, subject, rendered.text, language=rendered.language,
                         html_body=rendered.html, user=author, edition=mailing.edition, headers=rendered.headers)


def claim_for_sending(mailing: Mailing) -> bool:
    """Mark the draft queued, once: False if it already was (a second click, another tab)."""
    now = utcnow()
    claimed = db.session.execute(sa.update(Mailing).where(Mailing.id == mailing.id, Mailing.queued_at.is_(None))
                                 .values(queued_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    mailing.queued_at = now
    return True


def queue_mailing(mailing: Mailing, recipients: Split, unsubscribe: bool) -> int:
    """Queue the mailing to every addressee of `recipients` (the mailing must be claimed): one outbox message and
    one recipient row each, inserted in batches. Returns how many were queued."""
    now = utcnow()
    mailing.recipient_count = len(recipients.addressees)
    mailing.left_out = dict(recipients.left_out)
    db.session.flush()
    outbox = OutboxMessage.__table__
    renderer = Renderer(mailing, unsubscribe)
    for start in range(0, len(recipients.addressees), BATCH):
        batch = recipients.addressees[start:start + BATCH]
        messages = [_outbox_row(mailing, renderer.render(addressee), addressee, now) for addressee in batch]
        # Plain executemany, then the new ids by their unique Message-IDs: INSERT ... RETURNING in the
        # parameters' order goes row by row on SQLite.
        db.session.execute(sa.insert(outbox), messages)
        ids = dict(db.session.execute(sa.select(outbox.c.message_id, outbox.c.id).where(
            outbox.c.message_id.in_([message["message_id"] for message in messages]))).all())
        db.session.execute(sa.insert(MailingRecipient.__table__), [
            {"mailing_id": mailing.id, "person_id": addressee.person_id, "organisation_id": addressee.organisation_id,
             "email": addressee.email, "language": message["language"], "outbox_message_id": ids[message["message_id"]]}
            for addressee, message in zip(batch, messages, strict=True)])
    return mailing.recipient_count


def _outbox_row(mailing: Mailing, rendered: Rendered, addressee: Addressee, now: datetime) -> dict:
    return {"recipient": addressee.email, "person_id": addressee.person_id, "edition_id": mailing.edition_id,
            "kind": MessageKind.MAILING, "language": rendered.language, "subject": rendered.subject[:300],
            "text_body": rendered.text, "html_body": rendered.html, "attachments": [],
            "headers": rendered.headers or None, "state": OutboxState.QUEUED, "attempts": 0,
            "next_attempt_at": now, "message_id": new_message_id(), "created_at": now, "user_id": None,
            "last_error": None, "sent_at": None}


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT)


def unsubscribe_token(person_id: int, mailing_id: int) -> str:
    """A signed, never-expiring token naming the person and the mailing that carried it."""
    return _serializer().dumps([person_id, mailing_id])


def unsubscribe_link_start() -> str:
    """The unsubscribe link without its token (building a URL costs more than signing the token)."""
    return external_url("mailings.unsubscribe", token="x").removesuffix("x")


def person_of_token(token: str) -> tuple[Person, int]:
    """The person and mailing id of an unsubscribe token; LookupError if it was not signed here or names nobody."""
    try:
        person_id, mailing_id = _serializer().loads(token)
    except (BadData, TypeError, ValueError) as error:
        raise LookupError("token") from error
    person = db.session.get(Person, person_id) if isinstance(person_id, int) else None
    if person is None or person.anonymised_at is not None or not isinstance(mailing_id, int):
        raise LookupError("person")
    return person, mailing_id


def unsubscribe(person: Person, mailing_id: int) -> bool:
    """Record the withdrawal of the consent to mailings (dated, source: the link). False if it already was."""
    event = record_consent(person, ConsentPurpose.NEWSLETTER, False, ConsentSource.UNSUBSCRIBE,
                           note=f"mailing {mailing_id}")
    return event is not None


def check_recipients(recipients: Split, expected: int | None) -> None:
    """Refuse to send when the list has changed since the coordinator saw its count, or is empty."""
    if not recipients.addressees:
        raise FieldProblem(None, _("Nobody on this list can receive the mailing."))
    if expected is not None and expected != len(recipients.addressees):
        raise FieldProblem(None, _("The list has changed: it now has %(count)s recipients. Check them and send again.",
                                   count=len(recipients.addressees)))

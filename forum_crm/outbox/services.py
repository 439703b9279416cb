"""Queueing e-mail: a row in the outbox, written in the caller's transaction (flush, never commit)."""

import base64
import html
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

from forum_crm.extensions import db
from forum_crm.models import Edition, MessageKind, OutboxMessage, Person, User

_LINK = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar"
    data: bytes


def queue_message(recipient: str, kind: MessageKind, subject: str, text: str, *, language: str,
                  html_body: str | None = None, person: Person | None = None, user: User | None = None,
                  edition: Edition | None = None, attachments: tuple[Attachment, ...] = (),
                  headers: dict[str, str] | None = None, flush: bool = True) -> OutboxMessage:
    """Queue one e-mail; it is sent by the worker only if the caller's transaction commits.

    Without `html_body`, the HTML part is the text itself, escaped, with its paragraphs and links kept.
    `flush=False` leaves the row to the caller's next flush: queueing many at once is then one batched INSERT.
    """
    message = OutboxMessage(
        recipient=recipient, kind=kind, language=language, subject=subject, text_body=text,
        html_body=html_body if html_body is not None else text_to_html(text, language),
        person=person, user=user, edition=edition, message_id=new_message_id(), headers=headers or None,
        attachments=[{"filename": item.filename, "content_type": item.content_type,
                      "data": base64.b64encode(item.data).decode("ascii")} for item in attachments],
    )
    db.session.add(message)
    if flush:
        db.session.flush()
    return message


def new_message_id() -> str:
    """A unique Message-ID on the site's host; it starts with the time, so files named after it sort by age."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"<{time.time_ns()}.{secrets.token_hex(8)}@{host}>"


def text_to_html(text: str, language: str) -> str:
    """A simple HTML part for a plain-text message: escaped, one <p> per paragraph, links clickable."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(paragraph)
        linked = _LINK.sub(lambda match: f'<a href="{match.group(0)}">{match.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    body = "\n".join(paragraphs)
    return (f'<!doctype html>\n<html lang="{html.escape(language)}">\n<head><meta charset="utf-8"></head>\n'
            f"<body>\n{body}\n</body>\n</html>\n")

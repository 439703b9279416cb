"""A person's data as one download (Art. 15 and 20 GDPR): a ZIP with a page to read (in the language of the
request) and the same data as JSON for other programs. Each place's rows are read from the database once per
file and written as they come; the archive is built in a temporary file (in memory while small)."""

import json
import tempfile
import zipfile
from collections.abc import Iterable
from datetime import date
from typing import IO, Any

from flask import Response, current_app, flash, send_file, stream_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from forum_crm.auth.services import log_event
from forum_crm.extensions import db
from forum_crm.gdpr.erasure import AlreadyAnonymised
from forum_crm.gdpr.places import PLACES, Place
from forum_crm.gdpr.subject import Subject, subject_of
from forum_crm.i18n import lazy_gettext as _l
from forum_crm.labels import FIELDS, change_value
from forum_crm.models import AuthEventKind, Person

IN_MEMORY = 8 * 1024 * 1024  # bytes of the archive kept in memory before it goes to a temporary file
# Names of the download's columns that are not fields of the change log (labels.FIELDS).
COLUMNS = {
    "id": _l("Number"), "created_at": _l("Created"), "updated_at": _l("Last changed"), "origin": _l("Origin"),
    "anonymised_at": _l("Anonymised"), "occurred_at": _l("When"), "action": _l("What"), "changes": _l("Changes"),
    "decided_at": _l("When"), "purpose": _l("Purpose"), "given": _l("Given"), "source": _l("Source"),
    "wording_version": _l("Wording version"), "note": _l("Note"), "recipient": _l("To"), "subject": _l("Subject"),
    "text_body": _l("Text"), "state": _l("State"), "sent_at": _l("Sent"), "edition": _l("Edition"),
    "starts": _l("Starts"), "checked_in": _l("Checked in"), "merged_at": _l("Merged"), "undone_at": _l("Undone"),
    "requested_at": _l("Requested"), "message": _l("Message"), "handled_at": _l("Handled"),
    "address": _l("Address"), "path": _l("Page"), "detail": _l("Detail"), "active": _l("Active"),
    "last_login_at": _l("Last login"), "kind": _l("What"), "locality_id": _l("Town (number)"),
    "photo_consent_at": _l("Consent to photographs"), "newsletter_withdrawn_at": _l("Objected to mailings"),
}


def column_label(name: str) -> str:
    return str(COLUMNS.get(name) or FIELDS.get(name) or name)


def shown(value: Any) -> str:
    """A value of the download as the page shows it."""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return change_value(value)


def archive_name(person: Person) -> str:
    return f"forum-crm-data-{person.id}-{date.today().isoformat()}.zip"


def data_archive(person: Person) -> IO[bytes]:
    """The ZIP of everything the app holds about the person, rewound. AlreadyAnonymised if nothing is left."""
    if person.anonymised_at is not None:
        raise AlreadyAnonymised
    subject = subject_of(person)
    archive = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 (send_file closes it)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        with bundle.open("data.json", "w") as target:
            for chunk in _json_chunks(subject):
                target.write(chunk.encode())
        page = "dane.html" if str(get_locale()) == "pl" else "data.html"
        with bundle.open(page, "w") as target:
            for chunk in stream_template("gdpr/data_page.html", person=person, sections=_sections(subject),
                                         column_label=column_label, shown=shown, today=date.today()):
                target.write(chunk.encode())
    archive.seek(0)
    return archive


def send_data_of(person: Person) -> Response | None:
    """The person's data as a ZIP download, recorded in the security log (the person's number, never their name);
    None, with a message flashed, if they were anonymised."""
    try:
        archive = data_archive(person)
    except AlreadyAnonymised:
        flash(_("This person was anonymised: no personal data about them is left to download."), "error")
        return None
    log_event(AuthEventKind.DATA_EXPORTED, user=current_user._get_current_object(),
              detail=f"data of person {person.id}: {len(PLACES)} sections")
    db.session.commit()
    return send_file(archive, mimetype="application/zip", as_attachment=True, download_name=archive_name(person))


def _sections(subject: Subject) -> Iterable[tuple[Place, Iterable[dict]]]:
    return ((place, place.rows(subject)) for place in PLACES)


def _json_chunks(subject: Subject) -> Iterable[str]:
    """The JSON file, one row at a time: {"person_id": ..., "profile": [...], "affiliations": [...], ...}."""
    yield json.dumps({"person_id": subject.person.id, "exported_on": date.today().isoformat(),
                      "application": current_app.config["SITE_NAME"]}, ensure_ascii=False)[:-1]
    for place in PLACES:
        yield f', "{place.key}": ['
        for index, row in enumerate(place.rows(subject)):
            yield ("," if index else "") + json.dumps(row, ensure_ascii=False)
        yield "]"
    yield "}\n"

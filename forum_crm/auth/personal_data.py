"""Personal data leaving the application: every export goes through `send`.

Exports that hold personal data (people, an edition's participants, the change log, the report table
of people) say which records they list: sending one needs the password typed in the last 10 minutes,
and is recorded in the security log (what, which filters, how many records). Organisations' details
and the reports' counts are not personal data: they are sent without either.
"""

import sqlalchemy as sa
from flask import Response, request
from flask_login import current_user

from forum_crm.auth.permissions import confirm_password_first, has_recent_password
from forum_crm.auth.services import log_event
from forum_crm.extensions import db
from forum_crm.models import AuthEventKind
from forum_crm.spreadsheets.export import Export, download


def log_personal_data_export(export: Export, file_format: str) -> None:
    """Record in the security log, before anything is sent, who exports what, with which filters, and how many
    records the export's query lists at this moment (the change log has a row per changed field of each entry)."""
    records = db.session.scalar(sa.select(sa.func.count()).select_from(
        export.personal_records.order_by(None).subquery()))
    filters = "&".join(f"{key}={value}" for key, value in request.args.items(multi=True) if value)
    detail = f"{export.name}.{file_format}: {records} records" + (f"; filters: {filters}" if filters else "")
    log_event(AuthEventKind.DATA_EXPORTED, user=current_user._get_current_object(), detail=detail)
    db.session.commit()


def send(export: Export, file_format: str) -> Response:
    """The export as a download; personal data first needs a recent password (otherwise: a redirect to confirm
    it), then goes in the security log."""
    if export.personal_records is not None:
        if not has_recent_password():
            return confirm_password_first()
        log_personal_data_export(export, file_format)
    return download(export, file_format)

"""Keeping an uploaded file between the preview and the confirmation of an import.

The file is kept in the database (table kept_upload), so the confirmation may reach another app server
than the preview did. The session (signed: the browser can read it but not change it) holds only a random
token; the row also names the account that uploaded it and what it is for (its scope). A new upload
replaces the previous one, a finished import removes its file, and files left for more than a day are
removed at the next upload (and by `flask imports cleanup`). These functions flush; the view commits.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import session
from flask_login import current_user

from forum_crm.extensions import db
from forum_crm.models import KeptUpload
from forum_crm.models.base import utcnow

SESSION_KEY = "import_upload"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
KEPT_FOR = timedelta(days=1)
NAME_SHOWN = 200  # characters of the original file name kept for display


@dataclass(frozen=True)
class Upload:
    token: str
    scope: str  # "people", "organisations", "attendance-3"
    filename: str

    def read(self) -> bytes:
        return db.session.scalar(sa.select(KeptUpload.data).where(KeptUpload.token == self.token)) or b""


def keep(data: bytes, scope: str, filename: str) -> Upload:
    """Keep an uploaded file for `scope` and remember it in the session (the previous one is removed)."""
    discard()
    remove_stale()
    upload = Upload(secrets.token_urlsafe(32), scope, filename[:NAME_SHOWN])
    db.session.add(KeptUpload(token=upload.token, user_id=current_user.id, scope=scope, filename=upload.filename,
                              data=data))
    db.session.flush()
    session[SESSION_KEY] = {"token": upload.token, "scope": upload.scope}
    return upload


def current(scope: str) -> Upload | None:
    """The file this session's user uploaded for `scope`, if it is still kept."""
    kept = session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("scope") != scope or not TOKEN.match(str(kept.get("token", ""))):
        return None
    filename = db.session.scalar(sa.select(KeptUpload.filename).where(
        KeptUpload.token == kept["token"], KeptUpload.scope == scope, KeptUpload.user_id == current_user.id,
        KeptUpload.created_at >= utcnow() - KEPT_FOR))
    return Upload(kept["token"], scope, filename) if filename is not None else None


def discard() -> None:
    """Forget this session's upload and remove its file."""
    kept = session.pop(SESSION_KEY, None)
    if isinstance(kept, dict) and TOKEN.match(str(kept.get("token", ""))):
        db.session.execute(sa.delete(KeptUpload).where(KeptUpload.token == kept["token"]))


def remove_stale() -> int:
    """Remove files kept for longer than a day (imports never confirmed); how many were removed."""
    return db.session.execute(sa.delete(KeptUpload).where(KeptUpload.created_at < utcnow() - KEPT_FOR)).rowcount

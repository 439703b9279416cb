"""Keeping an uploaded file between the preview and the confirmation of an import.

The file is saved as instance/uploads/<random token>. The session (signed: the browser can read it
but not change it) holds the token, what the file is for (its scope) and the name it had; nothing
the browser sends is ever used as a path. A new upload replaces the previous one, a finished import
removes its file, and files left behind for more than a day are removed at the next upload.
"""

import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, session

SESSION_KEY = "import_upload"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
KEPT_FOR_SECONDS = 24 * 3600
NAME_SHOWN = 200  # characters of the original file name kept for display


@dataclass(frozen=True)
class Upload:
    token: str
    scope: str  # "people", "organisations", "attendance-3"
    filename: str

    @property
    def path(self) -> Path:
        return folder() / self.token

    def read(self) -> bytes:
        return self.path.read_bytes()


def folder() -> Path:
    """instance/uploads, or the IMPORT_UPLOAD_FOLDER setting (the tests use a temporary folder)."""
    path = Path(current_app.config.get("IMPORT_UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def keep(data: bytes, scope: str, filename: str) -> Upload:
    """Save an uploaded file for `scope` and remember it in the session (the previous one is removed)."""
    discard()
    _remove_stale()
    upload = Upload(secrets.token_urlsafe(32), scope, filename[:NAME_SHOWN])
    descriptor = os.open(upload.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    session[SESSION_KEY] = {"token": upload.token, "scope": upload.scope, "filename": upload.filename}
    return upload


def current(scope: str) -> Upload | None:
    """The file this session uploaded for `scope`, if it is still there."""
    kept = session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("scope") != scope or not TOKEN.match(str(kept.get("token", ""))):
        return None
    upload = Upload(kept["token"], scope, str(kept.get("filename", "")))
    return upload if upload.path.is_file() else None


def discard() -> None:
    """Forget this session's upload and remove its file."""
    kept = session.pop(SESSION_KEY, None)
    if isinstance(kept, dict) and TOKEN.match(str(kept.get("token", ""))):
        (folder() / kept["token"]).unlink(missing_ok=True)


def _remove_stale() -> None:
    limit = time.time() - KEPT_FOR_SECONDS
    for path in folder().iterdir():
        if TOKEN.match(path.name) and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)

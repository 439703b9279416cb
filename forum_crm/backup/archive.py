"""The backup file: a tar with manifest.json first, written under a temporary name and renamed only when complete,
and read back only after every member's checksum matches the manifest."""

import hashlib
import io
import json
import os
import secrets
import tarfile
from dataclasses import dataclass
from pathlib import Path

FORMAT = "forum-crm-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupRefused(Exception):
    """The file cannot be restored (not a backup, damaged, truncated, of another kind): the message says why."""


@dataclass(frozen=True)
class Manifest:
    created_at: str  # ISO 8601, UTC
    dialect: str  # "sqlite" or "postgresql"
    revisions: list[str]  # the schema's Alembic revision(s) when the backup was taken
    tables: dict[str, int]  # rows per table
    files: dict[str, str]  # member name -> SHA-256 in hex

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION, "created_at": self.created_at,
                           "dialect": self.dialect, "revisions": self.revisions, "tables": self.tables,
                           "files": self.files}, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        try:
            fields = json.loads(data)
            if fields.get("format") != FORMAT:
                raise ValueError
        except (ValueError, AttributeError):
            raise BackupRefused("This is not a forum-crm backup (its manifest is not ours).") from None
        if fields.get("format_version") != FORMAT_VERSION:
            raise BackupRefused(f"This backup's format version {fields.get('format_version')} is not one this "
                                "version of forum-crm reads.")
        return cls(fields["created_at"], fields["dialect"], list(fields["revisions"]), dict(fields["tables"]),
                   dict(fields["files"]))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(target: Path, manifest: Manifest, members: dict[str, Path]) -> None:
    """Write the backup to `target` through a hidden temporary file in the same folder, synced to disk and renamed
    only when complete: a failure (a full disk) leaves no file called a backup, and raises."""
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        with partial.open("xb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                _add_bytes(tar, MANIFEST, manifest.to_json())
                for name, path in members.items():
                    tar.add(path, arcname=name, recursive=False)
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    tar.addfile(info, io.BytesIO(data))


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_manifest(path: Path) -> Manifest:
    """The manifest of the backup at `path`, without checking the other members."""
    with _open(path) as tar:
        return _manifest_of(tar)


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:")
    except FileNotFoundError:
        raise BackupRefused(f"There is no file {path}.") from None
    except (tarfile.TarError, OSError):
        raise BackupRefused(f"{path} is not a forum-crm backup (not a tar archive, or cut short).") from None


def _manifest_of(tar: tarfile.TarFile) -> Manifest:
    try:
        first = tar.next()
        if first is None or first.name != MANIFEST or not first.isfile():
            raise BackupRefused("This is not a forum-crm backup (it has no manifest.json first).")
        return Manifest.from_json(tar.extractfile(first).read())
    except (tarfile.TarError, OSError, EOFError):
        raise BackupRefused("The backup is damaged or cut short: its manifest cannot be read.") from None


def unpack(path: Path, folder: Path) -> tuple[Manifest, dict[str, Path]]:
    """Check every member against the manifest and copy it into `folder`; BackupRefused if anything is wrong.

    Returns the manifest and where each member was copied (never to a path named in the archive).
    """
    with _open(path) as tar:
        manifest = _manifest_of(tar)
        seen: dict[str, Path] = {}
        try:
            for member in tar:
                if member.offset == 0:  # the manifest, read already
                    continue
                expected = manifest.files.get(member.name)
                if expected is None or not member.isfile() or member.name in seen:
                    raise BackupRefused(f"The backup holds an unexpected member {member.name!r}.")
                digest, destination = hashlib.sha256(), folder / f"member-{len(seen)}"
                with tar.extractfile(member) as source, destination.open("xb") as copy:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        copy.write(chunk)
                if digest.hexdigest() != expected:
                    raise BackupRefused(f"The backup is damaged: the checksum of {member.name} does not match.")
                seen[member.name] = destination
        except (tarfile.TarError, EOFError, OSError) as error:
            raise BackupRefused(f"The backup is damaged or cut short ({error}).") from None
    missing = set(manifest.files) - set(seen)
    if missing:
        raise BackupRefused(f"The backup is cut short: {', '.join(sorted(missing))} is missing.")
    return manifest, seen

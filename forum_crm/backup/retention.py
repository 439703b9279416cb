"""Which backups in the backup folder to keep: the newest of each of the last N days and of the last M months."""

import re
from datetime import UTC, datetime
from pathlib import Path

NAME = re.compile(r"^forum-crm-(\d{8}-\d{6})\.tar$")
STAMP = "%Y%m%d-%H%M%S"


def backup_name(moment: datetime) -> str:
    """forum-crm-20261130-134700.tar (UTC): names sort by time."""
    return f"forum-crm-{moment.astimezone(UTC).strftime(STAMP)}.tar"


def backups_in(folder: Path) -> list[tuple[datetime, Path]]:
    """The backups `backup create` wrote into `folder`, newest first (other files are not ours and stay)."""
    found = []
    for path in folder.iterdir() if folder.is_dir() else ():
        match = NAME.match(path.name)
        if match and path.is_file():
            found.append((datetime.strptime(match.group(1), STAMP).replace(tzinfo=UTC), path))
    return sorted(found, reverse=True)


def to_remove(backups: list[tuple[datetime, Path]], daily: int, monthly: int) -> list[Path]:
    """Of `backups` (newest first), those outside the retention; the newest backup is always kept."""
    keep, days, months = set(), [], []
    for moment, path in backups:
        day, month = moment.date(), (moment.year, moment.month)
        if day not in days and len(days) < daily:
            days.append(day)
            keep.add(path)
        if month not in months and len(months) < monthly:
            months.append(month)
            keep.add(path)
    if backups:
        keep.add(backups[0][1])
    return [path for _moment, path in backups if path not in keep]

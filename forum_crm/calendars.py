"""Calendars in iCalendar format (RFC 5545): all-day events, text escaped, lines folded at 75 octets."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app


@dataclass(frozen=True)
class CalendarEvent:
    """An all-day event from `start` to `end` (both included)."""

    uid: str  # stable across downloads, so a calendar updates the event instead of adding it again
    start: date
    end: date
    summary: str
    location: str | None = None
    description: str | None = None


def escaped(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def folded(line: str) -> str:
    """A content line in parts of at most 75 octets, continued with a space, never splitting a character."""
    parts, current = [], ""
    for character in line:
        if len((current + character).encode()) > 75:
            parts.append(current)
            current = " "
        current += character
    return "\r\n".join([*parts, current])


def uid(kind: str, number: int) -> str:
    """A unique id for a record of the site: "edition-3@forum.example.org"."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    return f"{kind}-{number}@{host}"


def calendar_text(name: str, events: Iterable[CalendarEvent]) -> str:
    """A whole calendar (METHOD:PUBLISH) with these events."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//forum-crm//calendar//PL", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escaped(name)}"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{event.end + timedelta(days=1):%Y%m%d}",  # the day after the last: exclusive
                  f"SUMMARY:{escaped(event.summary)}"]
        if event.location:
            lines.append(f"LOCATION:{escaped(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escaped(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(folded(line) + "\r\n" for line in lines)

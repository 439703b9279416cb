"""How every export is written: CSV or XLSX, streamed, from an Export (its name, headers and rows).

CSV is UTF-8 with a byte order mark and ';' between cells: Polish Excel, which expects ';' (the
decimal separator is ','), opens it with Polish letters right; other programs read it too, and
our imports take it back. It is streamed: the rows are read from the database 1,000 at a time and
sent as they are written. XLSX is streamed the same way, its zip written as the rows come (see
spreadsheets.xlsx), with column widths from its first rows, the header row bold and frozen, and filters
on. In CSV a text cell that starts like a formula (=, +, -, @, tab or carriage return) gets a leading
quote, so no spreadsheet runs it; in XLSX text is stored as text (never as a formula), which no
spreadsheet runs, so it needs no visible quote.
The headers are those the imports read (see spreadsheets.columns), in the reader's language.

Exports that hold personal data say which records they list (`Export.personal_records`): views send them
through forum_crm.auth.personal_data.send, which asks for a recent password and records the export.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, stream_with_context
from flask_babel import get_timezone, gettext

from forum_crm.extensions import db
from forum_crm.i18n import ui_language
from forum_crm.spreadsheets.columns import Column
from forum_crm.spreadsheets.xlsx import MIMETYPE as XLSX_MIMETYPE
from forum_crm.spreadsheets.xlsx import xlsx_chunks

# Exports put a quote before these so spreadsheets do not run the cell as a formula; imports take it off.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
CSV_DELIMITER = ";"
BATCH = 1_000  # rows fetched from the database at a time
CSV_CHUNK = 64 * 1024  # characters sent at a time

Cell = str | int | date | None


@dataclass(frozen=True)
class Export:
    """A table to send: the file name without extension, the headers and the rows (read lazily).

    `personal_records`: for a table of personal data, the query of the people or entries it lists
    (counted for the security log); None for a table without personal data.
    """

    name: str
    headers: list[str]
    rows: Iterable[list[Cell]]
    personal_records: sa.Select | None = None


def text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def neutralise(text: str) -> str:
    """A quote before text that a spreadsheet would run as a formula: "=1+1" -> "'=1+1"."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def language() -> str:
    return ui_language()


def headers(columns: Iterable[Column]) -> list[str]:
    reader_language = language()
    return [column.header(reader_language) for column in columns]


def yes_no_words() -> Callable[[bool], str]:
    """"tak"/"nie" (or "yes"/"no") for a flag, translated once per export rather than once per cell."""
    yes, no = gettext("yes"), gettext("no")
    return lambda value: yes if value else no


def local_times() -> Callable[[datetime], datetime]:
    """A stored moment (UTC; SQLite gives it without its zone) in the reader's time zone, looked up once per export
    (Flask-Babel's to_user_timezone looks it up for each cell: a quarter of the CPU of exporting 100,000 people)."""
    zone = get_timezone()
    return lambda moment: (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)


# PostgreSQL plans a cursor for a tenth of its rows by default: for an export of 100,000 people sorted by name that is
# hash joins and a sort of everything before the first row (1.4-2 s to the first byte; 45 ms planned for the first).
FIRST_ROWS_FIRST = sa.text("SET LOCAL cursor_tuple_fraction = 0.01")


def stream_rows(select: sa.Select) -> Iterator[Any]:
    """The rows of `select`, fetched BATCH at a time (on PostgreSQL a server-side cursor, planned to give its first
    rows soon, for the rest of the transaction: the export's own)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(FIRST_ROWS_FIRST)
    return iter(db.session.execute(select.execution_options(yield_per=BATCH)))


# What is exported


# How it is sent

def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value)) if isinstance(value, str) else str(value)


def csv_chunks(export: Export) -> Iterator[str]:
    """The export as CSV text in chunks of about CSV_CHUNK characters, starting with the byte order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([_csv_cell(header) for header in export.headers])
    for row in export.rows:
        writer.writerow([_csv_cell(value) for value in row])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def download(export: Export, file_format: str) -> Response:
    """The export as a download named like organisations-2024-05-18.csv (see auth.personal_data.send)."""
    name = f"{export.name}-{date.today().isoformat()}.{file_format}"
    if file_format == "xlsx":
        response = Response(stream_with_context(xlsx_chunks(export.name, export.headers, export.rows)),
                            mimetype=XLSX_MIMETYPE)
    else:
        response = Response(stream_with_context(csv_chunks(export)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def file_format(fmt: str) -> str:
    if fmt not in FORMATS:
        abort(404)
    return fmt

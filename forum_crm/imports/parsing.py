"""Reading import files into a table of text: pure functions, bytes in, a Table out.

CSV comes in UTF-8 (with or without a byte order mark), UTF-16 (Excel's "Unicode text") or
Windows-1250 (Polish Excel's "CSV"), separated by commas, semicolons or tabs: the encoding and
the separator are found from the file. XLSX is read with openpyxl, streaming, values only (a
formula gives the value Excel last computed). Row numbers are the spreadsheet's: the header is row 1.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import openpyxl
from flask_babel import lazy_gettext as _l
from openpyxl.utils.exceptions import InvalidFileException

from forum_crm.spreadsheets.columns import Column, header_key
from forum_crm.spreadsheets.export import FORMULA_STARTS
from forum_crm.text import fold

MAX_ROWS = 20_000  # rows of data, not counting the header and empty rows
MAX_CELL = 5_000  # characters: the longest text a form accepts (descriptions, notes)
MAX_COLUMNS = 100
SNIFF_SAMPLE = 64 * 1024
DELIMITERS = ";,\t"
IGNORE = ""  # the field of a column that is not imported
TRUE_WORDS = {"tak", "t", "yes", "y", "x", "1", "true", "prawda", "v", "✓", "✔", "+"}
FALSE_WORDS = {"nie", "n", "no", "0", "false", "falsz", "-", ""}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y")


class FileRefused(ValueError):
    """The file cannot be read as a table of at most MAX_ROWS rows; `message` says why, translated."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Row:
    number: int  # in the file: the header is row 1
    cells: tuple[str, ...]

    def cell(self, index: int) -> str:
        return self.cells[index] if index < len(self.cells) else ""


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    file_format: str  # "csv" or "xlsx"
    encoding: str | None = None  # CSV only
    delimiter: str | None = None  # CSV only


def read_table(data: bytes) -> Table:
    """The first sheet of an XLSX file, or a CSV file, as text; FileRefused if it cannot be read."""
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(_l("This is an old Excel file (XLS). Save it as XLSX or CSV and upload it again."))
    return read_csv(data)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with or without BOM, UTF-16 with BOM, otherwise Windows-1250."""
    candidates = (("utf-8-sig", ("utf-8-sig",)) if data.startswith(codecs.BOM_UTF8) else
                  ("utf-16", ("utf-16",)) if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else
                  ("", ("utf-8", "cp1250")))
    for encoding in candidates[1]:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileRefused(_l("The file's characters could not be read: save it as CSV UTF-8, or as XLSX."))


def sniff_delimiter(text: str) -> str:
    """The separator of a CSV text: what csv.Sniffer finds if the header has it, else the header's commonest."""
    header = text.split("\n", 1)[0]
    sample = text[:SNIFF_SAMPLE]
    if len(text) > SNIFF_SAMPLE and "\n" in sample:
        sample = sample[:sample.rindex("\n")]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
        if delimiter in header:
            return delimiter
    except csv.Error:
        pass
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers, rows = _rows(list(record) for record in reader)
    except csv.Error:
        raise FileRefused(_l("Row %(row)s could not be read as CSV; check its quotation marks.",
                             row=reader.line_num)) from None
    return Table(headers, rows, "csv", encoding, delimiter)


def read_xlsx(data: bytes) -> Table:
    """The first sheet; FileRefused if it is not a workbook, or its XML declares entities (defusedxml)."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise FileRefused(_l("The file is empty."))
            records = ([cell_text(value) for value in values]
                       for values in workbook.worksheets[0].iter_rows(values_only=True))
            headers, rows = _rows(records)
        finally:
            workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, SyntaxError) as error:
        if isinstance(error, FileRefused):
            raise
        raise FileRefused(_l("This XLSX file could not be opened. Save it again in Excel, or as CSV.")) from None
    return Table(headers, rows, "xlsx")


def cell_text(value) -> str:
    """A spreadsheet cell as text: whole numbers without ".0", dates as 2023-05-18."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time.min else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def unneutralise(text: str) -> str:
    """Take off the quote an export put before a cell starting like a formula ("'=A1" -> "=A1")."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS else text


def _rows(records) -> tuple[tuple[str, ...], tuple[Row, ...]]:
    """The header and the non-empty rows, numbered as in the file; FileRefused past the limits."""
    headers: tuple[str, ...] | None = None
    rows: list[Row] = []
    for number, record in enumerate(records, start=1):
        cells = [unneutralise(cell) for cell in record]
        while cells and not cells[-1].strip():
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise FileRefused(_l("Row %(row)s has more than %(count)s columns.", row=number, count=MAX_COLUMNS))
        if headers is None:
            if not cells:
                raise FileRefused(_l("The first row must hold the column names, and it is empty."))
            headers = tuple(cell.strip() for cell in cells)
        elif cells:
            if len(rows) == MAX_ROWS:
                raise FileRefused(_l("The file has more than %(count)s rows. Split it into smaller files.",
                                     count=MAX_ROWS))
            rows.append(Row(number, tuple(cells)))
    if headers is None:
        raise FileRefused(_l("The file is empty."))
    return headers, tuple(rows)


def column_letter(index: int) -> str:
    """The spreadsheet name of a column: 0 -> "A", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def guess_fields(headers: Sequence[str], columns: Sequence[Column],
                 other: Callable[[str], str | None] | None = None) -> list[str | None]:
    """For each header: its field, IGNORE for a known column that is not imported, None if unknown.

    `other` names fields that are not in `columns` (the days of an attendance list).
    """
    by_key = {key: column.field or IGNORE for column in columns for key in column.header_keys()}
    guesses: list[str | None] = []
    for header in headers:
        key = header_key(header)
        field = by_key.get(key) if key else None
        if field is None and other is not None:
            field = other(header)
        guesses.append(field)
    return guesses


def parse_flag(text: str) -> bool | None:
    """tak/yes/x/1 -> True, nie/no/0/empty -> False, anything else -> None."""
    folded = fold(text)
    if folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
    return None


def parse_date(text: str) -> date | None:
    """2023-05-18, 18.05.2023, 18/05/2023 or 18-05-2023 (a time after the date is ignored); None if not a date."""
    text = text.strip().split(" ", 1)[0]
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


DAY_NUMBER = re.compile(r"^(?:dzien|day|d)(\d{1,2})$")
SHORT_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})\.?$")


def day_of_header(header: str, days: Sequence[date]) -> date | None:
    """The day of an event a sign-in column stands for: "Dzień 1", "Day 2", "D1", "2023-05-18", "18.05"."""
    key = header_key(header)
    if match := DAY_NUMBER.match(key):
        number = int(match.group(1))
        return days[number - 1] if 1 <= number <= len(days) else None
    day = parse_date(header)
    if day is None and (match := SHORT_DATE.match(header.strip())):
        day = next((d for d in days if (d.day, d.month) == (int(match.group(1)), int(match.group(2)))), None)
    return day if day in days else None

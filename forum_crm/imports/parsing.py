"""Reading import files into a table of text: pure functions, bytes in, a Table out.

CSV comes in UTF-8 (with or without a byte order mark), UTF-16 (Excel's "Unicode text") or
Windows-1250 (Polish Excel's "CSV"), separated by commas, semicolons or tabs: the encoding and
the separator are found from the file. XLSX is read with openpyxl's cell reader, values only (a
formula gives the value Excel last computed). Row numbers are the spreadsheet's: the header is row 1.

An XLSX file is a zip of XML parts, and a small one can unpack to gigabytes, declare a million rows
and columns, or hold one giant cell. So the sizes the zip declares are checked before anything is
unpacked (zipfile enforces them while reading), the sheet and its shared strings are streamed (each
row is kept only while it is read) and nothing else of them is kept; what the sheet declares about its
size (`<dimension>`) is never used, and reading stops at the first row, cell or column over the limits.
"""

import codecs
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from forum_crm.i18n import lazy_gettext as _l
from forum_crm.spreadsheets.columns import Column, header_key
from forum_crm.spreadsheets.export import FORMULA_STARTS
from forum_crm.text import fold

MAX_ROWS = 20_000  # rows of data, not counting the header and empty rows
MAX_CELL = 5_000  # characters: the longest text a form accepts (descriptions, notes)
MAX_COLUMNS = 100
MAX_CELL_READ = 128 * 1024  # characters in any cell, imported or not: the csv module's own limit, for XLSX too
# What an XLSX file may unpack to, from the limits above. A full sheet of MAX_ROWS rows of MAX_COLUMNS short
# cells is about (MAX_ROWS + 1) * MAX_COLUMNS * 50 bytes of XML, a cell being
# <c r="CV20001" s="1" t="inlineStr"><is><t>x</t></is></c>
XML_PER_CELL = 64  # bytes
MAX_XLSX_SHEET = (MAX_ROWS + 1) * MAX_COLUMNS * XML_PER_CELL  # 128 MB: a worksheet or the shared strings (streamed)
MAX_XLSX_PART = 4 * 1024 * 1024  # any other part (workbook, styles, properties): openpyxl reads those whole
MAX_XLSX_TOTAL = 2 * MAX_XLSX_SHEET  # all parts together
MAX_XLSX_RATIO = 100  # unpacked size / packed size of a part over SMALL_PART; real sheets pack 5 to 25 times
SMALL_PART = 1024 * 1024  # bytes: a part this small may pack any number of times, it cannot cost much
STREAMED_PART = re.compile(r"xl/(worksheets/[^/]+|sharedStrings)\.xml", re.IGNORECASE)
# Whatever the XML says, a sheet is read as at most Excel's own rows, a row as at most Excel's own columns
# (empty formatted cells, <c s="1"/>) and room for the elements of MAX_COLUMNS cells with values, rich text
# included; the XML is not nested deeper than real workbooks are.
EXCEL_ROWS = 1_048_576
MAX_ROW_ELEMENTS = 16_384 + MAX_COLUMNS * 16  # Excel has 16,384 columns (A to XFD)
MAX_XML_DEPTH = 32
MAX_SHARED_STRINGS = (MAX_ROWS + 1) * MAX_COLUMNS  # a sheet within the limits cannot use more
ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
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
        headers, rows = _rows(enumerate(reader, start=1))
    except csv.Error:
        raise FileRefused(_l("Row %(row)s could not be read as CSV; check its quotation marks.",
                             row=reader.line_num)) from None
    return Table(headers, rows, "csv", encoding, delimiter)


def read_xlsx(data: bytes) -> Table:
    """The first sheet; FileRefused if it is not a workbook, unpacks to too much, or its XML declares entities
    (defusedxml)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_parts(archive)
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        try:
            reader.read_manifest()
            reader.shared_strings = _shared_strings(reader)
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            path = next((rel.target for _sheet, rel in reader.parser.find_sheets()
                         if rel.target in reader.valid_files and "chartsheet" not in rel.Type), None)
            if path is None:
                raise FileRefused(_l("The file is empty."))
            with reader.archive.open(path) as source:
                headers, rows = _rows(_sheet_records(source, reader))
        finally:
            reader.archive.close()
    except (zipfile.BadZipFile, zlib.error, EOFError, InvalidFileException, KeyError, IndexError, ValueError, OSError,
            SyntaxError) as error:
        if isinstance(error, FileRefused):
            raise
        raise FileRefused(_l("This XLSX file could not be opened. Save it again in Excel, or as CSV.")) from None
    return Table(headers, rows, "xlsx")


def too_large() -> FileRefused:
    return FileRefused(_l("This XLSX file is too large once unpacked for an import of at most %(rows)s rows and "
                          "%(columns)s columns. Split it into smaller files, or save it as CSV.",
                          rows=MAX_ROWS, columns=MAX_COLUMNS))


def too_many_rows() -> FileRefused:
    return FileRefused(_l("The file has more than %(count)s rows. Split it into smaller files.", count=MAX_ROWS))


def check_parts(archive: zipfile.ZipFile) -> None:
    """FileRefused if a part, or all of them, would unpack to more than the limits, or packs suspiciously well."""
    total = 0
    for part in archive.infolist():
        limit = MAX_XLSX_SHEET if STREAMED_PART.fullmatch(part.filename) else MAX_XLSX_PART
        if part.file_size > limit or part.file_size > max(SMALL_PART, MAX_XLSX_RATIO * part.compress_size):
            raise too_large()
        total += part.file_size
    if total > MAX_XLSX_TOTAL:
        raise too_large()


def _elements(source, tag: str, limit: int, over_limit: Callable[[], FileRefused]) -> Iterator:
    """Each `tag` element of an XML part, whole, in turn; nothing else of the part is kept in memory.

    FileRefused (`over_limit()`) past `limit` such elements; too_large() past MAX_ROW_ELEMENTS elements in one of
    them, or XML nested deeper than MAX_XML_DEPTH.
    """
    path: list = []  # the open elements, from the root; each keeps at most its open child
    depth = count = size = 0  # depth: of the open `tag` element, 0 if none is open
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            path.append(element)
            if len(path) > MAX_XML_DEPTH:
                raise too_large()
            if not depth and element.tag == tag:
                depth, size, count = len(path), 0, count + 1
                if count > limit:
                    raise over_limit()
            if depth:
                size += 1
                if size > MAX_ROW_ELEMENTS:
                    raise too_large()
            continue
        if len(path) == depth:
            depth = 0
            yield element
        path.pop()
        if not depth and path:
            path[-1].remove(element)


def _shared_strings(reader: ExcelReader) -> list[str]:
    """The workbook's shared strings (the text of most cells Excel writes), at most MAX_SHARED_STRINGS."""
    part = reader.package.find(SHARED_STRINGS)
    if part is None:
        return []
    with reader.archive.open(part.PartName[1:]) as source:
        return [Text.from_tree(element).content.replace("x005F_", "")
                for element in _elements(source, STRING_TAG, MAX_SHARED_STRINGS, too_large)]


def _sheet_records(source, reader: ExcelReader) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) of each row of a sheet's XML; FileRefused for a cell past MAX_COLUMNS or
    longer than MAX_CELL_READ. Cells are read by openpyxl's own reader, as in its read-only sheets, which cannot be
    used: they pad rows to the declared dimension, and parse a sheet without one whole before the first row."""
    workbook = reader.wb
    parser = WorkSheetParser(source, reader.shared_strings, data_only=True, epoch=workbook.epoch,
                             date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
    for element in _elements(source, ROW_TAG, EXCEL_ROWS, too_many_rows):
        number, cells = parser.parse_row(element)
        parser.row_dimensions.clear()  # heights and styles of rows, not needed
        yield number, _record(number, cells)


def _record(number: int, cells: Iterable[dict]) -> list[str]:
    texts: dict[int, str] = {}
    for cell in cells:
        text = cell_text(cell["value"])
        if len(text) > MAX_CELL_READ:
            raise FileRefused(_l("Row %(row)s has a cell of more than %(count)s characters.",
                                 row=number, count=MAX_CELL_READ))
        if cell["column"] <= MAX_COLUMNS:
            texts[cell["column"]] = text
        elif text.strip():
            raise FileRefused(_l("Row %(row)s has more than %(count)s columns.", row=number, count=MAX_COLUMNS))
    return [texts.get(column, "") for column in range(1, max(texts, default=0) + 1)]


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


def _rows(records: Iterable[tuple[int, list[str]]]) -> tuple[tuple[str, ...], tuple[Row, ...]]:
    """The header and the non-empty rows of (row number, cells), numbered as in the file; FileRefused past the
    limits."""
    headers: tuple[str, ...] | None = None
    rows: list[Row] = []
    for number, record in records:
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
                raise too_many_rows()
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

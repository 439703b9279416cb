"""An XLSX workbook of one sheet, written as it is sent: the zip is built on the fly, row by row.

Python's zipfile writes to a stream it cannot seek (each part's sizes follow it, in a data descriptor),
so the fixed parts go out first, then the worksheet's XML in chunks of CHUNK_ROWS rows while the rows are
still being read, then the workbook (which names the filter's range, known only at the end: the order of
a zip's parts does not matter). Memory stays the same whatever the number of rows.

Cells: text is an inline string (`t="inlineStr"`, never a formula, so "=1+1" needs no visible quote),
XML-escaped, without the characters XML 1.0 forbids; whole numbers are numbers; dates and times are
numbers with a date format (Excel's day count), shown as 2024-05-18 and 2024-05-18 14:30:00.
The header row is bold, frozen, and has filters; columns are as wide as the header and the first
WIDTH_SAMPLE rows need.
"""

import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import chain, islice
from xml.sax.saxutils import escape, quoteattr

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_ROWS = 500  # rows written before what the zip holds so far is sent
WIDTH_SAMPLE = 200  # rows read before writing, to size the columns
MIN_WIDTH, MAX_WIDTH = 8, 60
EXCEL_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's count (its 1900 leap-year bug is before any date we hold)
# Everything but what XML 1.0 allows: tab, newlines, and the rest of Unicode bar surrogates, U+FFFE and U+FFFF.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# XML parsers read a bare carriage return as a line feed: written as a character reference, it stays itself.
XML_TEXT = {"\r": "&#13;"}
# A character that text cannot hold as it is in XML: one NOT_XML takes out, or one written as a reference (&, <, >,
# a carriage return). Most cells have none, and go out untouched after one search.
NOT_PLAIN_XML = re.compile("[^\t\n\x20-\x25\x27-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
HEADER_STYLE, DATE_STYLE, DATETIME_STYLE = 1, 2, 3  # indexes of cellXfs in STYLES

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>"""
ROOT_RELATIONSHIPS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK_RELATIONSHIPS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/></Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>\
<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font>\
</fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>\
</fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELATIONSHIPS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


class _Collector:
    """A write-only stream that keeps what is written until it is taken (zipfile writes the zip into it)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def column_letter(number: int) -> str:
    """1 -> "A", 27 -> "AA"."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def xml_text(value: str) -> str:
    if NOT_PLAIN_XML.search(value) is None:
        return value
    return escape(NOT_XML.sub("", value), XML_TEXT)


def _excel_days(value: date) -> str:
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=None) - EXCEL_EPOCH
        return repr(moment.days + moment.seconds / 86_400 + moment.microseconds / 86_400_000_000)
    return str((value - EXCEL_EPOCH.date()).days)


def cell_xml(reference: str, value: object, style: int = 0) -> str:
    """One cell (`<c>`); empty for None. Most cells are text, so it is told first; bool before int: True is an int
    to Python."""
    if value is None:
        return ""
    styled = f' s="{style}"' if style else ""
    if type(value) is not str:
        if isinstance(value, bool):
            return f'<c r="{reference}"{styled} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float):
            return f'<c r="{reference}"{styled}><v>{value!r}</v></c>'
        if isinstance(value, date):
            date_style = DATETIME_STYLE if isinstance(value, datetime) else DATE_STYLE
            return f'<c r="{reference}" s="{date_style}"><v>{_excel_days(value)}</v></c>'
        value = str(value)
    return f'<c r="{reference}"{styled} t="inlineStr"><is><t xml:space="preserve">{xml_text(value)}</t></is></c>'


def _width(value: object) -> int:
    if isinstance(value, datetime):
        return 19
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0) if value is not None else 0


def column_widths(headers: list[str], rows: list[list]) -> list[int]:
    """Column widths in characters that fit the header and the sampled rows, between MIN_WIDTH and MAX_WIDTH."""
    return [min(MAX_WIDTH, max(MIN_WIDTH, _width(header) + 2,
                               *(_width(row[index]) + 1 for row in rows if index < len(row))))
            for index, header in enumerate(headers)]


def _sheet_start(headers: list[str], sample: list[list]) -> str:
    columns = "".join(f'<col min="{number}" max="{number}" width="{width}" customWidth="1"/>'
                      for number, width in enumerate(column_widths(headers, sample), start=1))
    header = "".join(cell_xml(f"{column_letter(number)}1", text, HEADER_STYLE)
                     for number, text in enumerate(headers, start=1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {MAIN} {RELATIONSHIPS}>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>' + (f"<cols>{columns}</cols>" if columns else "")
            + "<sheetData>" + (f'<row r="1">{header}</row>' if header else ""))


def _workbook(sheet_name: str, filter_range: str | None) -> str:
    quoted = "'" + sheet_name.replace("'", "''") + "'"
    name = quoteattr(NOT_XML.sub("", sheet_name))
    names = (f'<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
             f"{xml_text(quoted)}!{filter_range}</definedName></definedNames>") if filter_range else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {MAIN} {RELATIONSHIPS}>'
            f'<bookViews><workbookView/></bookViews><sheets><sheet name={name} '
            f'sheetId="1" r:id="rId1"/></sheets>{names}</workbook>')


def xlsx_chunks(sheet_name: str, headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """A workbook of one sheet (named `sheet_name`, cut to Excel's 31 characters) as bytes, sent as it is written:
    the first chunk before any row past the first WIDTH_SAMPLE is read, then one every CHUNK_ROWS rows."""
    out = _Collector()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=3) as archive:
        for name, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", ROOT_RELATIONSHIPS),
                           ("xl/_rels/workbook.xml.rels", WORKBOOK_RELATIONSHIPS), ("xl/styles.xml", STYLES)):
            archive.writestr(name, text)
        rows = iter(rows)
        sample = list(islice(rows, WIDTH_SAMPLE))  # the widths come before the first row
        letters = [column_letter(number) for number in range(1, max([len(headers), *map(len, sample)]) + 1)]
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_sheet_start(headers, sample).encode())
            yield out.take()
            number, lines = 1, []
            for number, row in enumerate(chain(sample, rows), start=2):
                if len(row) > len(letters):
                    letters += [column_letter(extra) for extra in range(len(letters) + 1, len(row) + 1)]
                row_number = str(number)
                lines.append(f'<row r="{row_number}">'
                             + "".join(cell_xml(letters[index] + row_number, value) for index, value in enumerate(row))
                             + "</row>")
                if len(lines) == CHUNK_ROWS:
                    sheet.write("".join(lines).encode())
                    lines.clear()
                    yield out.take()
            filter_range = f"$A$1:${letters[len(headers) - 1]}${number}" if headers else None
            auto_filter = f'<autoFilter ref="{filter_range.replace("$", "")}"/>' if filter_range else ""
            sheet.write(("".join(lines) + f"</sheetData>{auto_filter}</worksheet>").encode())
        archive.writestr("xl/workbook.xml", _workbook(sheet_name[:31], filter_range))
    yield out.take()

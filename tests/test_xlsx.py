"""The streamed XLSX writer: files that openpyxl (normal and read-only) and our imports open, with every value
back as it went in (hostile text included), typed numbers and dates, a bold frozen header with filters, and bytes
sent before the rows are all read."""

import io
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest

from forum_crm.imports.parsing import read_table
from forum_crm.spreadsheets import xlsx
from forum_crm.spreadsheets.xlsx import column_letter, xlsx_chunks

HOSTILE = ["=1+1", '=HYPERLINK("https://evil.example","klik")', "+48 600", "-2+3", "@SUM(A1)", "'quoted",
           "<b>bold</b> & </t></is>", "]]> \"' &amp;", "\tleading tab", "\rcarriage\r\nreturn\nline",
           "  spaces around  ", "Zażółć gęślą jaźń ŻÓŁĆ", "Привіт, Ґанок", "emoji 🌍 👩‍💻 🇺🇦", "_x0041_", "x" * 30_000]
FORBIDDEN = "a\x00b\x01c\x08d\x0be\x0cf\x1fg\ufffeh\uffffi\ud800j"


def workbook_bytes(headers, rows, name="people") -> bytes:
    return b"".join(xlsx_chunks(name, headers, rows))


def sheets(data: bytes):
    """The first sheet opened normally and read-only."""
    return (openpyxl.load_workbook(io.BytesIO(data)).worksheets[0],
            openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0])


def values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_hostile_text_comes_back_unchanged_as_text_never_a_formula():
    data = workbook_bytes(["Tekst", "Nr"], [[text, number] for number, text in enumerate(HOSTILE)])
    for sheet in sheets(data):
        assert values(sheet) == [["Tekst", "Nr"], *([text, number] for number, text in enumerate(HOSTILE))]
    sheet = sheets(data)[0]
    assert {sheet.cell(row, 1).data_type for row in range(2, len(HOSTILE) + 2)} == {"s"}
    assert {sheet.cell(row, 2).data_type for row in range(2, len(HOSTILE) + 2)} == {"n"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and 't="inlineStr"' in xml and "<b>" not in xml
    table = read_table(data)  # and our import reads it the same
    assert [row.cells[0] for row in table.rows] == HOSTILE


def test_characters_xml_forbids_are_left_out():
    data = workbook_bytes([f"Nagłówek{FORBIDDEN}"], [[FORBIDDEN]], name=f"lista{FORBIDDEN}")
    for sheet in sheets(data):
        assert values(sheet) == [["Nagłówekabcdefghij"], ["abcdefghij"]]
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["listaabcdefghij"]


def test_numbers_dates_empty_cells_and_flags_keep_their_types():
    moment = datetime(2024, 5, 18, 14, 30, 15, tzinfo=UTC)
    rows = [[7, 2.5, date(2024, 5, 18), moment, None, True, "a"], [0, -3, date(1999, 12, 31), None, "b", False, None]]
    normal, read_only = sheets(workbook_bytes(list("ABCDEFG"), rows))
    expected = [[7, 2.5, datetime(2024, 5, 18), datetime(2024, 5, 18, 14, 30, 15), None, True, "a"],
                [0, -3, datetime(1999, 12, 31), None, "b", False, None]]
    assert values(normal)[1:] == expected
    # no dimension up front, so read-only rows end at their last value
    assert values(read_only)[1:] == [expected[0], expected[1][:-1]]
    assert normal["C2"].number_format == "yyyy-mm-dd" and normal["D2"].number_format == "yyyy-mm-dd h:mm:ss"
    assert normal["C2"].is_date and normal["A2"].data_type == "n"


def test_the_header_is_bold_frozen_with_filters_and_the_columns_sized():
    rows = [["Krótko", "x" * 200, 5], ["Dłuższa nazwa organizacji", "", 12]]
    data = workbook_bytes(["Nazwa", "Opis", "Liczba osób"], rows, name="o'rganisations-and-a-very-long-name-cut")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    assert workbook.sheetnames == ["o'rganisations-and-a-very-long-"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:C3"
    assert [sheet.cell(1, column).font.b for column in (1, 2, 3)] == [True] * 3 and not sheet["A2"].font.b
    assert [sheet.column_dimensions[letter].width for letter in "ABC"] == [26, 60, 13]


def test_an_export_of_no_rows_is_its_header():
    for sheet in sheets(workbook_bytes(["Imię", "Nazwisko"], [])):
        assert values(sheet) == [["Imię", "Nazwisko"]]
    assert openpyxl.load_workbook(io.BytesIO(workbook_bytes(["Imię", "Nazwisko"], []))).worksheets[0].auto_filter.ref \
        == "A1:B1"
    assert values(sheets(workbook_bytes([], []))[1]) == []


def test_rows_wider_than_the_first_ones_get_their_columns():
    rows = [["a"]] * xlsx.WIDTH_SAMPLE + [["b"] * 30]  # after the rows that size the columns
    normal, read_only = sheets(workbook_bytes(["Jedna"], rows))
    assert values(normal)[-1] == values(read_only)[-1] == ["b"] * 30


def test_bytes_are_sent_before_all_rows_are_read(monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 100)
    read = []

    def rows():
        for number in range(1_000):
            read.append(number)
            yield [f"Osoba {number}", number]

    read_at_each_chunk, data = [], b""
    for chunk in xlsx_chunks("people", ["Kto", "Nr"], rows()):
        read_at_each_chunk.append(len(read))
        data += chunk
    assert data.startswith(b"PK")
    # the first bytes once the rows that size the columns are read, then every 100 rows
    assert read_at_each_chunk == [200, 200, 200, 300, 400, 500, 600, 700, 800, 900, 1_000, 1_000]
    assert values(sheets(data)[1])[-1] == ["Osoba 999", 999]


@pytest.mark.parametrize(("number", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (52, "AZ"), (703, "AAA"),
                                                 (16_384, "XFD")])
def test_column_letters(number, letters):
    assert column_letter(number) == letters

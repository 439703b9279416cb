"""Spreadsheet bombs (issue 11): small XLSX files that declare or unpack to far more than an import takes are
refused quickly, in little memory, with a clear message, on the upload page and by the `import` command.

The bombs are built here with zipfile from a real workbook, their sheet XML streamed into the zip.
"""

import csv
import io
import tracemalloc
import zipfile
from collections.abc import Iterable

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.imports import parsing
from forum_crm.imports.parsing import FileRefused, read_table
from forum_crm.models import KeptUpload, Person
from tests import factories
from tests.conftest import csrf_token
from tests.test_imports import upload, xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"
START = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Imię</t></is></c>'
          '<c r="B1" t="inlineStr"><is><t>Nazwisko</t></is></c></row>').encode()
ROW = b'<row><c t="inlineStr"><is><t>Anna</t></is></c><c t="inlineStr"><is><t>Nowak</t></is></c></row>'
MB = 1024 * 1024
TOO_LARGE = "This XLSX file is too large once unpacked"
TOO_LARGE_PL = "Ten plik XLSX po rozpakowaniu jest za duży"
MAX_PEAK = 50 * MB


def repeated(chunk: bytes, size: int) -> Iterable[bytes]:
    """`chunk` repeated to about `size` bytes, 1 MB at a time."""
    block = chunk * max(1, MB // len(chunk))
    for _ in range(max(1, size // len(block))):
        yield block


def sheet(rows: Iterable[bytes], dimension: str | None = None) -> Iterable[bytes]:
    yield START
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>" + HEADER
    yield from rows
    yield b"</sheetData></worksheet>"


def bomb(path, parts: Iterable[bytes]) -> bytes:
    """A real workbook whose first sheet's XML is `parts`, streamed into the zip (nothing that size in memory)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["Imię", "Nazwisko"], ["Anna", "Nowak"]])))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for item in source.infolist():
            if item.filename == SHEET:
                with target.open(SHEET, "w", force_zip64=True) as stream:
                    for part in parts:
                        stream.write(part)
            else:
                target.writestr(item, source.read(item.filename))
    return path.read_bytes()


BOMBS = {
    # 5 KB: declares every cell Excel has, and fills the last one
    "huge dimension": lambda: sheet([b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'],
                                    "A1:XFD1048576"),
    # 40 MB of rows, packed about 1,000 times
    "many rows": lambda: sheet(repeated(ROW, 40 * MB), "A1:B1000000"),
    # one cell of 40 MB
    "giant cell": lambda: sheet([b'<row><c t="inlineStr"><is><t>', *repeated(b"a", 40 * MB), b"</t></is></c></row>"]),
    # more than a sheet of the largest import can be, and no <dimension>
    "no dimension": lambda: sheet(repeated(ROW, parsing.MAX_XLSX_SHEET + MB)),
    # under a megabyte, so not refused for its size: one row of 100,000 cells
    "wide row": lambda: sheet([b"<row>" + b"<c/>" * 100_000 + b"</row>"]),
    # XML nested a hundred thousand levels deep in one cell
    "deep": lambda: sheet([b"<row><c>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</c></row>"]),
    # one cell longer than CSV allows, packed into 1 KB
    "long cell": lambda: sheet([b'<row><c t="inlineStr"><is><t>' + b"a" * 200_000 + b"</t></is></c></row>"]),
}
MESSAGES = {
    "huge dimension": "Row 1048576 has more than 100 columns.",
    "many rows": TOO_LARGE,
    "giant cell": TOO_LARGE,
    "no dimension": TOO_LARGE,
    "wide row": TOO_LARGE,
    "deep": TOO_LARGE,
    "long cell": "Row 2 has a cell of more than 131072 characters.",
}


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("bombs")
    return {name: bomb(folder / f"{name.replace(' ', '-')}.xlsx", build()) for name, build in BOMBS.items()}


@pytest.fixture
def coordinator(app, client, login):
    with app.app_context():
        user = factories.committed(factories.user())
    login(user)
    return user


def test_the_bombs_are_small_files(bombs):
    assert len(bombs["huge dimension"]) < 10_000
    assert all(len(data) < 2 * MB for data in bombs.values())


@pytest.mark.parametrize("name", BOMBS)
def test_a_bomb_is_refused_before_it_is_unpacked(bombs, name):
    """Refused from what the file declares, in little memory (no timing here: the machine may be busy)."""
    with pytest.raises(FileRefused) as refused:
        read_table(bombs[name])
    assert MESSAGES[name] in str(refused.value.message)
    tracemalloc.start()
    try:
        with pytest.raises(FileRefused):
            read_table(bombs[name])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MAX_PEAK, f"{peak // MB} MB"


def kept_files() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(KeptUpload))


@pytest.mark.parametrize("name", BOMBS)
def test_a_bomb_is_refused_on_the_upload_page_and_nothing_is_kept(app, client, coordinator, bombs, name):
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    response = upload(client, "/imports/people", bombs[name], "lista.xlsx")
    assert response.status_code == 422 and MESSAGES[name] in response.text
    with app.app_context():
        assert kept_files() == 0
    with client.session_transaction() as session:
        assert "import_upload" not in session
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0


def test_a_kept_file_refused_under_new_limits_is_dropped_at_the_confirmation(app, client, coordinator, monkeypatch):
    assert upload(client, "/imports/people", xlsx_bytes([["Imię", "Nazwisko"], ["Anna", "Nowak"]]),
                  "lista.xlsx").status_code == 200
    monkeypatch.setattr(parsing, "MAX_XLSX_SHEET", 100)
    response = client.post("/imports/people/confirm", data={"csrf_token": csrf_token(client), "action": "run"})
    assert response.status_code == 302 and response.location == "/imports/people"
    assert TOO_LARGE_PL in client.get("/imports/people").text
    with app.app_context():
        assert kept_files() == 0


def test_the_refusal_is_in_polish_by_default(client, coordinator, bombs):
    response = upload(client, "/imports/people", bombs["many rows"], "lista.xlsx")
    assert response.status_code == 422 and TOO_LARGE_PL in response.text


@pytest.mark.parametrize("name", BOMBS)
def test_the_import_command_refuses_a_bomb_on_stderr(app, bombs, name, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(bombs[name])
    result = app.test_cli_runner().invoke(args=["import", "people", str(path)])
    assert result.exit_code == 1
    assert MESSAGES[name] in result.stderr and MESSAGES[name] not in result.stdout
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0


def test_xlsx_cells_may_be_as_long_as_csv_cells(tmp_path):
    assert csv.field_size_limit() == parsing.MAX_CELL_READ
    cell = b'<row><c t="inlineStr"><is><t>' + b"a" * parsing.MAX_CELL_READ + b"</t></is></c></row>"
    assert read_table(bomb(tmp_path / "a.xlsx", sheet([cell]))).rows[0].cells == ("a" * parsing.MAX_CELL_READ,)


def test_a_sheet_is_read_by_its_cells_not_by_its_declared_dimension(tmp_path):
    """Rows and columns are those that hold something, wherever they are; empty ones beyond the limits are fine."""
    rows = [b'<row r="7"><c r="B7" t="inlineStr"><is><t>Ewa</t></is></c><c r="ZZ7" s="1"/></row>',
            b'<row r="500000" spans="1:3" ht="20" customHeight="1"/>']
    table = read_table(bomb(tmp_path / "a.xlsx", sheet(rows, "A1:XFD1048576")))
    assert table.headers == ("Imię", "Nazwisko")
    assert [(row.number, row.cells) for row in table.rows] == [(7, ("", "Ewa"))]


def test_shared_strings_are_read(tmp_path):
    """Excel keeps most text in a shared strings part; openpyxl writes inline text, so this one is made by hand."""
    strings = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               "<si><t>Imię</t></si><si><r><t>Ży</t></r><r><t>dek</t></r></si></sst>")
    source = zipfile.ZipFile(io.BytesIO(bomb(tmp_path / "a.xlsx", sheet(
        [b'<row><c t="s"><v>1</v></c><c t="s"><v>0</v></c></row>']))))
    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            target.writestr(item, data)
        target.writestr("xl/sharedStrings.xml", strings)
    assert read_table(path.read_bytes()).rows[0].cells == ("Żydek", "Imię")


def test_a_cell_naming_a_shared_string_that_is_not_there_is_refused(tmp_path):
    with pytest.raises(FileRefused, match="could not be opened"):
        read_table(bomb(tmp_path / "a.xlsx", sheet([b'<row><c t="s"><v>5</v></c></row>'])))

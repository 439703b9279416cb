"""Exports: CSV (UTF-8 with a byte order mark, ';') and XLSX, with the list pages' filters, streamed,
formula-like cells neutralised; and text that goes in through an import comes out of an export unchanged."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from forum_crm.auth.permissions import PASSWORD_CONFIRMED_AT
from forum_crm.extensions import db
from forum_crm.imports.parsing import read_table
from forum_crm.models import ChangeLogEntry, DayAttendance, ParticipationStatus, Person, Role
from forum_crm.people.exports import people_export
from forum_crm.people.queries import PersonFilters
from forum_crm.spreadsheets.export import csv_chunks, neutralise
from tests import factories
from tests.conftest import csrf_token
from tests.test_imports import confirm, csv_bytes, upload, xlsx_bytes

DAY_1, DAY_2 = date(2023, 5, 18), date(2023, 5, 19)
FORMULAS = ['=HYPERLINK("https://evil.example","klik")', "+48 600 100 200", "-2+3", "@SUM(A1:A9)", "\tukryte",
            "\rpowrót"]


@pytest.fixture
def coordinator(app, client, login):
    with app.app_context():
        user = factories.committed(factories.user())
    login(user)
    return user


def csv_rows(response) -> list[list[str]]:
    assert response.data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_list_links_its_exports_and_mailings_with_its_own_filters(app, client, coordinator):
    """The links are rendered once per filters and language (forum_crm.fragments): each list gets its own."""
    with app.app_context():
        factories.committed(factories.organisation("Fundacja Łąka"))
    for query in ("q=laka", "q=most&sector=ngo", "q=laka&page=2", ""):
        page = client.get(f"/organisations?{query}").text
        filters = query.replace("&page=2", "").replace("&", "&amp;")
        for link in ("/organisations/export.csv", "/organisations/export.xlsx"):
            assert f'href="{link}?{filters}"' in page if filters else f'href="{link}"' in page, (query, link)
        assert f'source=organisations{"&amp;" + filters if filters else ""}"' in page, query
        assert "Dodaj organizację" in page and "Eksportuj listę (CSV)" in page
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client, "/organisations")})
    english = client.get("/organisations?q=laka").text
    assert "Add an organisation" in english and "Export the list (CSV)" in english and "Eksportuj" not in english


def test_organisations_csv_keeps_the_list_filters(app, client, coordinator):
    with app.app_context():
        lodz = factories.locality("Łódź", voivodeship="łódzkie")
        factories.organisation("Fundacja Łąka", locality=lodz, krs="0000123456")
        factories.organisation("Stowarzyszenie Most")
        factories.committed(factories.organisation("Stara Fundacja", archived_at=factories.datetime_now()))
    response = client.get("/organisations/export.csv?q=laka&page=3")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="organisations-{date.today()}.csv"'
    rows = csv_rows(response)
    assert rows[0][:6] == ["Nazwa", "Skrót", "Sektor", "Miejscowość", "Województwo", "KRS"]
    assert [row[:6] for row in rows[1:]] == [["Fundacja Łąka", "", "Organizacja pozarządowa", "Łódź", "łódzkie",
                                              "0000123456"]]
    assert [row[0] for row in csv_rows(client.get("/organisations/export.csv"))[1:]] == [
        "Fundacja Łąka", "Stowarzyszenie Most"]
    assert len(csv_rows(client.get("/organisations/export.csv?status=all"))) == 4


def test_people_xlsx_keeps_the_list_filters(app, client, coordinator):
    with app.app_context():
        laka = factories.organisation("Fundacja Łąka")
        anna = factories.person("Anna", "Nowak", email="anna@example.org", forum_member=True)
        factories.affiliation(anna, laka, is_primary=True, role_title="prezeska")
        factories.committed(factories.person("Jan", "Kowalski"))
    response = client.get("/people/export.xlsx?organisation=fundacja laka")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == f'attachment; filename="people-{date.today()}.xlsx"'
    rows = xlsx_rows(response)
    assert rows[0][:8] == ["Imię", "Nazwisko", "E-mail", "Telefon", "Miejscowość", "Województwo", "Organizacja", "Rola"]
    assert rows[1][:10] == ["Anna", "Nowak", "anna@example.org", None, None, None, "Fundacja Łąka", "prezeska", None,
                            "tak"]
    assert len(rows) == 2
    assert len(xlsx_rows(client.get("/people/export.xlsx"))) == 3


def test_the_reader_s_language_gives_english_headers(client, coordinator):
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    assert csv_rows(client.get("/people/export.csv"))[0][:3] == ["First name", "Last name", "E-mail"]


def test_formula_cells_are_neutralised_in_csv_and_xlsx(app, client, coordinator):
    with app.app_context():
        for number, text in enumerate(FORMULAS):
            factories.organisation(f"{text} {number}", description=text)
        factories.committed(factories.person("=1+1", "-Nowak", email="@example.org"))
    for row in csv_rows(client.get("/organisations/export.csv"))[1:]:
        assert row[0].startswith("'") and row[10].startswith("'")
    for row in xlsx_rows(client.get("/organisations/export.xlsx"))[1:]:
        assert not row[0].startswith("'") and row[10] in FORMULAS
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/people/export.xlsx").data))
    cells = next(workbook.worksheets[0].iter_rows(min_row=2, max_col=3))
    assert [(cell.value, cell.data_type) for cell in cells] == [
        ("=1+1", "s"), ("-Nowak", "s"), ("@example.org", "s")]
    assert csv_rows(client.get("/people/export.csv"))[1][:3] == ["'=1+1", "'-Nowak", "'@example.org"]
    assert [neutralise(text) for text in ("Łąka", "a=b", "")] == ["Łąka", "a=b", ""]


ROUND_TRIP = [
    ["Imię", "Nazwisko", "E-mail", "Telefon", "Obszar ekspertyzy", "Notatki"],
    ["Żaneta", "Ślęzak-Źdźbło", "zaneta@example.org", "+48 600 100 200", "prawo = sprawiedliwość", "Zażółć gęślą jaźń"],
    ["Олена", "Шевченко", "olena@example.org", "", "-юридична допомога-", "Привіт! Ґанок, їжак, європеєць"],
    ["Mariam", "Hassan 🌍", "mariam@example.org", "", "👩‍💻 programowanie, 🇺🇦", "=SUM(A1) @home\tz tabulatorem"],
]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_text_round_trips_from_import_to_export_unchanged(app, client, coordinator, file_format):
    data = csv_bytes(ROUND_TRIP, "utf-8-sig") if file_format == "csv" else xlsx_bytes(ROUND_TRIP)
    upload(client, "/imports/people", data, f"osoby.{file_format}")
    assert confirm(client, "/imports/people/confirm").status_code == 302
    exported = client.get(f"/people/export.{file_format}").data
    table = read_table(exported)
    assert table.headers[:3] == ("Imię", "Nazwisko", "E-mail")
    columns = [table.headers.index(header) for header in ROUND_TRIP[0]]
    back = sorted([row.cells[index] for index in columns] for row in table.rows)
    assert back == sorted(ROUND_TRIP[1:])
    preview = upload(client, "/imports/people", exported, f"eksport.{file_format}")  # and in again: nothing changes
    assert 'value="run"' not in preview.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Person.id))) == 3


def test_participants_export_reads_back_as_an_attendance_list(app, client, coordinator):
    with app.app_context():
        edition = factories.edition(3, start=DAY_1, end=DAY_2)
        laka = factories.organisation("Fundacja Łąka")
        anna, jan = factories.person("Anna", "Nowak", email="anna@example.org"), factories.person("Jan", "Kowalski")
        came = factories.participation(edition, anna, organisation=laka, status=ParticipationStatus.ATTENDED)
        db.session.add(DayAttendance(participation_id=came.id, day=DAY_2))
        factories.participation(edition, jan, status=ParticipationStatus.REGISTERED)
        edition_id = factories.committed(edition).id
    response = client.get(f"/editions/{edition_id}/participants/export.csv")
    assert response.headers["Content-Disposition"].endswith(f'participants-III-{date.today()}.csv"')
    rows = csv_rows(response)
    assert rows[0] == ["Imię", "Nazwisko", "E-mail", "Organizacja", "Status", "Rola", "2023-05-18", "2023-05-19"]
    assert rows[1:] == [["Jan", "Kowalski", "", "", "Zarejestrowana", "Uczestnik/uczestniczka", "", ""],
                        ["Anna", "Nowak", "anna@example.org", "Fundacja Łąka", "Obecna", "Uczestnik/uczestniczka",
                         "", "x"]]
    preview = upload(client, f"/imports/editions/{edition_id}/attendance", response.data, "uczestnicy.csv")
    assert preview.status_code == 200 and 'value="run"' not in preview.text  # nothing new


def test_the_change_log_exports_a_row_per_field(app, client, coordinator):
    with app.app_context():
        db.session.add(ChangeLogEntry(entity_type="organisation", entity_id=1, entity_label="Fundacja Łąka",
                                      action="updated", user_id=coordinator.id,
                                      changes={"name": ["Łąka", "Fundacja Łąka"], "phone": [None, "1"]}))
        db.session.add(ChangeLogEntry(entity_type="person", entity_id=2, entity_label="=cmd|' /C calc'!A0",
                                      action="archived", changes={}))
        db.session.commit()
    rows = csv_rows(client.get("/changes/export.csv"))
    assert rows[0] == ["Kiedy", "Kto", "Rodzaj rekordu", "Nr rekordu", "Rekord", "Zmiana", "Pole", "Było", "Jest"]
    assert [row[1:] for row in rows[1:]] == [
        ["system", "Osoby", "2", "'=cmd|' /C calc'!A0", "zarchiwizowano", "", "", ""],
        [coordinator.email, "Organizacje", "1", "Fundacja Łąka", "edytowano", "Nazwa", "Łąka", "Fundacja Łąka"],
        [coordinator.email, "Organizacje", "1", "Fundacja Łąka", "edytowano", "Telefon", "", "1"]]
    assert len(xlsx_rows(client.get("/changes/export.xlsx"))) == 4


def test_moments_are_exported_in_the_reader_s_time_zone(app, client, coordinator):
    late_in_winter, late_in_summer = datetime(2024, 3, 1, 23, 30, tzinfo=UTC), datetime(2024, 7, 1, 22, 30, tzinfo=UTC)
    with app.app_context():
        factories.person("Anna", "Nowak", directory_consent_at=late_in_winter)
        factories.person("Jan", "Kowalski", map_consent_at=late_in_summer, directory_consent_at=late_in_summer
                         + timedelta(days=3))
        db.session.add(ChangeLogEntry(entity_type="person", entity_id=1, entity_label="Anna Nowak", action="archived",
                                      changes={}, occurred_at=late_in_summer))
        db.session.commit()
    people = csv_rows(client.get("/people/export.csv"))
    consent_date = people[0].index("Data zgody")
    assert [(row[0], row[consent_date]) for row in people[1:]] == [("Jan", "2024-07-02"), ("Anna", "2024-03-02")]
    assert [row[0] for row in csv_rows(client.get("/changes/export.csv"))[1:]] == ["2024-07-02 00:30:00"]


def test_csv_is_sent_in_chunks_as_it_is_read(app, ctx):
    for number in range(1500):
        db.session.add(Person(first_name="Anna", last_name=f"Nowak {number:04}", notes="x" * 100))
    db.session.flush()
    chunks = list(csv_chunks(people_export(PersonFilters())))
    assert len(chunks) > 2 and chunks[0].startswith("\ufeff")
    assert "".join(chunks).count("\r\n") == 1501


def test_on_postgresql_the_export_s_cursor_is_planned_for_its_first_rows(app, ctx):
    """A cursor planned for a tenth of 100,000 sorted rows sorted them all before the first (1.4-2 s to the first
    byte); for the export's own transaction it is planned to give the first rows soon."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("cursor_tuple_fraction is PostgreSQL's")
    factories.person("Anna", "Nowak")
    db.session.flush()
    rows = iter(people_export(PersonFilters()).rows)
    next(rows)
    assert db.session.scalar(sa.text("SHOW cursor_tuple_fraction")) == "0.01"
    db.session.rollback()
    assert db.session.scalar(sa.text("SHOW cursor_tuple_fraction")) == "0.1"


def test_an_unknown_format_is_not_found(client, coordinator):
    assert client.get("/people/export.pdf").status_code == 404


def test_exports_of_personal_data_ask_for_the_password_again_after_ten_minutes(client, coordinator):
    with client.session_transaction() as session:
        session[PASSWORD_CONFIRMED_AT] -= 11 * 60
    for url in ("/people/export.csv", "/changes/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and response.location.startswith("/me/confirm-password?next=")
    assert client.get("/organisations/export.csv").status_code == 200  # organisations' public details


@pytest.mark.parametrize("url", ["/people/export.csv", "/organisations/export.xlsx", "/changes/export.csv"])
def test_members_and_editors_cannot_export(app, client, login, url):
    with app.app_context():
        member = factories.committed(factories.user(Role.MEMBER))
    login(member)
    assert client.get(url).status_code == 403


def test_xlsx_has_column_widths_a_frozen_header_and_filters(app, client, coordinator):
    with app.app_context():
        factories.organisation("Fundacja o bardzo długiej nazwie, która nie mieści się w wąskiej kolumnie")
        factories.committed(factories.organisation("=2+2 Fundacja"))
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/organisations/export.xlsx").data))
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(sheet.max_column)}3"
    assert sheet.column_dimensions["A"].width > 60 - 1  # the long name, up to the widest column allowed
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [
        "=2+2 Fundacja", "Fundacja o bardzo długiej nazwie, która nie mieści się w wąskiej kolumnie"]
    assert sheet["A2"].data_type == "s"

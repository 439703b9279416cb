"""Imports of organisations, people and attendance lists: files in every encoding, separator and header
language; every row checked before anything is written; duplicates; the same file twice; the browser's
upload, preview and confirmation; the command line."""

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from forum_crm.extensions import db
from forum_crm.imports import parsing
from forum_crm.imports.parsing import FileRefused, day_of_header, parse_flag, read_table
from forum_crm.imports.plan import ATTENDANCE, ORGANISATIONS, PEOPLE
from forum_crm.imports.plan_attendance import plan_attendance
from forum_crm.imports.plan_organisations import plan_organisations
from forum_crm.imports.plan_people import plan_people
from forum_crm.imports.services import import_attendance, import_organisations, import_people
from forum_crm.models import (
    Affiliation,
    ChangeLogEntry,
    DayAttendance,
    KeptUpload,
    Locality,
    Organisation,
    Origin,
    Participation,
    ParticipationStatus,
    Person,
    Role,
    Voivodeship,
)
from forum_crm.spreadsheets.columns import (
    ATTENDANCE_COLUMNS,
    ORGANISATION_IMPORT_COLUMNS,
    PERSON_IMPORT_COLUMNS,
    header_key,
)
from tests import factories
from tests.conftest import csrf_token

PEOPLE_PL = ["Imię", "Nazwisko", "E-mail", "Miejscowość", "Telefon"]
PEOPLE_EN = ["First name", "Last name", "Email", "Town", "Phone"]
PEOPLE_ROWS = [
    ["Żaneta", "Ślęzak", "zaneta@example.org", "Łódź", "+48 600 100 200"],
    ["Олена", "Шевченко", "olena@example.org", "Gorzów Wlkp.", ""],
    ["Łucja", "Źdźbło 🌱", "lucja@example.org", "", "42 123 45 67"],
]
DAY_1, DAY_2 = date(2023, 5, 18), date(2023, 5, 19)


def csv_bytes(rows, encoding="utf-8", delimiter=";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    """An XLSX file of these rows; text starting with "=" is text, as Excel stores what was typed as '=..."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def run(kind, data: bytes, edition=None):
    """Plan and write an import (as the services are used by the pages and the command); returns the plan."""
    table = read_table(data)
    if kind == "attendance":
        plan = plan_attendance(table, ATTENDANCE.guess(table, edition), edition)
        if plan.is_valid:
            import_attendance(plan, edition)
    else:
        planner, writer, spec = {"people": (plan_people, import_people, PEOPLE),
                                 "organisations": (plan_organisations, import_organisations, ORGANISATIONS)}[kind]
        plan = planner(table, spec.guess(table))
        if plan.is_valid:
            writer(plan)
    db.session.flush()
    return plan


@pytest.fixture
def ctx(app):
    """A request context reading English (the new messages are not translated yet)."""
    with app.test_request_context(), force_locale("en"):
        yield
        db.session.rollback()


@pytest.fixture
def coordinator(app, client, login):
    """A coordinator logged in, reading English (the new messages are not translated yet)."""
    with app.app_context():
        user = factories.committed(factories.user())
    login(user)
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    return user


def upload(client, url, data: bytes, filename="plik.csv"):
    return client.post(url, data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def confirm(client, url, action="run", **columns):
    return client.post(url, data={"csrf_token": csrf_token(client), "action": action, **columns})


# Reading files

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1250"])
@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("headers", [PEOPLE_PL, PEOPLE_EN, ["IMIE", "nazwisko", "Adres e-mail", "miasto", "tel."]])
def test_every_encoding_separator_and_header_language_is_read(ctx, encoding, delimiter, headers):
    rows = [row for row in PEOPLE_ROWS if encoding != "cp1250" or row[0] != "Олена"]  # no Cyrillic in cp1250
    rows = [[cell.replace(" 🌱", "") if encoding == "cp1250" else cell for cell in row] for row in rows]
    table = read_table(csv_bytes([headers, *rows], encoding, delimiter))
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert PEOPLE.guess(table) == ["first_name", "last_name", "email", "town", "phone"]
    plan = run("people", csv_bytes([headers, *rows], encoding, delimiter))
    assert plan.is_valid, plan.problems
    people = db.session.scalars(sa.select(Person).order_by(Person.email)).all()
    assert {(person.first_name, person.last_name) for person in people} == {(row[0], row[1]) for row in rows}
    assert all(person.origin == Origin.IMPORT for person in people)
    zaneta = next(person for person in people if person.first_name == "Żaneta")
    assert zaneta.locality.name == "Łódź" and zaneta.phone == "+48 600 100 200"


def test_a_header_row_of_quoted_cells_with_separators_inside_is_read(ctx):
    data = 'Nazwa;"Obszary działania"\n"Fundacja ""Łąka"", Kraków";"pomoc prawna, edukacja"\n'.encode()
    table = read_table(data)
    assert table.delimiter == ";"
    assert table.rows[0].cells == ('Fundacja "Łąka", Kraków', "pomoc prawna, edukacja")


def test_xlsx_is_read_with_numbers_dates_and_formula_values(ctx):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Nazwa", "KRS", "NIP", "Członek Forum od", "Członek Konsorcjum"])
    sheet.append(["Fundacja Łąka", 123456, 1234563218, date(2023, 5, 18), True])
    sheet.append([None, None, None, None, None])  # empty rows are skipped, numbering kept
    sheet.append(["Stowarzyszenie Most", "0000654321", None, "18.05.2023", "nie"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue())
    assert table.file_format == "xlsx" and [row.number for row in table.rows] == [2, 4]
    assert table.rows[0].cells == ("Fundacja Łąka", "123456", "1234563218", "2023-05-18", "true")
    plan = run("organisations", buffer.getvalue())
    assert plan.is_valid, plan.problems
    laka = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Fundacja Łąka"))
    assert laka.krs == "0000123456"  # Excel dropped the zeros every KRS number starts with
    assert laka.nip == "1234563218" and laka.forum_member_since == date(2023, 5, 18) and laka.consortium_member
    most = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Stowarzyszenie Most"))
    assert most.krs == "0000654321" and most.forum_member_since == date(2023, 5, 18) and not most.consortium_member


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty."),
    (b"\n\n", "The first row must hold the column names"),
    (b"\xd0\xcf\x11\xe0rest of an old excel file", "old Excel file (XLS)"),
    (b"PK\x03\x04 not really a zip", "could not be opened"),
    (b"Imi\x98;Nazwisko\n", "could not be read"),  # 0x98 is neither UTF-8 nor Windows-1250
])
def test_unreadable_files_are_refused_with_a_reason(data, message):
    with pytest.raises(FileRefused) as refused:
        read_table(data)
    assert message in str(refused.value)


def test_an_xlsx_whose_xml_declares_entities_is_refused():
    """defusedxml (used by openpyxl when installed) refuses entity declarations: no XML bombs."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["Imię", "Nazwisko"], ["Anna", "Nowak"]])))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>' + data
            target.writestr(item, data)
    with pytest.raises(FileRefused, match="could not be opened"):
        read_table(bomb.getvalue())


def test_too_many_rows_and_columns_are_refused(monkeypatch):
    monkeypatch.setattr(parsing, "MAX_ROWS", 3)
    read_table(csv_bytes([["Imię"], ["a"], ["b"], ["c"]]))
    with pytest.raises(FileRefused, match="more than 3 rows"):
        read_table(csv_bytes([["Imię"], ["a"], ["b"], ["c"], ["d"]]))
    with pytest.raises(FileRefused, match="more than 100 columns"):
        read_table(csv_bytes([[f"c{n}" for n in range(101)]]))


def test_headers_of_each_kind_name_one_field_each():
    for columns in (ORGANISATION_IMPORT_COLUMNS, PERSON_IMPORT_COLUMNS, ATTENDANCE_COLUMNS):
        keys = [key for column in columns for key in column.header_keys()]
        assert len(keys) == len(set(keys))


@pytest.mark.parametrize(("text", "expected"), [("tak", True), ("X", True), ("1", True), ("Yes", True), ("✓", True),
                                                ("", False), ("nie", False), ("0", False), ("może", None)])
def test_flags(text, expected):
    assert parse_flag(text) is expected


@pytest.mark.parametrize(("header", "day"), [("Dzień 1", DAY_1), ("dzien 2", DAY_2), ("Day 1", DAY_1), ("D2", DAY_2),
                                             ("2023-05-18", DAY_1), ("19.05.2023", DAY_2), ("18.05", DAY_1),
                                             ("Dzień 3", None), ("2023-05-20", None), ("E-mail", None)])
def test_day_columns_of_a_sign_in_sheet(header, day):
    assert day_of_header(header, [DAY_1, DAY_2]) == day


# Checking every row first

def test_one_bad_row_among_many_is_named_and_nothing_is_written(ctx):
    rows = [["Imię", "Nazwisko", "E-mail"]] + [["Anna", f"Nowak{n}", f"anna{n}@example.org"] for n in range(60)]
    rows[37][2] = "anna37(at)example.org"
    rows[45][1] = "x" * 101
    plan = run("people", csv_bytes(rows))
    assert [(problem.row, problem.column) for problem in plan.problems] == [(38, "C (E-mail)"), (46, "B (Nazwisko)")]
    assert "Invalid email address" in plan.problems[0].message
    assert count(Person) == 0 and count(ChangeLogEntry) == 0


def test_rows_are_checked_by_the_forms_rules(ctx):
    rows = [["Nazwa", "KRS", "NIP", "Strona", "Telefon", "Sektor", "Członek Konsorcjum", "Członek Forum od", "Opis"],
            ["", "", "", "", "", "", "", "", ""],  # empty: skipped
            ["A\u202eB", "12345678901", "1234563219", "javascript:alert(1)", "call me", "kosmos", "może", "31.11.2023",
             "x" * 5001]]
    plan = run("organisations", csv_bytes(rows))
    assert {problem.column: problem.row for problem in plan.problems} == {
        "A (Nazwa)": 3, "B (KRS)": 3, "C (NIP)": 3, "D (Strona)": 3, "E (Telefon)": 3, "F (Sektor)": 3,
        "G (Członek Konsorcjum)": 3, "H (Członek Forum od)": 3, "I (Opis)": 3}
    assert "more than 5000 characters" in next(p.message for p in plan.problems if p.column == "I (Opis)")
    assert count(Organisation) == 0


def test_a_required_column_that_is_missing_is_named(ctx):
    plan = run("people", csv_bytes([["Imię", "E-mail"], ["Anna", "anna@example.org"]]))
    assert [(problem.row, problem.message) for problem in plan.problems] == [
        (1, "The file needs a column for Last name.")]


def test_two_columns_for_one_field_are_a_problem(ctx):
    plan = run("people", csv_bytes([["Imię", "Nazwisko", "E-mail", "Email"], ["Anna", "Nowak", "a@example.org", ""]]))
    assert "Columns C and D both hold E-mail" in plan.problems[0].message


# Towns

def test_abbreviated_and_ambiguous_towns(ctx):
    rows = [["Nazwa", "Miejscowość", "Województwo"], ["A", "Gorzów Wlkp.", ""], ["B", "Kamionka", ""],
            ["C", "Kamionka", "Lubelskie"], ["D", "Nibylandia", ""], ["E", "Kraków", "woj. pomorskie"]]
    plan = run("organisations", csv_bytes(rows))
    assert [(problem.row, problem.column) for problem in plan.problems] == [
        (3, "B (Miejscowość)"), (5, "B (Miejscowość)"), (6, "B (Miejscowość)")]
    assert "several places called Kamionka" in plan.problems[0].message
    assert "fill in the voivodeship in row 3" in plan.problems[0].message  # the column is there, the cell empty
    rows = [row for row in rows if row[0] in ("Nazwa", "A", "C")]
    assert run("organisations", csv_bytes(rows)).is_valid
    towns = dict(db.session.execute(sa.select(Organisation.name, Locality.name).join(Organisation.locality)).all())
    assert towns == {"A": "Gorzów Wielkopolski", "C": "Kamionka"}
    kamionka = db.session.scalar(sa.select(Locality).where(Locality.name == "Kamionka"))
    assert kamionka.voivodeship == Voivodeship.LUBELSKIE


# Duplicates and importing again

def test_duplicates_in_the_file(ctx):
    rows = [["Imię", "Nazwisko", "E-mail"], ["Anna", "Nowak", "anna@example.org"],
            ["Anna", "Nowak", "ANNA@example.org"],  # the same row again: skipped
            ["Anka", "Nowak", "anna@example.org"],  # the same e-mail, another name: a problem
            ["Jan", "Kowalski", ""], ["Jan", "Kowalski", ""]]  # no e-mail: the same name twice is the same person
    plan = run("people", csv_bytes(rows))
    assert [(problem.row, problem.column) for problem in plan.problems] == [(4, "C (E-mail)")]
    assert "Row 2 has the same E-mail" in plan.problems[0].message
    del rows[3]
    plan = run("people", csv_bytes(rows))
    assert plan.is_valid and [planned.action for planned in plan.rows] == ["create", "skip", "create", "skip"]
    assert count(Person) == 2


def test_organisation_duplicates_by_name_krs_and_nip_in_the_file_and_the_database(ctx):
    factories.organisation("Fundacja Łąka", short_name="Łąka", krs="0000123456")
    factories.organisation("Stowarzyszenie Most", nip="1234563218")
    rows = [["Nazwa", "KRS", "NIP", "E-mail"],
            ["FUNDACJA LAKA", "", "", "biuro@laka.example.org"],  # the stored Łąka, by its name
            ["stowarzyszenie most", "", "1234563218", ""],  # the stored Most, by name and NIP
            ["Łąka", "0000123456", "", ""]]  # Łąka's KRS and short name: Łąka again, from another row
    plan = run("organisations", csv_bytes(rows))
    assert [problem.row for problem in plan.problems] == [4]
    assert "Row 2 is about the same organisation (Fundacja Łąka)" in plan.problems[0].message
    plan = run("organisations", csv_bytes(rows[:3]))
    assert [planned.action for planned in plan.rows] == ["update", "unchanged"]
    laka = db.session.scalar(sa.select(Organisation).where(Organisation.krs == "0000123456"))
    assert laka.name == "Fundacja Łąka" and laka.email == "biuro@laka.example.org"


def test_a_number_of_one_organisation_in_a_row_named_for_another_is_a_problem_not_unchanged(ctx):
    factories.organisation("Fundacja Łąka", krs="0000123456")
    factories.committed(factories.organisation("Stowarzyszenie Most", nip="1234563218"))
    rows = [["Nazwa", "KRS", "NIP"], ["Most (nowa nazwa)", "", "1234563218"], ["Fundacja Inna", "123456", ""]]
    plan = run("organisations", csv_bytes(rows))
    assert [(problem.row, problem.column) for problem in plan.problems] == [(2, "C (NIP)"), (3, "B (KRS)")]
    assert plan.problems[0].message == (
        "This NIP is the number of Stowarzyszenie Most, not of Most (nowa nazwa): correct the name or the number.")
    assert "This KRS is the number of Fundacja Łąka, not of Fundacja Inna" in plan.problems[1].message
    assert plan.rows == [] and count(Organisation) == 2


def test_an_e_mail_of_one_person_in_a_row_named_for_another_is_a_problem(ctx):
    factories.committed(factories.person("Anna", "Nowak", email="anna@example.org"))
    rows = [["Imię", "Nazwisko", "E-mail"], ["Ewa", "Kowalska", "anna@example.org"],
            ["NOWAK", "Anna", "ANNA@example.org"]]  # the same person, names in the other columns: not a problem
    plan = run("people", csv_bytes(rows))
    assert [(problem.row, problem.column) for problem in plan.problems] == [(2, "C (E-mail)")]
    assert "This e-mail is the address of Anna Nowak <anna@example.org>, not of Ewa Kowalska" in (
        plan.problems[0].message)
    assert [(planned.row, planned.action) for planned in plan.rows] == [(3, "unchanged")]


def test_existing_records_only_get_their_empty_fields_filled(ctx):
    person = factories.person("Anna", "Nowak", email="anna@example.org", phone="+48 111 111 111")
    factories.committed(person)
    rows = [["Imię", "Nazwisko", "E-mail", "Telefon", "Obszar ekspertyzy", "Członek Forum", "Zgoda na katalog"],
            ["Anna", "Nowak", "Anna@Example.org", "+48 222 222 222", "prawo migracyjne", "tak", "tak"]]
    plan = run("people", csv_bytes(rows))
    assert plan.rows[0].action == "update"
    assert set(plan.rows[0].fills) == {"expertise", "forum_member", "directory_consent"}
    assert "Phone: kept +48 111 111 111; the file has +48 222 222 222." in plan.rows[0].notes
    db.session.refresh(person)
    assert person.phone == "+48 111 111 111" and person.expertise == "prawo migracyjne" and person.forum_member
    assert person.directory_consent_at is not None and person.origin == Origin.MANUAL
    entry = db.session.scalar(sa.select(ChangeLogEntry).where(ChangeLogEntry.action == "updated"))
    assert set(entry.changes) == {"expertise", "forum_member", "directory_consent_at"}


def test_a_person_without_e_mail_is_found_by_name_and_given_the_e_mail(ctx):
    factories.committed(factories.person("Jan", "Kowalski"))
    plan = run("people", csv_bytes([["Imię", "Nazwisko", "E-mail"], ["jan", "KOWALSKI", "jan@example.org"]]))
    assert plan.rows[0].action == "update" and plan.rows[0].fills == {"email": "jan@example.org"}
    assert db.session.scalar(sa.select(Person.email)) == "jan@example.org" and count(Person) == 1


def test_two_namesakes_without_e_mail_need_an_e_mail_column(ctx):
    factories.person("Jan", "Kowalski")
    factories.committed(factories.person("Jan", "Kowalski"))
    plan = run("people", csv_bytes([["Imię", "Nazwisko"], ["Jan", "Kowalski"]]))
    assert "Several people in the database are called Jan Kowalski" in plan.problems[0].message


def test_importing_the_same_file_again_changes_nothing(ctx):
    factories.organisation("Fundacja Łąka")
    rows = [["Imię", "Nazwisko", "E-mail", "Miejscowość", "Organizacja", "Rola", "Zgoda na mapę"],
            *[["Anna", f"Nowak{n}", f"anna{n}@example.org", "Lublin", "fundacja łąka", "prezeska", "tak"]
              for n in range(20)],
            ["Jan", "Bez Maila", "", "Gorzów Wlkp.", "", "", ""]]
    first = run("people", csv_bytes(rows))
    assert first.counts()["create"] == 21
    counts = {model: count(model) for model in (Person, Affiliation, ChangeLogEntry, Locality)}
    assert counts[Affiliation] == 20 and counts[ChangeLogEntry] == 41  # 21 imported, 20 affiliations added
    again = run("people", csv_bytes(rows))
    assert again.counts() == {"unchanged": 21}
    assert {model: count(model) for model in counts} == counts


# People and their organisations

def test_people_are_linked_by_organisation_name_or_e_mail_domain(ctx):
    laka = factories.organisation("Fundacja Łąka", short_name="Łąka", website="https://www.laka.org.pl")
    most = factories.organisation("Stowarzyszenie Most", email="kontakt@most.org.pl")
    factories.organisation("Fundacja Gmail", email="fundacja@gmail.com")
    rows = [["Imię", "Nazwisko", "E-mail", "Organizacja"],
            ["Anna", "Nowak", "anna@gmail.com", "łąka"],  # by short name
            ["Jan", "Kowalski", "jan@most.org.pl", ""],  # by the domain of the organisation's e-mail
            ["Ewa", "Wójcik", "ewa@laka.org.pl", ""],  # by the domain of its website
            ["Ola", "Mazur", "ola@gmail.com", ""]]  # a free mail domain says nothing
    assert run("people", csv_bytes(rows)).is_valid
    linked = dict(db.session.execute(sa.select(Person.first_name, Affiliation.organisation_id).join(Affiliation)).all())
    assert linked == {"Anna": laka.id, "Jan": most.id, "Ewa": laka.id}
    assert all(affiliation.is_primary and affiliation.is_current for affiliation in db.session.scalars(
        sa.select(Affiliation)))


def test_an_unknown_organisation_is_a_problem(ctx):
    plan = run("people", csv_bytes([["Imię", "Nazwisko", "Organizacja"], ["Anna", "Nowak", "Fundacja Nieznana"]]))
    assert plan.problems[0].column == "C (Organizacja)"
    assert "There is no organisation called Fundacja Nieznana" in plan.problems[0].message


def test_an_existing_person_gets_a_new_affiliation_but_keeps_their_main_one(ctx):
    laka, most = factories.organisation("Fundacja Łąka"), factories.organisation("Stowarzyszenie Most")
    person = factories.person("Anna", "Nowak", email="anna@example.org")
    factories.affiliation(person, laka, is_primary=True)
    factories.committed(person)
    run("people", csv_bytes([["Imię", "Nazwisko", "E-mail", "Organizacja"],
                             ["Anna", "Nowak", "anna@example.org", "Stowarzyszenie Most"]]))
    affiliations = {a.organisation_id: a.is_primary for a in db.session.scalars(sa.select(Affiliation))}
    assert affiliations == {laka.id: True, most.id: False}


# Attendance

@pytest.fixture
def edition(ctx):
    return factories.edition(3, start=DAY_1, end=DAY_2)


def test_attendance_is_recorded_for_people_found_by_e_mail_or_name(ctx, edition):
    laka = factories.organisation("Fundacja Łąka")
    anna = factories.person("Anna", "Nowak", email="anna@example.org")
    jan = factories.person("Jan", "Kowalski")
    factories.affiliation(jan, laka, is_primary=True)
    factories.participation(edition, anna, status=ParticipationStatus.REGISTERED)
    rows = [["Imię i nazwisko", "E-mail", "Dzień 1", "Dzień 2", "Podpis"],
            ["Anna Nowak", "ANNA@example.org", "x", "", "A.N."],
            ["Kowalski Jan", "", "", "tak", ""],  # by name, surname first
            ["Ewa Nieznana", "ewa@example.org", "x", "x", ""],
            ["Piotr Nieobecny", "", "", "", ""]]
    plan = run("attendance", csv_bytes(rows), edition)
    assert plan.is_valid
    assert [(planned.row, planned.action) for planned in plan.rows] == [
        (2, "update"), (3, "create"), (4, "unknown"), (5, "skip")]
    participations = {p.person_id: p for p in db.session.scalars(sa.select(Participation))}
    assert participations[anna.id].status == ParticipationStatus.ATTENDED
    assert [d.day for d in participations[anna.id].days_attended] == [DAY_1]
    assert [d.day for d in participations[jan.id].days_attended] == [DAY_2]
    assert participations[jan.id].organisation_id == laka.id
    entries = db.session.scalars(sa.select(ChangeLogEntry).where(ChangeLogEntry.action == "attendance_imported")).all()
    assert {entry.entity_type for entry in entries} == {"edition"} and len(entries) == 2
    again = run("attendance", csv_bytes(rows), edition)
    assert again.counts() == {"unchanged": 2, "unknown": 1, "skip": 1}
    assert count(DayAttendance) == 2 and count(ChangeLogEntry) == 2


def test_attendance_rows_of_the_same_person_are_merged(ctx, edition):
    factories.person("Anna", "Nowak", email="anna@example.org")
    rows = [["E-mail", "2023-05-18", "19.05.2023"], ["anna@example.org", "x", ""], ["anna@example.org", "", "1"]]
    plan = run("attendance", csv_bytes(rows), edition)
    assert [planned.action for planned in plan.rows] == ["create", "skip"]
    assert sorted(db.session.scalars(sa.select(DayAttendance.day))) == [DAY_1, DAY_2]


def test_attendance_needs_day_columns_and_clear_marks(ctx, edition):
    plan = run("attendance", csv_bytes([["E-mail", "Uwagi"], ["a@example.org", ""]]), edition)
    assert "needs a column for each day" in plan.problems[0].message
    plan = run("attendance", csv_bytes([["E-mail", "Dzień 1"], ["a@example.org", "może"]]), edition)
    assert (plan.problems[0].row, plan.problems[0].column) == (2, "B (Dzień 1)")


# In the browser

def test_upload_preview_and_confirm(app, client, coordinator):
    data = csv_bytes([PEOPLE_PL, *PEOPLE_ROWS], "utf-8-sig")
    preview = upload(client, "/imports/people", data, "lista osób.csv")
    assert preview.status_code == 200
    assert "lista osób.csv" in preview.text and "Windows" not in preview.text and "Шевченко" in preview.text
    with app.app_context():
        assert count(Person) == 0  # the preview writes nothing
    done = confirm(client, "/imports/people/confirm")
    assert done.status_code == 302 and done.location == "/people"
    assert "New: 3, updated: 0, unchanged: 0, skipped: 0." in client.get("/people").text
    with app.app_context():
        assert count(Person) == 3
        entry = db.session.scalar(sa.select(ChangeLogEntry).limit(1))
        assert entry.action == "imported" and entry.user_id == coordinator.id
    with app.app_context():
        assert count(KeptUpload) == 0  # the kept file is gone
    assert confirm(client, "/imports/people/confirm").location == "/imports/people"  # nothing to confirm now


def test_a_file_with_problems_is_not_imported_from_the_browser(app, client, coordinator):
    rows = [["Imię", "Nazwisko", "E-mail"], ["Anna", "Nowak", "zły adres"], ["Jan", "Kowalski", "jan@example.org"]]
    preview = upload(client, "/imports/people", csv_bytes(rows, "cp1250"))
    assert "Windows-1250" in preview.text and "Invalid email address." in preview.text
    assert 'value="run"' not in preview.text
    refused = confirm(client, "/imports/people/confirm")
    assert refused.status_code == 422 and "Nothing was imported" in refused.text
    with app.app_context():
        assert count(Person) == 0


def test_unknown_columns_are_chosen_in_the_mapping_step(app, client, coordinator):
    rows = [["Imię", "Nazwisko", "Poczta elektroniczna", "Rok urodzenia"],
            ["Anna", "Nowak", "anna@example.org", "1980"]]
    preview = upload(client, "/imports/people", csv_bytes(rows))
    assert 'name="column_2"' in preview.text and 'name="column_3"' in preview.text
    checked = confirm(client, "/imports/people/confirm", action="check", column_2="email", column_3="")
    assert checked.status_code == 200 and '<option selected value="email">' in checked.text
    assert confirm(client, "/imports/people/confirm", column_2="email", column_3="").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Person.email)) == "anna@example.org"
    upload(client, "/imports/people", csv_bytes(rows))
    assert confirm(client, "/imports/people/confirm", column_2="password_hash").status_code == 422


def test_an_upload_is_only_confirmed_for_what_it_was_uploaded_for(app, client, coordinator):
    upload(client, "/imports/people", csv_bytes([PEOPLE_PL, *PEOPLE_ROWS]))
    response = confirm(client, "/imports/organisations/confirm")
    assert response.status_code == 302 and response.location == "/imports/organisations"
    with app.app_context():
        assert count(Organisation) == 0 and count(Person) == 0


def test_a_file_that_cannot_be_read_is_refused_on_the_upload_page(client, coordinator):
    response = upload(client, "/imports/organisations", b"\xd0\xcf\x11\xe0old", "stary.xlsx")
    assert response.status_code == 422 and "XLS" in response.text
    response = upload(client, "/imports/organisations", b"x", "notatki.txt")
    assert response.status_code == 422 and "CSV" in response.text


def test_a_file_over_the_size_limit_gets_a_clear_413(app, client, coordinator, monkeypatch):
    token = csrf_token(client, "/imports/people")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    response = client.post("/imports/people", data={
        "csrf_token": token, "file": (io.BytesIO(b"x" * 3 * 1024 * 1024), "a.csv")}, content_type="multipart/form-data")
    assert response.status_code == 413 and "at most 2 MB" in response.text
    assert 'href="/imports/people"' in response.text


def test_attendance_in_the_browser_lists_the_people_not_found(app, client, coordinator):
    with app.app_context():
        edition = factories.edition(2, start=DAY_1, end=DAY_2)
        factories.person("Anna", "Nowak", email="anna@example.org")
        edition_id = factories.committed(edition).id
    rows = [["Imię", "Nazwisko", "E-mail", "Dzień 1", "Dzień 2"], ["Anna", "Nowak", "", "x", "x"],
            ["Ewa", "Nieznana", "ewa@example.org", "x", ""]]
    url = f"/imports/editions/{edition_id}/attendance"
    preview = upload(client, url, xlsx_bytes(rows), "lista.xlsx")
    assert "Ewa Nieznana" in preview.text and "XLSX" in preview.text
    assert confirm(client, url + "/confirm").location == f"/editions/{edition_id}#participants"
    with app.app_context():
        assert count(DayAttendance) == 2


def test_members_and_editors_cannot_import(app, client, login):
    with app.app_context():
        organisation = factories.organisation()
        editor = factories.committed(factories.user(Role.ORG_EDITOR, organisation=organisation))
    login(editor)
    assert client.get("/imports/people").status_code == 403
    assert client.post("/imports/people/confirm", data={"csrf_token": csrf_token(client)}).status_code == 403


# The command line

def test_cli_dry_run_writes_nothing_and_a_real_run_does(app, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes([PEOPLE_PL, *PEOPLE_ROWS], "utf-8-sig"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "people", str(path), "--dry-run"])
    assert result.exit_code == 0 and "Dry run, nothing saved: 3 new" in result.output, result.output
    with app.app_context():
        assert count(Person) == 0 and count(Locality) == 0
    result = runner.invoke(args=["import", "people", str(path)])
    assert result.exit_code == 0 and "Imported: 3 new" in result.output
    result = runner.invoke(args=["import", "people", str(path)])
    assert "Imported: 0 new, 0 updated, 3 unchanged" in result.output
    with app.app_context():
        assert count(Person) == 3


def test_cli_lists_every_problem_and_writes_nothing(app, tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_bytes(csv_bytes([["Nazwa", "NIP", "Kolor"], ["Fundacja A", "123"], ["", "", "niebieski"]]))
    result = app.test_cli_runner().invoke(args=["import", "organisations", str(path)])
    assert result.exit_code == 1
    assert "Not imported (unknown column names): Kolor" in result.output
    assert "row 2, column B (NIP): This is not a valid NIP" in result.output
    assert "row 3, column A (Nazwa): This field is required." in result.output
    assert "Nothing was imported: 2 problem(s)" in result.output
    with app.app_context():
        assert count(Organisation) == 0


def test_header_keys_ignore_case_diacritics_and_punctuation():
    assert header_key("Adres e-mail:") == header_key("ADRES EMAIL") == "adresemail"
    assert header_key("Miejscowość") == header_key("miejscowosc")


def test_every_accepted_header_is_documented():
    text = (Path(__file__).resolve().parent.parent / "docs" / "import.md").read_text()
    for columns in (ORGANISATION_IMPORT_COLUMNS, PERSON_IMPORT_COLUMNS, ATTENDANCE_COLUMNS):
        for column in columns:
            assert f"| {column.field or '(not imported)'} | {column.polish} | {column.english} | " in text

"""Attendance reports and the yearly summary, checked against numbers counted by hand."""

import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest
from flask_babel import force_locale

from forum_crm.extensions import db
from forum_crm.models import (
    DayAttendance,
    PanelSpeaker,
    ParticipationStatus,
    Partnership,
    ProgrammeItem,
    ProgrammeKind,
    Sector,
    Voivodeship,
)
from forum_crm.reports.edition_report import edition_attendance, edition_reach
from forum_crm.reports.queries import (
    Period,
    attendance_trend,
    last_two_editions,
    organisations_to_reengage,
    retention,
    voivodeships_without_members,
)
from forum_crm.reports.summary import build_summary, ngettext_markup
from tests import factories

S = ParticipationStatus
MEMBER_SINCE = date(2023, 1, 1)
RECORDED = datetime(2023, 1, 1, tzinfo=UTC)  # people's records, made before the period the summaries cover


def build(ctx_unused=None):
    """Three two-day editions; hand counts are in the tests.

    p1 (A) attends E1 both days and E2 day one; p2 moves from A to B: attends E1 day one for A and
    E2 both days for B; p3 (B) cancels E1, attends E3; p4, anonymised, attends E1 both days for C;
    p5 does not come to E1, p6 is only invited, p7 registered. D never takes part.
    """
    lublin, lodz = factories.locality(), factories.locality("Łódź", Voivodeship.LODZKIE, 51.77, 19.47)
    a = factories.organisation("A", locality=lublin, forum_member_since=MEMBER_SINCE)
    b = factories.organisation("B", locality=lodz, sector=Sector.DONOR, forum_member_since=MEMBER_SINCE)
    c = factories.organisation("C", locality=lublin, forum_member_since=MEMBER_SINCE)
    factories.organisation("D", forum_member_since=MEMBER_SINCE)
    e1 = factories.edition(1, date(2023, 5, 18), date(2023, 5, 19))
    e2 = factories.edition(2, date(2023, 8, 31), date(2023, 9, 1))
    e3 = factories.edition(3, date(2023, 11, 30), date(2023, 12, 1))
    people = [factories.person(f"Osoba{n}", f"Nazwisko{n}", forum_member=True, created_at=RECORDED)
              for n in range(1, 8)]
    p1, p2, p3, p4, p5, p6, p7 = people
    p4.anonymised_at = datetime.now(UTC)

    def take_part(edition, person, organisation, status, days=()):
        participation = factories.participation(edition, person, organisation=organisation, status=status)
        db.session.add_all(DayAttendance(participation_id=participation.id, day=day) for day in days)

    take_part(e1, p1, a, S.ATTENDED, e1.days)
    take_part(e2, p1, a, S.ATTENDED, e2.days[:1])
    take_part(e1, p2, a, S.ATTENDED, e1.days[:1])
    take_part(e2, p2, b, S.ATTENDED, e2.days)
    take_part(e1, p3, b, S.CANCELLED)
    take_part(e3, p3, b, S.ATTENDED, e3.days)
    take_part(e1, p4, c, S.ATTENDED, e1.days)
    take_part(e1, p5, a, S.NO_SHOW)
    take_part(e1, p6, a, S.INVITED)
    take_part(e1, p7, b, S.REGISTERED)
    panel = ProgrammeItem(edition=e1, kind=ProgrammeKind.PANEL, title="Panel o współpracy")
    db.session.add(panel)
    unhcr = factories.organisation("UNHCR", sector=Sector.INTERNATIONAL_ORGANISATION, created_at=RECORDED)
    allegro = factories.organisation("Allegro", sector=Sector.BUSINESS)
    db.session.add_all([panel, PanelSpeaker(programme_item=panel, organisation=unhcr, position=0),
                        PanelSpeaker(programme_item=panel, organisation=unhcr, position=1),
                        PanelSpeaker(programme_item=panel, organisation=allegro, position=2),
                        Partnership(edition=e3, organisation=allegro), Partnership(organisation=unhcr)])
    db.session.flush()
    return e1, e2, e3


def test_attendance_of_one_edition(ctx):
    e1, _e2, _e3 = build()
    report = edition_attendance(e1)
    assert (report.invited, report.registered, report.attended) == (7, 5, 3)
    assert report.by_status[S.CANCELLED] == 1 and report.no_show_rate == 0.25
    assert report.per_day == [(date(2023, 5, 18), 3), (date(2023, 5, 19), 2)]
    assert report.all_days == 2


def test_reach_first_time_and_returning(ctx):
    e1, e2, e3 = build()
    first = edition_reach(e1)
    assert (first.organisations, first.towns, first.voivodeships) == (2, 1, 1)
    assert (first.first_time_people, first.returning_people) == (3, 0)
    assert dict(first.speakers_by_sector) == {Sector.INTERNATIONAL_ORGANISATION: 2, Sector.BUSINESS: 1}
    second = edition_reach(e2)
    assert (second.organisations, second.towns, second.voivodeships) == (2, 2, 2)
    assert (second.first_time_people, second.returning_people) == (0, 2)
    assert (second.first_time_organisations, second.returning_organisations) == (1, 1)
    assert dict(second.sectors) == {Sector.NGO: 1, Sector.DONOR: 1}
    third = edition_reach(e3)
    assert (third.first_time_people, third.returning_people) == (1, 0)  # p3 cancelled E1
    assert (third.first_time_organisations, third.returning_organisations) == (0, 1)


def test_trend_retention_reengagement_and_coverage(ctx):
    e1, e2, e3 = build()
    assert [(row.edition.number, row.invited, row.attended) for row in attendance_trend(Period())] == [
        (1, 7, 3), (2, 2, 2), (3, 1, 1)]
    assert retention(e1, [e2, e3]) == [(e2, 2), (e3, 0)]
    last_two = last_two_editions(Period())
    assert last_two == [e3, e2]
    assert [o.name for o in db.session.scalars(organisations_to_reengage(last_two))] == ["C", "D"]
    assert len(voivodeships_without_members()) == 14
    assert [row.edition.number for row in attendance_trend(Period(date(2023, 6, 1), date(2023, 12, 31)))] == [2, 3]


def test_summary_in_polish(app):
    with app.test_request_context(), force_locale("pl"):
        build()
        text = build_summary(Period(date(2023, 1, 1), date(2023, 12, 31))).plain_text().replace("\n\n", " ")
        db.session.rollback()
    assert ("Na dzień 31 grudnia 2023 Forum Współpracy i Integracji skupia 7 osób z 4 organizacji z siedzibą "
            "w 2 miejscowościach: Lublin, Łódź.") in text
    assert "odbyły się 3 edycje Forum" in text
    assert "I Forum, 18–19 maja 2023: uczestniczyły 3 osoby." in text  # no place recorded: none named
    assert "uczestniczyły 3 osoby." in text and "uczestniczyły 2 osoby." in text and "uczestniczyła 1 osoba." in text
    assert "goście reprezentujący: UNHCR, Allegro." in text  # two guests of UNHCR: the institution named once
    assert "Partnerami spotkań byli: UNHCR." in text and "Partnerzy III Forum: Allegro." in text


@pytest.mark.parametrize(("number", "people", "attended"), [
    (1, "skupia 1 osobę", "uczestniczyła 1 osoba."), (2, "skupia 2 osoby", "uczestniczyły 2 osoby."),
    (5, "skupia 5 osób", "uczestniczyło 5 osób."), (22, "skupia 22 osoby", "uczestniczyły 22 osoby."),
    (104, "skupia 104 osoby", "uczestniczyły 104 osoby."), (112, "skupia 112 osób", "uczestniczyło 112 osób."),
])
def test_summary_plural_forms_in_polish(ctx, number, people, attended):
    with force_locale("pl"):
        assert people in ngettext_markup(
            "As of %(date)s, the Forum Współpracy i Integracji brings together %(num)s person",
            "As of %(date)s, the Forum Współpracy i Integracji brings together %(num)s people", number, date="")
        assert ngettext_markup("%(num)s person attended.", "%(num)s people attended.", number) == attended


def test_summary_escapes_names(app):
    with app.test_request_context(), force_locale("en"):
        build()
        factories.organisation("<script>alert(1)</script>", forum_member_since=MEMBER_SINCE,
                               locality=factories.locality("<b>Wieś</b>", Voivodeship.OPOLSKIE, 50.5, 17.9))
        html = " ".join(build_summary(Period(date(2023, 1, 1), date(2023, 12, 31))).paragraphs)
        db.session.rollback()
    assert "<b>Wieś</b>" not in html and "&lt;b&gt;Wieś&lt;/b&gt;" in html


def test_report_pages_render_with_numbers_and_links(app, client, login):
    with app.app_context():
        e1, _e2, _e3 = build()
        user = factories.user()
        factories.committed(user, e1)
    login(user)
    overview = client.get("/reports?year=2023")
    assert overview.status_code == 200 and "<svg" in overview.text
    assert "Organizacje do ponownego zaangażowania" in overview.text
    edition = client.get(f"/reports/editions/{e1.id}").text
    assert "25%" in edition and "Osoby po raz pierwszy" in edition
    summary = client.get("/reports/summary?year=2023").text
    assert 'href="/people?member=yes"' in summary and "skupia" in summary
    reengage = client.get("/reports/reengage?year=2023").text
    assert ">C</a>" in reengage and ">D</a>" in reengage and ">A</a>" not in reengage
    organisations = client.get("/reports/organisations?year=2023").text
    assert organisations.index(">A</a>") < organisations.index(">D</a>")  # Polish order
    assert [int(n) for n in re.findall(r'class="num">(\d+)</td>', organisations)] == [2, 2, 1, 0]
    people = client.get("/reports/people?year=2023").text
    assert "osoba zanonimizowana" in people and "Osoba4" not in people
    assert "Osoba1" in people


def test_report_summary_command(app):
    with app.app_context():
        build()
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["report", "summary", "--from", "2023-01-01", "--to", "2023-12-31",
                                                "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "brings together 7 people from 4 organisations based in 2 towns: Lublin, Łódź." in result.output
    assert "<a" not in result.output and "[1] people marked as members of the Forum" in result.output


def test_reports_are_for_the_coordinator(app, client, login):
    with app.app_context():
        member = factories.committed(factories.user(factories.Role.MEMBER))
    login(member)
    for url in ("/reports", "/reports/summary", "/reports/people", "/reports/organisations"):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("table", ["trend", "retention", "reengage", "organisations", "people"])
def test_each_report_table_downloads_as_csv_and_xlsx(app, client, login, table):
    with app.app_context():
        build()
        user = factories.user()
        factories.committed(user)
    login(user)
    csv_text = client.get(f"/reports/export/{table}.csv?year=2023")
    assert csv_text.status_code == 200 and csv_text.data.startswith("\ufeff".encode())
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/export/{table}.xlsx?year=2023").data))
    rows = list(workbook.active.values)
    assert len(rows) >= 2 and all(isinstance(header, str) for header in rows[0])
    assert client.get(f"/reports/export/{table}.pdf").status_code == 404


def test_edition_tables_download_and_anonymised_people_stay_unnamed(app, client, login):
    with app.app_context():
        e1, _e2, _e3 = build()
        user = factories.user()
        factories.committed(user, e1)
    login(user)
    attendance = client.get(f"/reports/editions/{e1.id}/export/attendance.csv").data.decode("utf-8-sig")
    assert "Obecna;3" in attendance and "Wszystkie dni;2" in attendance
    speakers = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/editions/{e1.id}/export/speakers.xlsx").data))
    assert ("Organizacja międzynarodowa", 2) in list(speakers.active.values)
    people = client.get("/reports/export/people.csv?year=2023").data.decode("utf-8-sig")
    assert "osoba zanonimizowana;1" in people and "Osoba4" not in people
    assert client.get(f"/reports/editions/{e1.id}/export/nothing.csv").status_code == 404

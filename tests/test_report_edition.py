"""An edition's report at its edges: editions numbered out of date order, check-ins off the edition's dates,
attendees without an organisation or a town. Counted by hand."""

from datetime import date

import pytest

from forum_crm.extensions import db
from forum_crm.models import (
    DayAttendance,
    PanelSpeaker,
    ParticipationStatus,
    PartnerRole,
    Partnership,
    ProgrammeItem,
    ProgrammeKind,
    Sector,
)
from forum_crm.reports import edition_report
from forum_crm.reports.edition_report import edition_attendance, edition_reach
from tests import factories

S = ParticipationStatus


def take_part(edition, person, organisation=None, status=S.ATTENDED, days=()):
    participation = factories.participation(edition, person, organisation=organisation, status=status)
    db.session.add_all(DayAttendance(participation_id=participation.id, day=day) for day in days)
    db.session.flush()


def test_earlier_means_an_earlier_start_whatever_the_numbers_and_ids(ctx):
    """E5 was recorded first but began last; E4 began the same day as E3, so it is not earlier than E3."""
    e5 = factories.edition(5, date(2024, 9, 1), date(2024, 9, 1))
    e3 = factories.edition(3, date(2024, 5, 1), date(2024, 5, 1))
    e4 = factories.edition(4, date(2024, 5, 1), date(2024, 5, 1))
    a, b = factories.organisation("A"), factories.organisation("B")
    anna, jan, ewa = (factories.person(name) for name in ("Anna", "Jan", "Ewa"))
    take_part(e3, anna, a)
    take_part(e4, jan, b)
    take_part(e4, ewa, a, status=S.CANCELLED)
    for person in (anna, jan, ewa):
        take_part(e5, person, a if person is anna else b)
    last = edition_reach(e5)
    assert (last.returning_people, last.first_time_people) == (2, 1)  # Anna (E3), Jan (E4); Ewa cancelled
    assert (last.returning_organisations, last.first_time_organisations) == (2, 0)
    same_day = edition_reach(e4)
    assert (same_day.returning_people, same_day.first_time_people) == (0, 1)
    assert (same_day.returning_organisations, same_day.first_time_organisations) == (0, 1)


def test_attendees_without_an_organisation_or_a_town(ctx):
    edition = factories.edition(1, date(2024, 5, 1), date(2024, 5, 1))
    lublin = factories.locality()
    in_lublin = factories.organisation("A", locality=lublin, sector=Sector.DONOR)
    nowhere = factories.organisation("B", sector=Sector.MEDIA)
    also_nowhere = factories.organisation("C", sector=Sector.MEDIA)
    take_part(edition, factories.person(), in_lublin)
    take_part(edition, factories.person(), in_lublin)
    take_part(edition, factories.person(), nowhere)
    take_part(edition, factories.person(), also_nowhere)
    take_part(edition, factories.person())  # came on their own
    reach = edition_reach(edition)
    assert (reach.organisations, reach.towns, reach.voivodeships) == (3, 1, 1)
    assert reach.sectors == [(Sector.MEDIA, 2), (Sector.DONOR, 1)]
    assert (reach.first_time_people, reach.first_time_organisations) == (5, 3)


def test_days_off_the_editions_dates_count_towards_all_days_but_no_day_of_its_own(ctx):
    """Check-ins kept from before the edition's dates were changed: the report shows the edition's days."""
    edition = factories.edition(1, date(2024, 5, 1), date(2024, 5, 2))
    first, second, before = date(2024, 5, 1), date(2024, 5, 2), date(2024, 4, 30)
    take_part(edition, factories.person(), days=(first, second))
    take_part(edition, factories.person(), days=(first, before))
    take_part(edition, factories.person(), days=(second,))
    take_part(edition, factories.person(), status=S.NO_SHOW)
    report = edition_attendance(edition)
    assert report.per_day == [(first, 2), (second, 2)]
    assert report.all_days == 2


def test_an_edition_without_check_ins(ctx):
    edition = factories.edition(1, date(2024, 5, 1), date(2024, 5, 3))
    take_part(edition, factories.person(), status=S.REGISTERED)
    report = edition_attendance(edition)
    assert report.per_day == [(date(2024, 5, 1), 0), (date(2024, 5, 2), 0), (date(2024, 5, 3), 0)]
    assert (report.all_days, report.attended, report.registered) == (0, 0, 1)
    reach = edition_reach(edition)
    assert (reach.organisations, reach.towns, reach.first_time_people, reach.returning_people) == (0, 0, 0, 0)
    assert reach.sectors == []


@pytest.mark.parametrize("few", [True, False])
def test_returning_people_and_organisations_whichever_way_they_are_checked(ctx, monkeypatch, few):
    """On SQLite the check reads the earlier attendees into a set when there are fewer of them than this edition's
    attendees, and each attendee's own history otherwise; PostgreSQL plans it itself. Same counts either way,
    whatever the statuses and the organisations, and whether the attendees are counted or given."""
    monkeypatch.setattr(edition_report, "_fewer_earlier_attendees", lambda _edition, _than: few)
    e1 = factories.edition(1, date(2024, 3, 1), date(2024, 3, 1))
    e2 = factories.edition(2, date(2024, 6, 1), date(2024, 6, 1))
    e3 = factories.edition(3, date(2024, 9, 1), date(2024, 9, 1))
    a, b, c = (factories.organisation(name) for name in "ABC")
    people = [factories.person(f"P{number}") for number in range(7)]
    take_part(e1, people[0], a)
    take_part(e1, people[1], b, status=S.NO_SHOW)
    take_part(e2, people[2], None)
    take_part(e2, people[3], c, status=S.CANCELLED)
    take_part(e2, people[4], b)
    for person, organisation in zip(people, (a, b, a, c, None, c, None), strict=True):
        take_part(e3, person, organisation)
    expected = (3, 4, 2, 1)  # P0, P2 and P4 came before; so did A (P0) and B (P4 at E2), C only cancelled
    for attended_count in (None, 7):
        reach = edition_reach(e3, attended_count)
        assert (reach.returning_people, reach.first_time_people,
                reach.returning_organisations, reach.first_time_organisations) == expected


def test_the_earlier_editions_attendees_are_counted_up_to_this_ones(ctx):
    """SQLite's choice of plan: fewer people attended the editions begun before this one than came to it?"""
    e1 = factories.edition(1, date(2024, 3, 1), date(2024, 3, 1))
    e2 = factories.edition(2, date(2024, 6, 1), date(2024, 6, 1))
    same_day = factories.edition(3, date(2024, 6, 1), date(2024, 6, 1))
    take_part(e1, factories.person())
    take_part(e1, factories.person(), status=S.NO_SHOW)
    take_part(same_day, factories.person())
    assert edition_report._fewer_earlier_attendees(e2, 2) and not edition_report._fewer_earlier_attendees(e2, 1)
    assert edition_report._fewer_earlier_attendees(e1, 1)  # none before the first


def test_editions_of_one_and_of_three_days(ctx):
    """The statement is made once per number of days: each edition's days counted with its own."""
    one = factories.edition(1, date(2024, 5, 1), date(2024, 5, 1))
    three = factories.edition(2, date(2024, 6, 1), date(2024, 6, 3))
    first, second, third = three.days
    take_part(one, factories.person(), days=(one.start_date,))
    take_part(one, factories.person(), days=(one.start_date,))
    take_part(one, factories.person())  # attended, never checked in
    take_part(three, factories.person(), days=(first, second, third))
    take_part(three, factories.person(), days=(first, third))
    take_part(three, factories.person(), days=(third,))
    take_part(three, factories.person(), status=S.REGISTERED, days=(first,))  # not attended: not counted
    report = edition_attendance(one)
    assert (report.per_day, report.all_days, report.attended) == ([(one.start_date, 2)], 2, 3)
    report = edition_attendance(three)
    assert (report.per_day, report.all_days, report.registered) == ([(first, 2), (second, 1), (third, 3)], 1, 4)


def test_sectors_and_panel_guests_by_count_ties_in_the_sectors_order(ctx):
    edition = factories.edition(1, date(2024, 5, 1), date(2024, 5, 1))
    for sector in (Sector.MEDIA, Sector.MEDIA, Sector.NGO, Sector.DONOR, Sector.DONOR):
        take_part(edition, factories.person(), factories.organisation(sector=sector))
    guests = [factories.organisation(sector=sector) for sector in (
        Sector.INTERNATIONAL_ORGANISATION, Sector.DONOR, Sector.BUSINESS, Sector.INTERNATIONAL_ORGANISATION)]
    panel = ProgrammeItem(edition=edition, kind=ProgrammeKind.PANEL, title="Panel")
    db.session.add_all([panel, *(PanelSpeaker(programme_item=panel, organisation=guest, position=position)
                                 for position, guest in enumerate(guests))])
    db.session.flush()
    reach = edition_reach(edition)
    assert reach.sectors == [(Sector.DONOR, 2), (Sector.MEDIA, 2), (Sector.NGO, 1)]
    assert reach.speakers_by_sector == [(Sector.INTERNATIONAL_ORGANISATION, 2), (Sector.BUSINESS, 1),
                                        (Sector.DONOR, 1)]


def test_the_report_and_its_download_list_the_editions_partners_with_their_roles(app, client, login):
    with app.app_context():
        edition = factories.edition(1, date(2024, 5, 1), date(2024, 5, 1))
        other = factories.edition(2, date(2024, 6, 1), date(2024, 6, 1))
        zabka, allegro, google, network = (factories.organisation(name) for name in (
            "Żabka", "Allegro", "Google", "Fundacja Sieciowa"))
        db.session.add_all([Partnership(edition=edition, organisation=zabka, role=PartnerRole.HOST),
                            Partnership(edition=edition, organisation=allegro),
                            Partnership(edition=other, organisation=google),
                            Partnership(organisation=network, role=PartnerRole.FUNDER)])
        user = factories.user()
        factories.committed(user, edition)
    login(user)
    page = client.get(f"/reports/editions/{edition.id}").text
    assert "<li>Allegro</li><li>Żabka (Gospodarz)</li>" in page
    assert "Google" not in page and "Fundacja Sieciowa" not in page
    rows = client.get(f"/reports/editions/{edition.id}/export/partners.csv").data.decode("utf-8-sig").splitlines()
    assert rows[1:] == ["Allegro;", "Żabka;Gospodarz"]

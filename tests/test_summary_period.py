"""The yearly summary counts the Forum as it was at the end of its period, names only the partners
of that period's editions, and writes no empty lists, zero counts or "not recorded" into its prose."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from forum_crm.extensions import db
from forum_crm.models import ParticipationStatus, Partnership, ProgrammeItem, ProgrammeKind, Voivodeship
from forum_crm.reports.queries import Period
from forum_crm.reports.summary import build_summary
from tests import factories

YEAR_2023 = Period(date(2023, 1, 1), date(2023, 12, 31))
BEFORE = datetime(2022, 1, 1, tzinfo=UTC)


def warsaw(*moment: int) -> datetime:
    """A moment of Warsaw's clock, in UTC as the app stores it."""
    return datetime(*moment, tzinfo=ZoneInfo("Europe/Warsaw")).astimezone(UTC)


def build_network():
    """Who was a member on 31.12.2023, and who was not (hand count: 2 people, 3 organisations, 2 towns).

    Counted: Stała (Lublin); Zamknięta później, archived in 2024 (Łódź); Zamknięta po północy, archived
    half an hour after the end of 31.12.2023 in Warsaw, which is still 2023 in UTC (Lublin). Not
    counted: Późniejsza (joined 2024, the only one in Gdańsk), Zamknięta wcześniej (archived in June
    2023), Zamknięta w sylwestra (archived at 23:30 on 31.12.2023), a non-member.
    """
    lublin = factories.locality()
    lodz = factories.locality("Łódź", Voivodeship.LODZKIE, 51.77, 19.47)
    gdansk = factories.locality("Gdańsk", Voivodeship.POMORSKIE, 54.35, 18.65)
    joined = date(2022, 5, 1)
    factories.organisation("Stała", locality=lublin, forum_member_since=joined)
    factories.organisation("Późniejsza", locality=gdansk, forum_member_since=date(2024, 2, 1))
    factories.organisation("Zamknięta wcześniej", locality=lodz, forum_member_since=joined,
                           archived_at=datetime(2023, 6, 30, tzinfo=UTC))
    factories.organisation("Zamknięta później", locality=lodz, forum_member_since=joined,
                           archived_at=datetime(2024, 3, 1, tzinfo=UTC))
    factories.organisation("Zamknięta w sylwestra", locality=gdansk, forum_member_since=joined,
                           archived_at=warsaw(2023, 12, 31, 23, 30))
    factories.organisation("Zamknięta po północy", locality=lublin, forum_member_since=joined,
                           archived_at=warsaw(2024, 1, 1, 0, 30))
    factories.organisation("Nie członek", locality=gdansk)
    counted = factories.person("Ewa", "Obecna", forum_member=True, created_at=datetime(2023, 3, 1, tzinfo=UTC))
    factories.person("Jan", "Późniejszy", forum_member=True, created_at=datetime(2024, 2, 1, tzinfo=UTC))
    factories.person("Ola", "Wcześniejsza", forum_member=True, created_at=BEFORE,
                     archived_at=datetime(2023, 5, 1, tzinfo=UTC))
    factories.person("Adam", "Późniejszy", forum_member=True, created_at=BEFORE,
                     archived_at=datetime(2024, 2, 1, tzinfo=UTC))
    factories.person("Piotr", "Gość", forum_member=False, created_at=BEFORE)
    return counted


def build_editions(person):
    """I (Lublin, one person attended, one partner), II (no place, no attendance, a panel without guests),
    III in 2024 with its own partner; two network-wide partners, one recorded only in 2024."""
    first = factories.edition(1, date(2023, 5, 18), date(2023, 5, 19), locality=factories.locality(
        "Kielce", Voivodeship.SWIETOKRZYSKIE, 50.87, 20.63))
    second = factories.edition(2, date(2023, 9, 7), date(2023, 9, 8))
    later = factories.edition(3, date(2024, 3, 7), date(2024, 3, 8))
    factories.participation(first, person, status=ParticipationStatus.ATTENDED)
    partner, partner_2024 = factories.organisation("Fundacja Partnerska"), factories.organisation("Partner z 2024")
    old_network = factories.organisation("Sieć Stara", created_at=BEFORE)
    new_network = factories.organisation("Sieć Nowa", created_at=datetime(2024, 1, 5, tzinfo=UTC))
    db.session.add_all([
        ProgrammeItem(edition=second, kind=ProgrammeKind.PANEL, title="Panel bez gości"),
        Partnership(edition=first, organisation=partner), Partnership(edition=later, organisation=partner_2024),
        Partnership(organisation=old_network), Partnership(organisation=new_network),
    ])
    db.session.flush()


def paragraphs(period: Period, lang: str) -> list[str]:
    with force_locale(lang):
        return build_summary(period).plain_text().split("\n\n")[:-1]


def test_the_summary_in_polish(ctx):
    build_editions(build_network())
    assert paragraphs(YEAR_2023, "pl") == [
        "Na dzień 31 grudnia 2023 Forum Współpracy i Integracji skupia 2 osoby z 3 organizacji z siedzibą "
        "w 2 miejscowościach: Lublin, Łódź.",
        "Od 1 stycznia 2023 do 31 grudnia 2023 odbyły się 2 edycje Forum:",
        "I Forum, 18–19 maja 2023, Kielce: uczestniczyła 1 osoba.",
        "II Forum, 7–8 września 2023: nie zapisano obecności.",
        "W programie II Forum był panel dyskusyjny „Panel bez gości”.",
        "Partnerzy I Forum: Fundacja Partnerska.",
        "Partnerami spotkań byli: Sieć Stara.",
    ]


def test_the_summary_in_english(ctx):
    build_editions(build_network())
    assert paragraphs(YEAR_2023, "en") == [
        "As of December 31, 2023, the Forum Współpracy i Integracji brings together 2 people from 3 organisations "
        "based in 2 towns: Lublin, Łódź.",
        "From January 1, 2023 to December 31, 2023, 2 forum editions were held:",
        "I Forum, May 18 – 19, 2023, Kielce: 1 person attended.",  # CLDR abbreviates English intervals
        "II Forum, Sep 7 – 8, 2023: no attendance recorded.",
        "II Forum included the discussion panel “Panel bez gości”.",
        "Partners of I Forum: Fundacja Partnerska.",
        "Partners of the meetings: Sieć Stara.",
    ]


def test_the_next_year_counts_the_members_of_its_end(ctx):
    """On 31.12.2024 Późniejsza and Jan have joined, the two archived in 2024 are gone; III's partners only."""
    build_editions(build_network())
    assert paragraphs(Period(date(2024, 1, 1), date(2024, 12, 31)), "en") == [
        "As of December 31, 2024, the Forum Współpracy i Integracji brings together 2 people from 2 organisations "
        "based in 2 towns: Gdańsk, Lublin.",
        "From January 1, 2024 to December 31, 2024, 1 forum edition was held:",
        "III Forum, Mar 7 – 8, 2024: no attendance recorded.",
        "Partners of III Forum: Partner z 2024.",
        "Partners of the meetings: Sieć Nowa, Sieć Stara.",
    ]


@pytest.mark.parametrize(("lang", "expected"), [
    ("pl", ["Na dzień 31 grudnia 2021 Forum Współpracy i Integracji nie miało członków zapisanych w bazie.",
            "Od 1 stycznia 2021 do 31 grudnia 2021 nie odbyła się żadna edycja Forum."]),
    ("en", ["As of December 31, 2021, the Forum Współpracy i Integracji had no members on record.",
            "From January 1, 2021 to December 31, 2021, no forum edition was held."]),
])
def test_a_period_before_anyone_joined(ctx, lang, expected):
    """No members, no editions: no zero counts, no partners of meetings that did not take place."""
    build_editions(build_network())
    assert paragraphs(Period(date(2021, 1, 1), date(2021, 12, 31)), lang) == expected


@pytest.mark.parametrize(("people", "lang", "expected"), [
    (1, "pl", "Na dzień 31 grudnia 2023 Forum Współpracy i Integracji skupia 1 osobę z 1 organizacji."),
    (1, "en", "As of December 31, 2023, the Forum Współpracy i Integracji brings together 1 person from "
              "1 organisation."),
    (0, "pl", "Na dzień 31 grudnia 2023 Forum Współpracy i Integracji skupia 1 organizację."),
    (0, "en", "As of December 31, 2023, the Forum Współpracy i Integracji brings together 1 organisation."),
])
def test_members_without_towns_or_people(ctx, people, lang, expected):
    factories.organisation("Bez siedziby", forum_member_since=date(2023, 1, 1))
    for _ in range(people):
        factories.person(forum_member=True, created_at=BEFORE)
    assert paragraphs(YEAR_2023, lang)[0] == expected


def test_people_without_organisations(ctx):
    factories.person(forum_member=True, created_at=BEFORE)
    assert paragraphs(YEAR_2023, "pl")[0] == "Na dzień 31 grudnia 2023 Forum Współpracy i Integracji skupia 1 osobę."


def test_the_page_and_the_command_give_the_same_figures_and_say_how_people_are_counted(app, client, login):
    with app.app_context():
        build_editions(build_network())
        user = factories.user()
        factories.committed(user)
    login(user)
    page = client.get("/reports/summary?year=2023").text
    assert "Forum Współpracy i Integracji skupia" in page and "nie zapisano obecności." in page
    assert "członkostwo osoby nie ma własnej daty" in page and "Partner z 2024" not in page
    result = app.test_cli_runner().invoke(args=["report", "summary", "--from", "2023-01-01", "--to", "2023-12-31",
                                                "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "brings together 2 people from 3 organisations based in 2 towns: Lublin, Łódź." in result.output
    assert "(a person's membership has no date of its own)" in result.output

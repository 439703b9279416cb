"""Reports for a range of dates (/reports?start=..&end=.., /reports/summary, `flask report summary --from
--to`): an edition belongs to the range when it began in it, both days included; editions that began
before it count nowhere in it, even when they ended inside."""

import re
from datetime import date

import pytest

from forum_crm.models import ParticipationStatus
from tests import factories
from tests.conftest import csrf_token

# (number, start, end): I began the day before 2023 and ended in it; IV began on its last day.
EDITIONS = [(1, date(2022, 12, 31), date(2023, 1, 1)), (2, date(2023, 1, 1), date(2023, 1, 2)),
            (3, date(2023, 6, 15), date(2023, 6, 16)), (4, date(2023, 12, 31), date(2024, 1, 1)),
            (5, date(2024, 1, 1), date(2024, 1, 2))]
YEAR_2023 = "start=2023-01-01&end=2023-12-31"


@pytest.fixture
def coordinator(app, client, login):
    """Five editions around 2023, each attended by Ewa (a Forum member) for her organisation; in English."""
    with app.app_context():
        organisation = factories.organisation("Fundacja Zakres", forum_member_since=date(2020, 1, 1))
        ewa = factories.person("Ewa", "Zakresowa", forum_member=True)
        for number, start, end in EDITIONS:
            edition = factories.edition(number, start, end)
            factories.participation(edition, ewa, organisation=organisation, status=ParticipationStatus.ATTENDED)
        user = factories.committed(factories.user())
    login(user)
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    return user


def trend(page: str) -> list[str]:
    """The editions of the attendance trend table of /reports."""
    section = re.search(r'id="trend-title".*?</section>', page, re.S).group(0)
    return re.findall(r'/reports/editions/\d+">([^<]+)</a>', section)


def summary_editions(text: str) -> list[str]:
    """The editions the summary describes, one paragraph each."""
    return re.findall(r"\b([IVX]+ Forum), ", text)


def test_the_range_includes_both_days_and_only_editions_that_began_in_it(client, coordinator):
    page = client.get(f"/reports?{YEAR_2023}").text
    assert trend(page) == ["II Forum", "III Forum", "IV Forum"]
    assert "Editions that began between 1 January 2023 and 31 December 2023." in page


@pytest.mark.parametrize("query, editions", [
    ("start=2023-06-15&end=2023-06-15", ["III Forum"]),  # one day
    ("start=2023-06-16&end=2023-12-30", []),  # III ends on its first day, but began the day before
    ("start=2023-12-31", ["IV Forum", "V Forum"]),  # open at one end
    ("end=2023-01-01", ["I Forum", "II Forum"]),
    ("year=2024", ["V Forum"]),
    ("", ["I Forum", "II Forum", "III Forum", "IV Forum", "V Forum"]),
])
def test_ranges_on_the_reports_page(client, coordinator, query, editions):
    page = client.get(f"/reports?{query}").text
    assert trend(page) == editions
    assert ("No editions in this period." in page) == (not editions)


def test_an_empty_range_says_so_everywhere(app, client, coordinator):
    query = "start=2025-01-01&end=2025-12-31"
    page = client.get(f"/reports?{query}")
    assert page.status_code == 200 and "No editions in this period." in page.text
    summary = client.get(f"/reports/summary?{query}").text
    assert summary_editions(summary) == [] and "no forum edition was held." in summary
    assert "1 January 2025" in summary and "31 December 2025" in summary
    assert client.get(f"/reports/export/trend.csv?{query}").data.decode("utf-8-sig").splitlines() == [
        "Edition;Start date;Invited;Attended"]


def test_an_end_before_the_start_is_refused(client, coordinator):
    page = client.get("/reports?start=2023-12-31&end=2023-01-01").text
    assert "The end date cannot be before the start date." in page


def test_summary_and_downloads_cover_the_same_range(client, coordinator):
    summary = client.get(f"/reports/summary?{YEAR_2023}").text
    assert summary_editions(summary) == ["II Forum", "III Forum", "IV Forum"]
    assert "From 1 January 2023 to 31 December 2023," in summary
    rows = client.get(f"/reports/export/trend.csv?{YEAR_2023}").data.decode("utf-8-sig").splitlines()
    assert [row.split(";")[0] for row in rows[1:]] == ["II Forum", "III Forum", "IV Forum"]
    people = client.get(f"/reports/export/people.csv?{YEAR_2023}").data.decode("utf-8-sig").splitlines()
    assert people[1].endswith(";3")  # Ewa attended three editions that began in 2023


def test_summary_without_a_range_covers_the_year_of_the_latest_edition(client, coordinator):
    summary = client.get("/reports/summary").text
    assert summary_editions(summary) == ["V Forum"] and "From 1 January 2024 to 31 December 2024," in summary


def run_summary(app, *args):
    return app.test_cli_runner().invoke(args=["report", "summary", "--lang", "en", *args])


def test_summary_command_for_a_range(app, coordinator):
    result = run_summary(app, "--from", "2023-01-01", "--to", "2023-12-31")
    assert result.exit_code == 0, result.output
    assert summary_editions(result.output) == ["II Forum", "III Forum", "IV Forum"]
    assert "From 1 January 2023 to 31 December 2023, 3" in result.output
    one_day = run_summary(app, "--from", "2023-12-31", "--to", "2023-12-31")
    assert summary_editions(one_day.output) == ["IV Forum"]


def test_summary_command_for_an_empty_range(app, coordinator):
    result = run_summary(app, "--from", "2025-01-01", "--to", "2025-12-31")
    assert result.exit_code == 0, result.output
    assert summary_editions(result.output) == [] and (
        "From 1 January 2025 to 31 December 2025, no forum edition was held." in result.output)


def test_summary_command_refuses_an_end_before_the_start(app, coordinator):
    result = run_summary(app, "--from", "2023-12-31", "--to", "2023-01-01")
    assert result.exit_code == 2 and "--to is before --from" in result.output


def test_summary_command_in_ukrainian(app, coordinator):
    result = app.test_cli_runner().invoke(args=["report", "summary", "--lang", "uk", "--from", "2023-01-01",
                                                "--to", "2023-12-31"])
    assert result.exit_code == 0, result.output
    assert "З 1 січня 2023 р. до 31 грудня 2023 р. відбулися 3 зустрічі Форуму:" in result.output

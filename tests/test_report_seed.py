"""What `seed-report` stores, checked against the text of the consortium's report itself.

The report is read from shared/reference/, which sits next to the clone (../shared; in CI a sibling
of the checkout). The expected values come from the report's text, not from the seed module;
the only table here is how the report writes names it declines or shortens.
"""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import Edition, Locality, Organisation, Partnership, ProgrammeKind
from forum_crm.seeding.report import FORUM_ORGANISATIONS, FORUM_PEOPLE, seed_report

REPORT_NAME = "konsorcjum-migracyjne-report-2022-2023.md"


def find_report() -> Path | None:
    """shared/reference/ next to the repository, or next to a folder above it (a worktree of the clone)."""
    for folder in Path(__file__).resolve().parents[1].parents:
        candidate = folder / "shared" / "reference" / REPORT_NAME
        if candidate.is_file():
            return candidate
    return None


REPORT = find_report()
pytestmark = pytest.mark.skipif(
    REPORT is None, reason=f"shared/reference/{REPORT_NAME} is not next to the repository, so the seed cannot be "
                           "checked against the report's text")

# The seed stores names in the nominative and in full; the report declines or shortens these.
REPORT_WORDING = {
    "Gorzów Wielkopolski": "Gorzów Wlkp",
    "Komisja Europejska w Polsce": "Komisję Europejską w Polsce",
    "Władze samorządowe Warszawy": "władz lokalnych z Warszawy",
    "Władze samorządowe Krakowa": "Krakowa",
    "Władze samorządowe Lublina": "Lublina",
}


@pytest.fixture
def text() -> str:
    """The report, its whitespace collapsed (its paragraphs run sentences across lines)."""
    return " ".join(REPORT.read_text(encoding="utf-8").split())


@pytest.fixture
def editions(ctx) -> dict[int, Edition]:
    seed_report()
    return {edition.number: edition for edition in db.session.scalars(sa.select(Edition))}


def wording(name: str) -> str:
    return REPORT_WORDING.get(name, name)


def edition_passages(text: str) -> dict[int, str]:
    """The report's text about each edition's panel, from its dates to the next edition's."""
    passage = text[text.index("Dotychczas w panelach"):text.index("Partnerami spotkań byli")]
    return dict(enumerate(re.split(r"podczas (?:Forum I|II Forum|III Forum) \(", passage)[1:], start=1))


def test_the_towns_are_the_reports_list(editions, text):
    stated, listed = re.search(r"z siedzibą w (\d+) miejscowościach: ([^)]*)\)", text).groups()
    names = [name.strip() for name in listed.split(",")]
    stored = [wording(name) for name in db.session.scalars(sa.select(Locality.name))]
    assert sorted(stored) == sorted(names)
    assert int(stated) == len(names) + 1  # "19 miejscowościach" followed by 18 names: the seed stores the names


def test_the_forums_size_is_the_reports(text):
    people, organisations = re.search(r"(\d+) osób, (\d+) organizacji pozarządowych", text).groups()
    assert (int(people), int(organisations)) == (FORUM_PEOPLE, FORUM_ORGANISATIONS)


def test_edition_one_is_the_first_meeting_of_the_report(editions, text):
    first, last, month, year = re.search(r"(\d+) i (\d+)\.(\d+)\.(\d{4}) odbyło się pierwsze spotkanie", text).groups()
    edition = editions[1]
    assert (edition.start_date, edition.end_date) == (date(int(year), int(month), int(first)),
                                                      date(int(year), int(month), int(last)))
    assert edition.locality.name == "Warszawa" and "organizacji społecznych w Warszawie" in text


def test_the_editions_dates_are_the_reports(editions, text):
    """I and II as written; III's "31.11" does not exist, so its first day is the day before its last."""
    for number, passage in edition_passages(text).items():
        first, first_month, last, last_month, year = re.match(
            r"(\d+)(?:\.(\d+))? - (\d+)\.(\d+)(?:, |\.)(\d{4})\)", passage).groups()
        end = date(int(year), int(last_month), int(last))
        assert editions[number].end_date == end
        try:
            start = date(int(year), int(first_month or last_month), int(first))
        except ValueError:
            assert editions[number].start_date == end - timedelta(days=1)
            assert f"{first}.{first_month}" in editions[number].dates_note
        else:
            assert editions[number].start_date == start and editions[number].dates_note is None


def test_the_report_describes_three_editions_of_the_four_it_implies(editions, text):
    assert "do maja 2024 roku zorganizowano 3 kolejne spotkania" in text  # I and 3 more: IV is not described
    assert sorted(editions) == [1, 2, 3] == sorted(edition_passages(text))


def test_each_panel_guest_and_partner_is_named_in_its_editions_passage(editions, text):
    for number, passage in edition_passages(text).items():
        edition = editions[number]
        (panel,) = [item for item in edition.programme if item.kind == ProgrammeKind.PANEL]
        guests = [speaker.organisation.name for speaker in panel.speakers]
        partners = [partnership.organisation.name for partnership in edition.partnerships]
        assert guests and all(wording(name) in passage for name in guests), (number, guests)
        assert all(wording(name) in passage for name in partners), (number, partners)


def test_the_network_partners_are_the_reports_list(editions, text):
    listed = re.search(r"Partnerami spotkań byli: ([^.]*)\.", text).group(1)
    stored = db.session.scalars(sa.select(Organisation.name).join(Partnership).where(Partnership.edition_id.is_(None)))
    assert sorted(stored) == sorted(name.strip() for name in listed.split(","))

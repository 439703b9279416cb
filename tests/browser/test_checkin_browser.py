"""The door check-in on a phone: find a person without typing Polish letters, check in, undo, check in again."""

import re
from datetime import date

import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from forum_crm.extensions import db
from forum_crm.models import DayAttendance, Participation, ParticipationStatus
from tests import factories
from tests.browser.test_login_browser import log_in

PHONE = {"width": 375, "height": 740}
MIN_TAP = 44  # CSS pixels: the smallest comfortable touch target


def assert_fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_check_in_at_the_door_on_a_phone(app: Flask, live_server: str, page: Page) -> None:
    with app.app_context():
        edition = factories.edition(3, date(2023, 5, 18), date(2023, 5, 19))
        zaneta = factories.person("Żaneta", "Ślęzak")
        factories.participation(edition, zaneta, status=ParticipationStatus.REGISTERED,
                                organisation=factories.organisation("Fundacja Łódzka Pomoc"))
        factories.person("Jan", "Kowalski")
        user = factories.user()
        factories.committed(edition, zaneta, user)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, user.email, factories.PASSWORD)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Polski")).to_be_visible()

    page.goto(f"{live_server}/editions/{edition.id}")
    page.get_by_role("link", name="Check-in at the door").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in: III Forum")
    # The edition is not on today: its days are offered, the first one chosen.
    expect(page.get_by_label("Thursday, 18 May 2023")).to_be_checked()
    expect(page.get_by_label("Friday, 19 May 2023")).not_to_be_checked()
    assert_fits_the_phone(page)

    page.get_by_label("Name or e-mail").fill("slezak")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"day=2023-05-18&q=slezak$"))
    results = page.locator("#checkin-results")
    expect(results.get_by_role("strong")).to_have_text("Żaneta Ślęzak")
    expect(results).to_contain_text("Fundacja Łódzka Pomoc")
    expect(results).not_to_contain_text("Kowalski")
    check_in = results.get_by_role("button", name="Check in Żaneta Ślęzak")
    assert check_in.bounding_box()["height"] >= MIN_TAP
    assert_fits_the_phone(page)

    check_in.click()
    expect(page.get_by_role("status").filter(has_text="Checked in: Żaneta Ślęzak")).to_be_visible()
    expect(results).to_contain_text("✓ Checked in")
    assert_fits_the_phone(page)

    results.get_by_role("button", name="Undo Żaneta Ślęzak").click()
    expect(page.get_by_role("status").filter(has_text="Check-in undone: Żaneta Ślęzak")).to_be_visible()
    expect(results).not_to_contain_text("✓ Checked in")

    results.get_by_role("button", name="Check in Żaneta Ślęzak").click()
    expect(page.get_by_role("status").filter(has_text="Checked in: Żaneta Ślęzak")).to_be_visible()
    expect(page.get_by_role("heading", name="1 person checked in on this day")).to_be_visible()

    with app.app_context():
        participation = db.session.scalar(sa.select(Participation))
        assert participation.status == ParticipationStatus.ATTENDED
        assert [row.day for row in db.session.scalars(sa.select(DayAttendance))] == [date(2023, 5, 18)]
    page.get_by_role("link", name="Participants of III Forum").click()
    expect(page.get_by_role("row", name=re.compile("Ślęzak Żaneta"))).to_contain_text("18 May 2023")
    assert_fits_the_phone(page)


def test_results_follow_the_typing_and_the_day_is_kept(app: Flask, live_server: str, page: Page) -> None:
    """With JavaScript, results appear as the name is typed and choosing a day reloads the page for it."""
    with app.app_context():
        edition = factories.edition(3, date(2023, 5, 18), date(2023, 5, 19))
        factories.person("Żaneta", "Ślęzak")
        user = factories.user()
        factories.committed(edition, user)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, user.email, factories.PASSWORD)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Polski")).to_be_visible()
    page.goto(f"{live_server}/editions/{edition.id}/checkin")

    page.get_by_label("Friday, 19 May 2023").check()
    expect(page).to_have_url(re.compile(r"day=2023-05-19"))
    page.get_by_label("Name or e-mail").press_sequentially("zaneta")
    expect(page.locator("#checkin-results")).to_contain_text("Żaneta Ślęzak")
    expect(page.locator("#checkin-found")).to_have_text("1 person")
    expect(page).to_have_url(re.compile(r"day=2023-05-19&q=zaneta$"))
    page.locator("#checkin-results").get_by_role("button", name="Check in Żaneta Ślęzak").click()
    expect(page.get_by_role("status").filter(has_text="Checked in: Żaneta Ślęzak, Friday, 19 May 2023.")) \
        .to_be_visible()
    assert_fits_the_phone(page)

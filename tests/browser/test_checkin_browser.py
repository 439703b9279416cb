"""The door check-in on a phone (390 x 844): find a person without typing Polish letters, tap to check in without a
page reload (the box cleared and focused, the count up), undo, a walk-in tapped twice, the day remembered; and
check-in by a badge's QR code, decoded in the page by the vendored jsQR from a code the server signed.

SAVE_SCREENSHOTS=1 saves the phone check-in as docs/screenshots/checkin-phone.png (see README.md)."""

import os
import re
from datetime import date
from pathlib import Path

import segno
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from forum_crm.editions.badges import badge_token
from forum_crm.extensions import db
from forum_crm.models import DayAttendance, Participation, ParticipationStatus, Person
from tests import factories
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_login_browser import log_in

PHONE = {"width": 390, "height": 844}
MIN_TAP = 44  # CSS pixels: the smallest comfortable touch target
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def assert_fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def in_english(page: Page) -> None:
    page.get_by_role("button", name="Menu").click()  # on a phone the language is in the folded menu
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def door_of_the_third_forum(app: Flask) -> tuple[int, str]:
    """The III Forum with Żaneta Ślęzak registered, some others on its list, Jan Kowalski only in the directory."""
    with app.app_context():
        edition = factories.edition(3, date(2023, 5, 18), date(2023, 5, 19))
        zaneta = factories.person("Żaneta", "Ślęzak")
        factories.participation(edition, zaneta, status=ParticipationStatus.REGISTERED,
                                organisation=factories.organisation("Fundacja Łódzka Pomoc"))
        for first, last, organisation in (("Olena", "Kowalenko", "Fundacja Ocalenie"),
                                          ("Marta", "Kowalczyk", "Stowarzyszenie Interwencji Prawnej"),
                                          ("Piotr", "Kowal", "Urząd Miasta Lublin")):
            factories.participation(edition, factories.person(first, last), status=ParticipationStatus.REGISTERED,
                                    organisation=factories.organisation(organisation))
        factories.person("Jan", "Kowalski")
        user = factories.user()
        factories.committed(edition, zaneta, user)
        return edition.id, user.email


def test_check_in_at_the_door_on_a_phone(app: Flask, live_server: str, page: Page) -> None:
    edition_id, email = door_of_the_third_forum(app)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, email, factories.PASSWORD)
    in_english(page)

    page.goto(f"{live_server}/editions/{edition_id}")
    page.get_by_role("link", name="Check-in at the door").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in: III Forum")
    box = page.locator("#checkin-q")  # labelled "Name or e-mail"
    expect(box).to_be_focused()  # ready to type
    assert box.bounding_box()["y"] + box.bounding_box()["height"] < PHONE["height"] / 3  # the top of the screen
    expect(page.locator("#checkin-tally")).to_have_text("0 people checked in on this day")
    # The edition is not on today: its days are offered, the first one chosen.
    expect(page.get_by_label("Thursday, 18 May 2023")).to_be_checked()
    assert_fits_the_phone(page)

    page.evaluate("window.notReloaded = true")  # gone if the page reloads
    box.press_sequentially("slezak")
    results = page.locator("#checkin-results")
    expect(results.get_by_role("strong")).to_have_text("Żaneta Ślęzak")
    expect(results).to_contain_text("Fundacja Łódzka Pomoc")
    expect(results).not_to_contain_text("Kowalski")
    check_in = results.get_by_role("button", name="Check in Żaneta Ślęzak")
    assert check_in.bounding_box()["height"] >= MIN_TAP and check_in.bounding_box()["width"] >= 300
    assert_fits_the_phone(page)

    check_in.click()
    expect(page.get_by_role("status").filter(has_text="Checked in: Żaneta Ślęzak")).to_be_visible()
    expect(page.locator("#checkin-tally")).to_have_text("1 person checked in on this day")
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    expect(results).to_contain_text("✓ Checked in")  # the last checked in, with Undo
    assert page.evaluate("window.notReloaded") is True

    box.press_sequentially("kowal")
    expect(results.get_by_role("button", name=re.compile("^Check in"))).to_have_count(4)
    if os.environ.get("SAVE_SCREENSHOTS"):
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("button", name="Polski").click()  # the screenshot shows the Polish page
        expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")
        box.press_sequentially("kowal")
        expect(results.locator(".tap-target")).to_have_count(4)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "checkin-phone.png")
        in_english(page)
        page.evaluate("window.notReloaded = true")
        box.press_sequentially("kowal")
    results.get_by_role("button", name="Check in Olena Kowalenko").click()
    expect(page.locator("#checkin-tally")).to_have_text("2 people checked in on this day")
    expect(box).to_have_value("")

    results.get_by_role("button", name="Undo Olena Kowalenko").click()
    expect(page.get_by_role("status").filter(has_text="Check-in undone: Olena Kowalenko")).to_be_visible()
    expect(page.locator("#checkin-tally")).to_have_text("1 person checked in on this day")
    assert page.evaluate("window.notReloaded") is True

    with app.app_context():
        checked = db.session.scalars(sa.select(DayAttendance.participation_id)).all()
        assert len(checked) == 1
        assert db.session.get(Participation, checked[0]).person.last_name == "Ślęzak"
    page.get_by_role("link", name="Participants of III Forum").click()
    expect(page.get_by_role("row", name=re.compile("Ślęzak Żaneta"))).to_contain_text("18 May 2023")
    assert_fits_the_phone(page)


def test_a_walk_in_tapped_twice_is_added_once_and_the_day_is_remembered(app: Flask, live_server: str,
                                                                           page: Page) -> None:
    edition_id, email = door_of_the_third_forum(app)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, email, factories.PASSWORD)
    in_english(page)
    page.goto(f"{live_server}/editions/{edition_id}/checkin")
    page.get_by_label("Friday, 19 May 2023").check()
    expect(page).to_have_url(re.compile(r"day=2023-05-19"))
    page.goto(f"{live_server}/editions/{edition_id}/checkin")  # the device remembers the day
    expect(page.get_by_label("Friday, 19 May 2023")).to_be_checked()

    page.get_by_label("First name").fill("Oksana")
    page.get_by_label("Last name").fill("Szewczenko")
    page.get_by_role("button", name="Add and check in").dblclick()
    expect(page.get_by_role("status").filter(has_text="Added and checked in: Oksana Szewczenko, Friday, 19 May"))\
        .to_be_visible()
    expect(page.locator("#checkin-tally")).to_have_text("1 person checked in on this day")
    expect(page.get_by_label("First name")).to_have_value("")
    expect(page.get_by_label("Name or e-mail")).to_be_focused()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)
                                 .where(Person.last_name == "Szewczenko")) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DayAttendance)) == 1


def qr_data_uri(app: Flask, edition_id: int, last_name: str) -> str:
    """A badge's QR code as the server signs it, drawn as a PNG (a photo of the printed badge, as it were)."""
    with app.test_request_context():
        participation = db.session.scalar(sa.select(Participation).join(Person).where(
            Participation.edition_id == edition_id, Person.last_name == last_name))
        return segno.make_qr(badge_token(participation), error="m").png_data_uri(scale=6, border=4)


SCAN = """async (source) => {
  const image = new Image();
  image.src = source;
  await image.decode();
  return await window.forumCheckin.scanImage(image);
}"""


def test_a_scanned_badge_checks_the_person_in(app: Flask, live_server: str, page: Page,
                                              requested_urls: list[str]) -> None:
    edition_id, email = door_of_the_third_forum(app)
    with app.app_context():
        other = factories.committed(factories.edition(4))
        factories.committed(factories.participation(other, factories.person("Olga", "Inna")))
        other_id = other.id
    page.set_viewport_size(PHONE)
    log_in(page, live_server, email, factories.PASSWORD)  # in Polish
    page.goto(f"{live_server}/editions/{edition_id}/checkin")
    expect(page.get_by_role("button", name="Zeskanuj identyfikator")).to_be_visible()  # the camera is offered

    badge = qr_data_uri(app, edition_id, "Ślęzak")
    decoded = page.evaluate("""async (source) => {
      const image = new Image();
      image.src = source;
      await image.decode();
      await window.forumCheckin.loadDecoder();
      return window.forumCheckin.decode(image);
    }""", badge)
    with app.test_request_context():
        assert decoded.startswith("W") and "." in decoded  # the signed token, not an id
    assert any(url.endswith("/static/vendor/jsqr/jsQR.js") for url in requested_urls)

    answer = page.evaluate(SCAN, badge)
    assert answer["ok"] is True
    expect(page.locator("#checkin-message")).to_contain_text("Żaneta Ślęzak")
    expect(page.locator("#checkin-tally")).to_have_text(re.compile(r"^1 "))
    again = page.evaluate(SCAN, badge)  # the same badge again: checked in once
    assert again["ok"] is True and again["added"] is False
    expect(page.locator("#checkin-tally")).to_have_text(re.compile(r"^1 "))

    page.evaluate(SCAN, qr_data_uri(app, other_id, "Inna"))
    expect(page.locator("#checkin-message")).to_have_text("Ten identyfikator jest z innej edycji Forum.")
    tampered = segno.make_qr(decoded[:-4] + "AAAA", error="m").png_data_uri(scale=6, border=4)
    page.evaluate(SCAN, tampered)
    expect(page.locator("#checkin-message")).to_have_text(
        "To nie jest identyfikator tego forum albo kod został zmieniony.")
    page.evaluate(SCAN, segno.make_qr(str(edition_id), error="m").png_data_uri(scale=6, border=4))
    expect(page.locator("#checkin-message")).to_have_text(
        "To nie jest identyfikator tego forum albo kod został zmieniony.")
    expect(page.locator("#checkin-tally")).to_have_text(re.compile(r"^1 "))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DayAttendance)) == 1


def y4m_video_of(text: str, path: Path, width: int = 640, height: int = 480) -> Path:
    """A still video (Y4M, two frames) of `text`'s QR code, for Chromium's fake camera."""
    matrix = segno.make_qr(text, error="m").matrix
    size = len(matrix) + 8  # with a quiet zone of 4 modules
    module = min(width, height) * 3 // 4 // size
    left, top = (width - size * module) // 2, (height - size * module) // 2
    luma = bytearray(b"\xff" * (width * height))
    for row_index, row in enumerate(matrix):
        for column_index, dark in enumerate(row):
            if dark:
                x, y = left + (column_index + 4) * module, top + (row_index + 4) * module
                for line in range(y, y + module):
                    luma[line * width + x:line * width + x + module] = b"\x00" * module
    chroma = b"\x80" * (width * height // 4)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode() + frame * 2)
    return path


def test_the_phones_camera_scans_a_badge(app: Flask, live_server: str, browser, tmp_path: Path) -> None:
    """Chromium's fake camera shows a badge's QR code: Scan a badge opens it, and the person is checked in."""
    edition_id, email = door_of_the_third_forum(app)
    with app.test_request_context():
        participation = db.session.scalar(sa.select(Participation).join(Person).where(Person.last_name == "Kowal"))
        video = y4m_video_of(badge_token(participation), tmp_path / "badge.y4m")
    camera = browser.browser_type.launch(executable_path=str(CHROMIUM), args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = camera.new_context(viewport=PHONE)
        context.grant_permissions(["camera"], origin=live_server)
        page = context.new_page()
        log_in(page, live_server, email, factories.PASSWORD)
        page.goto(f"{live_server}/editions/{edition_id}/checkin")
        scan = page.get_by_role("button", name="Zeskanuj identyfikator")
        scan.click()
        expect(scan).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#checkin-message")).to_contain_text("Piotr Kowal", timeout=15000)
        expect(page.locator("#checkin-tally")).to_have_text(re.compile(r"^1 "))
        page.get_by_role("button", name="Wyłącz aparat").click()
        expect(scan).to_have_attribute("aria-expanded", "false")
        expect(page.locator("#scanner-view")).to_be_hidden()
    finally:
        camera.close()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DayAttendance)) == 1

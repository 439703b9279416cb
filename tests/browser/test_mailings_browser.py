"""The coordinator writes a mailing to a filtered people list in a real browser: compose, preview, send."""

from flask import Flask
from playwright.sync_api import Page, expect

from forum_crm.models import Role
from tests import factories
from tests.browser.test_roles_browser import log_in_in_english


def test_a_mailing_from_the_people_list(app: Flask, live_server: str, page: Page) -> None:
    with app.app_context():
        lublin = factories.locality("Lublin")
        factories.person("Olena", "Kowal", email="olena@example.org", locality=lublin, language="en")
        factories.person("Bez", "Adresu", locality=lublin)
        coordinator = factories.committed(factories.user(Role.COORDINATOR, email="koordynatorka@example.org"))

    log_in_in_english(page, live_server, coordinator.email)
    page.goto(f"{live_server}/people?town=Lublin")
    page.get_by_role("link", name="Send a mailing to this list").click()
    page.get_by_label("Subject (English)").fill("Forum IV")
    page.get_by_label("Text (English)").fill("Dear {first_name}, see you in Lublin.")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_role("status").first).to_contain_text("1 recipient, 1 left out: no e-mail address: 1.")
    expect(page.locator(".mail-preview")).to_contain_text("Dear Olena, see you in Lublin.")
    page.screenshot(path="/tmp/mail13-draft.png", full_page=True)
    page.get_by_role("button", name="Send to 1 recipient").click()
    expect(page.locator(".flash").first).to_contain_text("The mailing was queued to 1 recipient")
    expect(page.get_by_role("cell", name="olena@example.org")).to_be_visible()

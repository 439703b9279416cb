"""The coordinator builds the network in a real browser: an organisation, a person in it, and finds both."""

import re

from flask import Flask
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.test_login_browser import log_in


def test_create_organisation_add_person_and_find_both_without_diacritics(app: Flask, live_server: str, page: Page):
    with app.app_context():
        user = factories.committed(factories.user())
    log_in(page, live_server, user.email, factories.PASSWORD)

    page.get_by_role("link", name="Organizacje").click()
    expect(page.get_by_text("Żadna organizacja nie pasuje")).to_be_visible()
    page.get_by_role("link", name="Dodaj organizację").click()
    page.get_by_label("Nazwa", exact=True).fill("Fundacja Łódzka Pomoc")
    page.get_by_label("Miejscowość", exact=True).fill("Łódź")
    page.get_by_label("Członek Forum od").fill("2023-05-18")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fundacja Łódzka Pomoc")
    expect(page.locator("dl.profile")).to_contain_text("Łódź (łódzkie)")

    page.get_by_role("link", name="Osoby").click()
    page.get_by_role("link", name="Dodaj osobę").click()
    page.get_by_label("Imię").fill("Żaneta")
    page.get_by_label("Nazwisko").fill("Ślęzak")
    page.get_by_label("E-mail", exact=True).fill("zaneta@example.org")
    page.get_by_label("Miejscowość", exact=True).fill("lodz")
    page.get_by_role("button", name="Zapisz").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Żaneta Ślęzak")
    page.get_by_label("Organizacja", exact=True).fill("fundacja lodzka pomoc")
    page.get_by_label("Rola").fill("prezeska")
    page.get_by_role("button", name="Dodaj", exact=True).click()
    expect(page.get_by_role("link", name="Fundacja Łódzka Pomoc", exact=True)).to_be_visible()

    page.get_by_role("link", name="Organizacje").click()
    page.get_by_label("Szukaj").fill("lodzka")
    page.get_by_role("button", name="Szukaj").click()
    expect(page.get_by_role("link", name="Fundacja Łódzka Pomoc")).to_be_visible()

    page.get_by_role("link", name="Osoby").click()
    page.get_by_label("Szukaj").fill("slezak")
    page.get_by_role("button", name="Szukaj").click()
    row = page.get_by_role("row", name=re.compile("Ślęzak Żaneta"))
    expect(row).to_contain_text("Fundacja Łódzka Pomoc")
    expect(row).to_contain_text("Łódź")


def test_list_pages_work_on_a_phone(app: Flask, live_server: str, page: Page):
    with app.app_context():
        user = factories.user()
        factories.organisation("Stowarzyszenie Bardzo Długiej Nazwy Dla Telefonu")
        factories.committed(user)
    page.set_viewport_size({"width": 375, "height": 720})
    log_in(page, live_server, user.email, factories.PASSWORD)
    page.goto(f"{live_server}/organisations")
    expect(page.get_by_role("link", name="Stowarzyszenie Bardzo Długiej Nazwy Dla Telefonu")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1

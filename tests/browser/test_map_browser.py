"""The member map in Chromium: circles per town, popups, links, escaping; nothing loaded from elsewhere."""

import re
from datetime import UTC, date, datetime

from flask import Flask
from playwright.sync_api import Page, expect

from forum_crm.models import Role, Voivodeship
from tests import factories
from tests.browser.test_login_browser import log_in

CONSENT = datetime(2023, 5, 18, tzinfo=UTC)
TOWNS = {"Lublin": (Voivodeship.LUBELSKIE, 51.25, 22.57), "Kraków": (Voivodeship.MALOPOLSKIE, 50.06, 19.94),
         "Gdańsk": (Voivodeship.POMORSKIE, 54.35, 18.65)}


def build_network(organisations: dict[str, list[str]], people: dict[str, int]) -> dict[str, int]:
    """Member organisations and consenting people in TOWNS, by town name; returns the towns' ids."""
    ids = {}
    for name, (voivodeship, latitude, longitude) in TOWNS.items():
        town = factories.locality(name, voivodeship, latitude, longitude)
        ids[name] = town.id
        for organisation in organisations.get(name, []):
            factories.organisation(organisation, locality=town, forum_member_since=date(2023, 5, 18))
        for _ in range(people.get(name, 0)):
            factories.person(locality=town, map_consent_at=CONSENT)
    return ids


def test_coordinator_counts_the_towns_opens_lublin_and_reaches_an_organisation(app: Flask, live_server: str,
                                                                               page: Page) -> None:
    with app.app_context():
        towns = build_network({"Lublin": ["Fundacja Lubelska", "Stowarzyszenie Wschód"],
                               "Kraków": ["Fundacja Krakowska"], "Gdańsk": ["Fundacja Bałtycka"]},
                              {"Lublin": 4, "Kraków": 1})
        user = factories.committed(factories.user())
    log_in(page, live_server, user.email, factories.PASSWORD)
    page.get_by_role("link", name=re.compile("^Mapa?$")).click()
    expect(page).to_have_url(f"{live_server}/map")

    overlay = page.locator(".leaflet-overlay-pane")
    expect(overlay.locator("path.map-organisations")).to_have_count(3)
    expect(overlay.locator("path.map-people")).to_have_count(2)
    expect(overlay.locator("path.map-region")).to_have_count(16)

    page.locator(f"path.map-organisations.town-{towns['Lublin']}").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator("strong")).to_have_text("Lublin")
    expect(popup).to_contain_text("4")  # the coordinator sees the exact number of people
    popup.get_by_role("link", name="Fundacja Lubelska").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fundacja Lubelska")


def test_a_member_opens_a_town_sees_small_counts_hidden_and_reaches_an_organisation(app: Flask, live_server: str,
                                                                                     page: Page) -> None:
    with app.app_context():
        towns = build_network({"Lublin": ["Fundacja Lubelska"], "Kraków": ["Fundacja Krakowska"]}, {"Kraków": 2})
        user = factories.committed(factories.user(Role.MEMBER))
    log_in(page, live_server, user.email, factories.PASSWORD)
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="Map", exact=True).click()

    page.locator(f"path.map-organisations.town-{towns['Kraków']}").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("fewer than 3 people")
    popup.get_by_role("link", name="Fundacja Krakowska").click()
    expect(page).to_have_url(re.compile(r"/directory/organisations/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Fundacja Krakowska")


def test_names_with_markup_and_script_show_as_text(app: Flask, live_server: str, page: Page) -> None:
    payloads = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>', "${alert(3)}`\\"]
    with app.app_context():
        place = factories.locality('"><img src=x onerror=alert(4)>', Voivodeship.OPOLSKIE, 50.67, 17.93)
        for name in payloads:
            factories.organisation(name, locality=place, forum_member_since=date(2023, 5, 18))
        user = factories.committed(factories.user())
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, user.email, factories.PASSWORD)
    page.goto(f"{live_server}/map")

    circle = page.locator("path.map-organisations")
    circle.hover()
    expect(page.locator(".leaflet-tooltip", has_text='"><img src=x onerror=alert(4)>')).to_be_visible()
    circle.click()
    popup = page.locator(".leaflet-popup-content")
    for name in payloads:
        expect(popup.get_by_role("link", name=name, exact=True)).to_be_visible()
    injected = page.locator(".leaflet-popup-content img, .leaflet-tooltip img, .leaflet-popup-content script")
    expect(injected).to_have_count(0)
    assert dialogs == []

"""The site's menu on a phone: folded behind a Menu button that says whether it is open (aria-expanded), opened
and closed with a tap or the keyboard; on a desktop, and without JavaScript, the menu is simply there."""

from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests import factories
from tests.browser.conftest import HOST
from tests.browser.test_login_browser import log_in

PHONE = {"width": 390, "height": 844}


def test_the_menu_folds_on_a_phone_and_opens_with_the_keyboard(app: Flask, live_server: str, page: Page) -> None:
    with app.app_context():
        user = factories.committed(factories.user())
    page.set_viewport_size(PHONE)
    log_in(page, live_server, user.email, factories.PASSWORD)
    menu = page.get_by_role("button", name="Menu")
    people = page.get_by_role("link", name="Osoby", exact=True)
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(people).to_be_hidden()
    assert page.locator(".site-header").bounding_box()["height"] < 70  # a compact header

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(people).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("#site-menu a").first).to_be_focused()  # the first link of the menu comes next
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(people).to_be_hidden()
    page.keyboard.press("Space")
    expect(people).to_be_visible()
    people.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Osoby")
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")

    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Osoby", exact=True)).to_be_visible()


def test_without_javascript_the_menu_is_open_on_a_phone(app: Flask, live_server: str, browser: Browser) -> None:
    with app.app_context():
        user = factories.committed(factories.user())
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, live_server, user.email, factories.PASSWORD)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Osoby", exact=True)).to_be_visible()
    assert all(HOST in url for url in requested)
    context.close()

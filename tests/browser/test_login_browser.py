"""Logging in and out, and switching language, in a real browser."""

import re
from datetime import date

from flask import Flask
from playwright.sync_api import Page, expect

from tests import factories


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url)
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Hasło").fill(password)
    page.get_by_role("button", name="Zaloguj się").click()


def test_log_in_switch_language_and_log_out(app: Flask, live_server: str, page: Page) -> None:
    with app.app_context():
        for _ in range(2):
            factories.organisation(forum_member_since=date(2022, 5, 1))
        for _ in range(5):
            factories.person(forum_member=True)
        user = factories.committed(factories.user())

    log_in(page, live_server, user.email, factories.PASSWORD)
    expect(page).to_have_url(f"{live_server}/")
    stats = page.locator("ul.stats")
    expect(stats).to_contain_text("5 osób")
    expect(stats).to_contain_text("2 organizacje")

    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(stats).to_contain_text("5 people")
    expect(stats).to_contain_text("2 organisations")

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_label("E-mail")).to_be_visible()
    page.goto(live_server)
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))


def test_wrong_password_stays_on_login(app: Flask, live_server: str, page: Page) -> None:
    with app.app_context():
        user = factories.committed(factories.user())

    log_in(page, live_server, user.email, "not the password")
    expect(page.get_by_role("alert")).to_have_text("Nieprawidłowy e-mail lub hasło.")
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_label("E-mail")).to_have_value(user.email)

"""An organisation's editor updates its profile in a real browser; the coordinator sees it in the review feed."""

import re

from flask import Flask
from playwright.sync_api import Browser, Page, expect

from forum_crm.models import Role
from tests import factories


def log_in_in_english(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_role("button", name="English").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/")


def test_editor_updates_the_profile_and_the_coordinator_reviews_it(app: Flask, live_server: str, page: Page,
                                                                     browser: Browser) -> None:
    with app.app_context():
        organisation = factories.organisation("Fundacja Przystań")
        factories.organisation("Fundacja Obca")
        editor = factories.user(Role.ORG_EDITOR, email="redaktorka@example.org", organisation=organisation)
        coordinator = factories.user(Role.COORDINATOR, email="koordynatorka@example.org")
        factories.committed(editor, coordinator)

    log_in_in_english(page, live_server, editor.email)
    expect(page.get_by_role("link", name="Organisations")).to_have_count(0)  # the coordinator's lists
    page.get_by_role("link", name="My organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fundacja Przystań")
    page.get_by_role("link", name="Edit the profile").click()
    expect(page.get_by_label("Forum member since")).to_have_count(0)
    page.get_by_label("Description").fill("Pomagamy rodzinom z Ukrainy w Lublinie.")
    page.get_by_label("Website").fill("https://przystan.example.org")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(f"{live_server}/me/organisation")
    expect(page.get_by_role("status").first).to_contain_text("Saved.")
    page.goto(f"{live_server}/organisations")
    expect(page.get_by_role("heading", level=1)).to_have_text("403")

    coordinator_context = browser.new_context()
    coordinator_page = coordinator_context.new_page()
    log_in_in_english(coordinator_page, live_server, coordinator.email)
    coordinator_page.get_by_role("navigation").get_by_role("link", name=re.compile(r"^Review")).click()
    feed = coordinator_page.locator("ol.changes")
    expect(feed).to_contain_text("redaktorka@example.org")
    expect(feed).to_contain_text("Pomagamy rodzinom z Ukrainy w Lublinie.")
    expect(feed).to_contain_text("https://przystan.example.org")
    coordinator_page.get_by_role("button", name=re.compile("Revert this change")).click()
    expect(coordinator_page.get_by_role("status").first).to_contain_text("Reverted: Fundacja Przystań.")
    coordinator_context.close()

"""Suggestions while typing, in a real browser: "laczy" offers the organisations that match and the one picked
fills the field; a missing institution is created from the partner field after a confirmation."""

import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect

from forum_crm.extensions import db
from forum_crm.models import Organisation, Partnership, Sector
from tests import factories
from tests.browser.test_roles_browser import log_in_in_english


def test_pick_an_organisation_among_the_matches_and_create_a_missing_one(app: Flask, live_server: str,
                                                                         page: Page) -> None:
    with app.app_context():
        factories.organisation("Fundacja Łączy Nas")
        factories.organisation("Stowarzyszenie Łączymy Ludzi")
        person = factories.person("Jan", "Polny")
        edition = factories.edition(3)
        user = factories.user()
        factories.committed(person, edition, user)
        person_id, edition_id = person.id, edition.id
    log_in_in_english(page, live_server, user.email)

    page.goto(f"{live_server}/people/{person_id}")
    field = page.get_by_role("combobox", name="Organisation")
    field.press_sequentially("laczy")
    options = page.get_by_role("option")
    expect(options).to_have_count(3)  # the two matches, and creating "laczy"
    expect(options.nth(0)).to_contain_text("Fundacja Łączy Nas")
    expect(options.nth(1)).to_contain_text("Stowarzyszenie Łączymy Ludzi")
    expect(field).to_have_attribute("aria-expanded", "true")
    field.press("ArrowDown")
    field.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    field.press("Enter")
    expect(field).to_have_value("Stowarzyszenie Łączymy Ludzi")
    expect(field).to_have_attribute("aria-expanded", "false")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("row", name="Stowarzyszenie Łączymy Ludzi")).to_be_visible()

    page.goto(f"{live_server}/editions/{edition_id}")
    partner = page.get_by_role("combobox", name="Organisation")
    partner.press_sequentially("Urząd Miasta Łodzi")
    page.get_by_role("option", name="Create a new organisation: “Urząd Miasta Łodzi”…").click()
    confirmation = page.get_by_role("group").filter(has_text="Create the organisation “Urząd Miasta Łodzi”?")
    expect(confirmation).to_contain_text("It will not be a Forum member")
    confirmation.get_by_role("button", name="Create").click()
    expect(page.locator(".suggest-status")).to_have_text("Choose the sector.")  # nothing created yet
    confirmation.get_by_label("Sector").select_option("local_government")
    confirmation.get_by_role("button", name="Create").click()
    expect(page.locator(".suggest-status")).to_contain_text("Created: Urząd Miasta Łodzi (not a Forum member)")
    expect(partner).to_have_value("Urząd Miasta Łodzi")
    expect(confirmation).to_have_count(0)
    partners = page.get_by_role("region", name="Partners")
    partners.get_by_role("button", name="Add", exact=True).click()
    expect(partners.get_by_role("link", name="Urząd Miasta Łodzi", exact=True)).to_be_visible()
    with app.app_context():
        created = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Urząd Miasta Łodzi"))
        assert created.sector == Sector.LOCAL_GOVERNMENT and created.forum_member_since is None
        assert db.session.scalar(sa.select(Partnership.organisation_id)) == created.id


def test_a_line_of_the_invitation_list_is_completed(app: Flask, live_server: str, page: Page) -> None:
    with app.app_context():
        factories.organisation("Fundacja Łączy Nas")
        factories.organisation("Stowarzyszenie Łączymy Ludzi")
        edition = factories.edition(3)
        user = factories.user()
        factories.committed(edition, user)
        edition_id = edition.id
    log_in_in_english(page, live_server, user.email)
    page.goto(f"{live_server}/editions/{edition_id}/participants")
    lines = page.get_by_label("Organisations", exact=True)
    lines.fill("Fundacja Łączy Nas\n")
    lines.press("End")
    lines.press_sequentially("laczymy")
    suggested = page.get_by_role("listbox").get_by_role("option")
    expect(suggested).to_have_count(1)
    suggested.get_by_text("Stowarzyszenie Łączymy Ludzi").click()
    expect(lines).to_have_value("Fundacja Łączy Nas\nStowarzyszenie Łączymy Ludzi")

"""A member downloads everything the Forum holds about them from their profile, in a real browser."""

import json
import zipfile

from flask import Flask
from playwright.sync_api import Page, expect

from forum_crm.models import Role
from tests import factories
from tests.browser.test_login_browser import log_in


def test_a_member_downloads_their_data_from_me(app: Flask, live_server: str, page: Page, tmp_path) -> None:
    with app.app_context():
        person = factories.person("Ołena", "Szewczenko", email="olena@example.org", expertise="prawo migracyjne")
        factories.affiliation(person, factories.organisation("Fundacja Przystań"), role_title="prawniczka")
        account = factories.committed(factories.user(Role.MEMBER, email="olena@example.org", person=person))
        person_id = account.person_id
    log_in(page, live_server, account.email, factories.PASSWORD)

    page.get_by_title("Mój profil").click()
    expect(page.get_by_role("heading", name="Historia moich zgód")).to_be_visible()
    page.get_by_role("link", name="Pobierz moje dane").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moje dane")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Pobierz moje dane (ZIP)").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"forum-crm-data-{person_id}-")
    target = tmp_path / download.suggested_filename
    download.save_as(target)

    with zipfile.ZipFile(target) as bundle:
        data = json.loads(bundle.read("data.json"))
        html = bundle.read("dane.html").decode()
    assert data["profile"][0]["expertise"] == "prawo migracyjne"
    assert data["affiliations"][0]["organisation"] == "Fundacja Przystań"
    assert "Twoje dane w forum-crm" in html and "prawniczka" in html

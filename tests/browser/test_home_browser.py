"""The home of each role and the review feed's states, in Chromium (issue 16). With UPDATE_SCREENSHOTS=1 the
coordinator's home is also saved as docs/screenshots/home-coordinator.png for the README:

    UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest -p no:cacheprovider tests/browser/test_home_browser.py
"""

import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect

from forum_crm.extensions import db
from forum_crm.models import ChangeLogEntry, MessageKind, OutboxMessage, OutboxState, ParticipationStatus, Role
from tests import factories
from tests.browser.test_login_browser import log_in

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "home-coordinator.png"
DESKTOP = {"width": 1280, "height": 900}
TODAY = date.today()


def a_working_day(app: Flask) -> dict:
    """A network on a working day: the next edition in 9 days, changes to review, stale profiles, a duplicate,
    an import and some e-mails; an editor, a member and the coordinator."""
    app.extensions.pop("forum_crm.duplicate_counts", None)
    with app.app_context():
        lublin = factories.locality()
        warszawa = factories.locality("Warszawa", "mazowieckie", 52.23, 21.01)
        factories.edition(3, start=date(2023, 11, 30), end=date(2023, 12, 1), locality=warszawa)
        edition = factories.edition(4, start=TODAY + timedelta(days=9), end=TODAY + timedelta(days=10),
                                    locality=lublin, theme="Integracja na poziomie lokalnym")
        old = datetime.now(UTC) - timedelta(days=500)
        organisations = [factories.organisation(name, locality=town, forum_member_since=date(2023, 5, 18),
                                                profile_confirmed_at=confirmed)
                         for name, town, confirmed in (
                             ("Stowarzyszenie Homo Faber", lublin, datetime.now(UTC)),
                             ("Fundacja Ocalenie", warszawa, old), ("Fundacja Łąka", lublin, old),
                             ("Stowarzyszenie Nomada", None, datetime.now(UTC)))]
        names = [("Anna", "Lis"), ("Piotr", "Sowa"), ("Zofia", "Zając"), ("Łukasz", "Łęcki"), ("Żaneta", "Ślęzak"),
                 ("Olena", "Szewczenko"), ("Mariam", "Hassan")]
        for number, (first_name, last_name) in enumerate(names):
            status = [ParticipationStatus.INVITED, ParticipationStatus.REGISTERED][number % 2]
            person = factories.person(first_name, last_name, forum_member=True)
            factories.affiliation(person, organisations[number % 3])
            factories.participation(edition, person, status=status, organisation=organisations[number % 3])
        organisations[2].phone, organisations[2].website = "+48 81 532 00 00", "https://laka.example.org"
        factories.person("Jan", "Kowalski", phone="+48 600 100 200")
        factories.person("Janek", "Kowalski", phone="600 100 200")
        editor = factories.user(Role.ORG_EDITOR, email="redaktorka@example.org", organisation=organisations[2])
        member = factories.user(Role.MEMBER, email="czlonkini@example.org")
        coordinator = factories.user(Role.COORDINATOR, email="koordynatorka@example.org")
        factories.committed(edition, editor, member, coordinator)
        for field, value in (("phone", "+48 81 532 00 00"), ("website", "https://laka.example.org")):
            db.session.add(ChangeLogEntry(entity_type="organisation", entity_id=organisations[2].id,
                                          entity_label="Fundacja Łąka", action="updated", user_id=editor.id,
                                          changes={field: [None, value]}, review_state="to_review"))
        db.session.add(ChangeLogEntry(entity_type="person", entity_id=1, entity_label="Olena Szewczenko",
                                      action="imported", changes={"first_name": [None, "Olena"]}))
        for recipient, subject, state in (("anna@example.org", "Zaproszenie do forum-crm", OutboxState.SENT),
                                          ("piotr@example.org", "Przypomnienie o profilu", OutboxState.QUEUED)):
            db.session.add(OutboxMessage(recipient=recipient, subject=subject, text_body="…", html_body="<p>…</p>",
                                         kind=MessageKind.INVITATION, state=state, language="pl",
                                         message_id=f"<{recipient}@forum-crm.test>"))
        db.session.commit()
        return {"edition": edition.id, "laka": organisations[2].id}


def test_the_coordinator_starts_the_day_on_the_home_and_empties_the_review_feed(app: Flask, live_server: str,
                                                                                page: Page) -> None:
    day = a_working_day(app)
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, "koordynatorka@example.org", factories.PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dziś")
    next_edition = page.get_by_role("region", name="Najbliższa edycja")
    expect(next_edition).to_contain_text("IV Forum")
    expect(next_edition).to_contain_text("Za 9 dni")
    expect(next_edition).to_contain_text("Zaproszeni 4")
    expect(next_edition).to_contain_text("Zarejestrowani 3")
    expect(page.get_by_role("region", name="Profile do potwierdzenia")).to_contain_text("2 organizacje")
    expect(page.get_by_role("region", name="Prawdopodobne duplikaty")).to_contain_text("1 para osób")
    expect(page.get_by_role("region", name="E-maile")).to_contain_text("Zaproszenie do forum-crm")
    expect(page.get_by_role("link", name=re.compile(r"^Do przejrzenia 2"))).to_be_visible()
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    next_edition.get_by_role("link", name="Uczestnicy").click()
    expect(page).to_have_url(f"{live_server}/editions/{day['edition']}/participants")
    page.go_back()
    page.get_by_role("region", name="Zmiany do przejrzenia").get_by_role("link", name="Przejrzyj je").click()
    expect(page).to_have_url(f"{live_server}/changes/review")
    feed = page.locator("ol.changes > li")
    expect(feed).to_have_count(2)
    feed.filter(has_text="laka.example.org").get_by_role("button", name=re.compile("Zaakceptuj")).click()
    expect(page.get_by_role("status").first).to_contain_text("Zaakceptowano: Fundacja Łąka.")
    expect(feed).to_have_count(1)
    expect(page.get_by_role("link", name=re.compile(r"^Do przejrzenia 1"))).to_be_visible()
    feed.get_by_role("button", name=re.compile("Cofnij tę zmianę")).click()
    expect(page.locator("p.empty")).to_have_text("Nic nie czeka na przejrzenie.")
    expect(page.get_by_role("link", name="Do przejrzenia", exact=True)).to_be_visible()  # no count left

    page.get_by_label("Pokaż").select_option("all")
    page.get_by_role("button", name="Pokaż", exact=True).click()
    expect(feed).to_have_count(2)  # the revert itself is the coordinator's own change: not for review
    accepted, reverted = feed.filter(has_text="laka.example.org"), feed.filter(has_text="+48 81 532 00 00")
    expect(accepted).to_contain_text("Zaakceptowane: koordynatorka@example.org")
    expect(accepted.get_by_role("button", name=re.compile("Cofnij tę zmianę"))).to_be_visible()
    expect(reverted).to_contain_text("Cofnięte: koordynatorka@example.org")
    expect(reverted.get_by_role("button")).to_have_count(0)


def test_the_editor_s_home_shows_the_profile_s_state_and_people(app: Flask, live_server: str, page: Page) -> None:
    a_working_day(app)
    log_in(page, live_server, "redaktorka@example.org", factories.PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Fundacja Łąka")
    profile = page.get_by_role("region", name="Profil Twojej organizacji")
    expect(profile).to_contain_text("Profil niepotwierdzony od ponad roku.")
    expect(profile).to_contain_text("Brakuje: Skrót")
    people = page.get_by_role("region", name="Twoi ludzie")
    expect(people.get_by_role("listitem")).to_have_count(2)
    expect(people).to_contain_text("Zofia Zając")
    profile.get_by_role("link", name="Sprawdź i potwierdź profil").click()
    page.get_by_label("Opis").fill("Pomagamy rodzinom w Lublinie.")
    page.get_by_role("button", name="Zapisz i potwierdź, że profil jest aktualny").click()
    expect(page).to_have_url(f"{live_server}/me/organisation")
    expect(page.locator(".profile")).to_contain_text("Pomagamy rodzinom w Lublinie.")
    page.goto(live_server)
    expect(page.get_by_role("region", name="Profil Twojej organizacji")).not_to_contain_text("ponad roku")


def test_the_member_s_home_shows_upcoming_editions_and_the_map(app: Flask, live_server: str, page: Page) -> None:
    a_working_day(app)
    log_in(page, live_server, "czlonkini@example.org", factories.PASSWORD)
    upcoming = page.get_by_role("region", name="Najbliższe edycje")
    expect(upcoming.get_by_role("listitem")).to_have_count(1)
    expect(upcoming).to_contain_text("Integracja na poziomie lokalnym")
    expect(page.get_by_role("region", name="Zmiany do przejrzenia")).to_have_count(0)
    page.get_by_text("Dlaczego raport podaje 19?").click()
    expect(page.locator(".towns-note")).to_contain_text("wymienia tylko 18")
    page.get_by_role("link", name="Otwórz mapę").click()
    expect(page).to_have_url(f"{live_server}/map")

"""A person answers an invitation on a phone (390x844): opens the personal link, says they are coming, picks a
day and a night, types their diet, agrees to photographs, sends; the page confirms and the answers are stored."""

from datetime import date, timedelta

from flask import Flask
from playwright.sync_api import Page, expect

from forum_crm.extensions import db
from forum_crm.models import ChoiceKind, EditionRegistration, Participation, ParticipationStatus, Registration
from forum_crm.registration.services import ensure_registration
from forum_crm.registration.tokens import personal_token
from tests import factories

PHONE = {"width": 390, "height": 844}


def test_answering_an_invitation_on_a_phone(app: Flask, live_server: str, page: Page) -> None:
    start = date.today() + timedelta(days=14)
    end = start + timedelta(days=1)
    with app.test_request_context():
        edition = factories.edition(4, start, end, venue="Centrum Społeczne", locality=factories.locality())
        db.session.add(EditionRegistration(edition=edition, opens_on=date.today(), closes_on=start, capacity=30,
                                           free_question="Który warsztat wybierasz?", reminder_days=3))
        participation = factories.participation(edition, factories.person("Żaneta", "Ślęzak",
                                                                           email="zaneta@example.org"))
        token = personal_token(ensure_registration(participation))
        db.session.commit()
        participation_id = participation.id
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/registration/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zapisy na IV Forum")
    expect(page.get_by_text("Dzień dobry, Żaneta!")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_label("Tak, przyjadę").check()
    second_day = page.get_by_role("group", name="Jeśli przyjedziesz").get_by_role("checkbox").nth(1)
    second_day.uncheck()  # both days are ticked to start with: only the first
    page.locator("input[name=nights]").first.check()
    page.get_by_label("Skąd przyjeżdżasz (miejscowość)").fill("Przemyśl")
    page.get_by_label("Dieta").fill("wegetariańska")
    page.get_by_label("Zgadzam się na fotografowanie").check()
    page.get_by_label("Który warsztat wybierasz?").fill("Prawo pracy")
    send = page.get_by_role("button", name="Wyślij odpowiedź")
    box = send.bounding_box()
    assert box["height"] >= 40 and box["x"] + box["width"] <= PHONE["width"]
    send.click()

    expect(page.get_by_role("status").first).to_contain_text("Zapis przyjęty")
    expect(page.get_by_text("Jesteś zapisana/y.")).to_be_visible()
    expect(page.get_by_label("Dieta")).to_have_value("wegetariańska")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with app.app_context():
        participation = db.session.get(Participation, participation_id)
        registration: Registration = participation.registration
        assert participation.status == ParticipationStatus.REGISTERED
        assert registration.chosen(ChoiceKind.DAY) == [start]
        assert registration.chosen(ChoiceKind.NIGHT) == [start - timedelta(days=1)]
        assert (registration.travel_from, registration.dietary_needs, participation.person.photo_consent_at is not None,
                registration.free_answer) == ("Przemyśl", "wegetariańska", True, "Prawo pracy")

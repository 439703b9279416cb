"""The public map in Chromium, inside an iframe of another site: shown where FORUM_CRM_EMBED_ORIGINS allows it,
refused by the browser elsewhere; a town's circle opens the organisation's public profile."""

import threading
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from forum_crm.models import Voivodeship
from tests import factories
from tests.browser.conftest import HOST


@pytest.fixture
def other_site(live_server: str) -> Iterator[str]:
    """Another origin (another port) whose page embeds the public map in an iframe."""

    def embedding_page(environ, start_response):
        html = (f'<!doctype html><title>Konsorcjum</title><h1>Strona konsorcjum</h1>'
                f'<iframe id="forum" src="{live_server}/public/map?lang=pl" width="800" height="600"></iframe>')
        return Response(html, mimetype="text/html")(environ, start_response)

    server = make_server(HOST, 0, embedding_page, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{HOST}:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def public_network(app: Flask) -> int:
    with app.app_context():
        lublin = factories.locality("Lublin", Voivodeship.LUBELSKIE, 51.25, 22.57)
        shown = factories.organisation("Fundacja Jawna", locality=lublin, forum_member_since=date(2023, 5, 18),
                                       public_since=factories.datetime_now(), public_town=True)
        factories.organisation("Fundacja Ukryta", locality=lublin, forum_member_since=date(2023, 5, 18))
        factories.person("Zofia", "Tajemnicka", locality=lublin, map_consent_at=factories.datetime_now())
        factories.committed(shown)
        return lublin.id


def test_an_allowed_site_embeds_the_public_map(app: Flask, other_site: str, public_network: int, page: Page,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "EMBED_ORIGINS", (other_site,))
    page.goto(other_site)
    frame = page.frame_locator("#forum")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Mapa organizacji Forum")
    overlay = frame.locator(".leaflet-overlay-pane")
    expect(overlay.locator("path.map-organisations")).to_have_count(1)
    expect(overlay.locator("path.map-people")).to_have_count(0)
    frame.locator(f"path.map-organisations.town-{public_network}").click()
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Fundacja Jawna")
    expect(popup).not_to_contain_text("Fundacja Ukryta")
    popup.get_by_role("link", name="Fundacja Jawna").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Fundacja Jawna")


def test_another_site_cannot_embed_it(app: Flask, other_site: str, public_network: int, page: Page,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "EMBED_ORIGINS", ("https://konsorcjum.example.org",))
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "frame-ancestors" in message.text else None)
    page.goto(other_site)
    expect(page.get_by_role("heading", level=1)).to_have_text("Strona konsorcjum")
    page.wait_for_timeout(500)
    assert page.frame_locator("#forum").get_by_role("heading", level=1).count() == 0
    assert refused, "Chromium did not report the frame-ancestors refusal"

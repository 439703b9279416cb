"""The public pages and the API: only organisations that opted in, only the fields they published, nothing about
people; embeddable only by the configured sites; cacheable; rate limited."""

import json
from datetime import date

import pytest

from forum_crm.extensions import db
from forum_crm.models import AreaOfWork, ChangeLogEntry, Organisation, OrganisationLanguage, Origin, Role, Voivodeship
from tests import factories
from tests.conftest import csrf_token
from tests.test_map import by_title, map_data, map_layers

HOSTILE = '<script>alert("x")</script> & "Łódź" </script><img src=x onerror=alert(1)>'
MEMBER_SINCE = date(2023, 5, 18)
SECRETS = ("Zofia", "Tajemnicka", "zofia@example.org", "600 700 800", "Koordynatorka", "0000123456", "tajny opis",
           "biuro@tajne.example.org", "+48 22 111 22 33")


@pytest.fixture
def network(app):
    """Lublin: one organisation showing everything, one showing only its website, one not shown at all, one
    demo organisation shown, one shown but no longer a member; a person at the first, on the map."""
    with app.app_context():
        lublin = factories.locality()
        everything = factories.organisation(
            "Fundacja Jawna", short_name="FJ", locality=lublin, forum_member_since=MEMBER_SINCE,
            public_since=factories.datetime_now(), public_town=True, public_areas=True, public_languages=True,
            public_website=True, website="https://jawna.example.org", public_email="kontakt@jawna.example.org",
            email="biuro@tajne.example.org", phone="+48 22 111 22 33", krs="0000123456", description="tajny opis")
        everything.areas.append(AreaOfWork(name="pomoc prawna"))
        everything.languages.append(OrganisationLanguage(code="uk"))
        factories.organisation("Stowarzyszenie Skromne", locality=lublin, forum_member_since=MEMBER_SINCE,
                               public_since=factories.datetime_now(), public_website=True,
                               website="https://skromne.example.org")
        factories.organisation("Fundacja Ukryta", locality=lublin, forum_member_since=MEMBER_SINCE)
        factories.organisation("Fundacja Demo", locality=lublin, forum_member_since=MEMBER_SINCE, origin=Origin.DEMO,
                               public_since=factories.datetime_now(), public_town=True)
        factories.organisation("Fundacja Była", locality=lublin, public_since=factories.datetime_now(),
                               public_town=True)
        zofia = factories.person("Zofia", "Tajemnicka", email="zofia@example.org", phone="600 700 800",
                                 locality=lublin, map_consent_at=factories.datetime_now(),
                                 directory_consent_at=factories.datetime_now())
        factories.affiliation(zofia, everything, role_title="Koordynatorka")
        db.session.commit()
        return {"everything": everything.id}


def public_pages(client) -> dict[str, str]:
    return {url: client.get(url).get_data(as_text=True) for url in (
        "/public/organisations", "/public/map", "/public/map.js", "/api/v1/organisations", "/api/v1/editions",
        "/public/editions.ics")}


def test_only_organisations_that_opted_in_and_are_members_appear(client, network):
    pages = public_pages(client)
    for url, text in pages.items():
        for hidden in ("Fundacja Ukryta", "Fundacja Demo", "Fundacja Była"):
            assert hidden not in text, (url, hidden)
    assert "Fundacja Jawna" in pages["/public/organisations"] and "Stowarzyszenie Skromne" in pages[
        "/public/organisations"]
    names = [item["name"] for item in json.loads(pages["/api/v1/organisations"])["items"]]
    assert names == ["Fundacja Jawna", "Stowarzyszenie Skromne"]


def test_nothing_about_people_and_no_field_that_was_not_published(client, network):
    for url, text in public_pages(client).items():
        for secret in SECRETS:
            assert secret not in text, (url, secret)
    items = {item["name"]: item for item in client.get("/api/v1/organisations").json["items"]}
    assert items["Fundacja Jawna"] == {
        "id": network["everything"], "name": "Fundacja Jawna", "short_name": "FJ", "town": "Lublin",
        "voivodeship": "lubelskie", "areas": ["pomoc prawna"], "languages": ["uk"],
        "website": "https://jawna.example.org", "email": "kontakt@jawna.example.org"}
    assert set(items["Stowarzyszenie Skromne"]) == {"id", "name", "website"}
    skromne = client.get(f"/public/organisations/{items['Stowarzyszenie Skromne']['id']}").text
    assert "Lublin" not in skromne.split("<main")[1] and "skromne.example.org" in skromne


def test_the_map_shows_organisations_by_town_and_no_people(client, network):
    page = client.get("/public/map").text
    layers = map_layers(page)
    assert set(layers) == {"regions", "organisations"}
    lublin = by_title(layers["organisations"])["Lublin"]
    assert [item[0] for item in lublin["items"]] == ["Fundacja Jawna"]  # Skromne does not publish its town
    assert lublin["lines"] == ["1 organizacja"] and lublin["after"] == []
    drawn = json.dumps(map_data(page), ensure_ascii=False) + client.get("/public/map.js").text
    assert not any(word in drawn for word in ("people", "person", "osób", "osoby", "osoba", "map-people"))
    assert map_data(page)["organisationUrl"] == "/public/organisations/{id}?lang=pl"
    # Coverage counts the same organisations, summed from the towns or (with a voivodeship chosen) nationally.
    for query in ("", "?voivodeship=opolskie"):
        regions = by_title(map_layers(client.get(f"/public/map{query}").text)["regions"])
        assert regions["lubelskie"]["lines"] == ["1 organizacja"] and regions["opolskie"]["lines"] == ["0 organizacji"]


def test_filters_see_only_published_fields(client, network, app):
    with app.app_context():
        area_id = db.session.scalar(db.select(AreaOfWork.id))
        skromne = db.session.scalar(db.select(Organisation).where(Organisation.name == "Stowarzyszenie Skromne"))
        skromne.areas.append(db.session.get(AreaOfWork, area_id))  # works in legal aid, but does not say so
        db.session.commit()
    by_area = client.get(f"/public/organisations?area={area_id}").text
    assert "Fundacja Jawna" in by_area and "Stowarzyszenie Skromne" not in by_area
    by_voivodeship = client.get("/api/v1/organisations?voivodeship=lubelskie").json["items"]
    assert [item["name"] for item in by_voivodeship] == ["Fundacja Jawna"]
    assert [item["name"] for item in client.get("/api/v1/organisations?q=skromn").json["items"]] == [
        "Stowarzyszenie Skromne"]
    assert client.get("/api/v1/organisations?voivodeship=atlantyda").status_code == 400


def test_hostile_names_are_text(client, app):
    with app.app_context():
        town = factories.locality(HOSTILE[:100], Voivodeship.LODZKIE, 51.77, 19.47)
        factories.organisation(HOSTILE, locality=town, forum_member_since=MEMBER_SINCE,
                               public_since=factories.datetime_now(), public_town=True, public_website=True,
                               website="javascript:alert(1)")
        db.session.commit()
    listing = client.get("/public/organisations").text
    assert "<script>alert" not in listing and "onerror=alert" not in listing.replace("onerror=alert(1)&gt;", "")
    assert 'href="javascript:' not in listing
    page = client.get("/public/map").text
    assert by_title(map_layers(page)["organisations"])[HOSTILE[:100]]["items"][0][0] == HOSTILE
    assert client.get("/api/v1/organisations").json["items"][0]["name"] == HOSTILE


def test_pages_set_no_cookie_and_answer_304_when_unchanged(client, network):
    for url in ("/public/organisations", "/public/map", "/public/map.js", "/api/v1/organisations"):
        response = client.get(url)
        assert "Set-Cookie" not in response.headers and "public" in response.headers["Cache-Control"], url
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304, url
    assert "Fundacja Jawna" in client.get("/public/organisations?lang=en").text
    assert "Organisations of the Forum" in client.get("/public/organisations?lang=en").text
    assert "Organizacje Forum" in client.get("/public/organisations").text


def test_only_the_configured_sites_may_embed_the_public_pages(client, network, app, monkeypatch):
    assert "frame-ancestors 'none'" in client.get("/public/map").headers["Content-Security-Policy"]
    monkeypatch.setitem(app.config, "EMBED_ORIGINS", ("https://konsorcjum.example.org",))
    for url in ("/public/map", "/public/organisations"):
        response = client.get(url)
        assert "frame-ancestors https://konsorcjum.example.org" in response.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in response.headers
    other = client.get("/login")
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    assert other.headers["X-Frame-Options"] == "DENY"
    api = client.get("/api/v1/editions", headers={"Origin": "https://konsorcjum.example.org"})
    assert api.headers["Access-Control-Allow-Origin"] == "https://konsorcjum.example.org"
    stranger = client.get("/api/v1/editions", headers={"Origin": "https://evil.example.org"})
    assert "Access-Control-Allow-Origin" not in stranger.headers and "Origin" in stranger.headers["Vary"]


def test_a_flood_gets_429_with_retry_after(client, network, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_RATE_LIMIT", 3)
    statuses = [client.get("/api/v1/editions").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/public/organisations")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert client.get("/login").status_code == 200  # the rest of the site is not limited by it


def test_the_api_pages_and_matches_its_openapi_description(client, app):
    with app.app_context():
        for number in range(3):
            factories.organisation(f"Organizacja {number}", forum_member_since=MEMBER_SINCE,
                                   public_since=factories.datetime_now())
        factories.edition(1, is_public=True, theme="Razem")
        factories.edition(2)
        db.session.commit()
    first = client.get("/api/v1/organisations?per_page=2").json
    assert [item["name"] for item in first["items"]] == ["Organizacja 0", "Organizacja 1"]
    second = client.get(first["next"]).json
    assert [item["name"] for item in second["items"]] == ["Organizacja 2"] and second["next"] is None
    description = client.get("/api/v1/openapi.json").json
    served = {rule.rule.removeprefix("/api/v1") for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json")}
    assert served == set(description["paths"])
    schemas = description["components"]["schemas"]
    editions = client.get("/api/v1/editions").json["items"]
    assert editions == [{"number": 1, "name": "I Forum", "start_date": "2023-05-18", "end_date": "2023-05-19",
                         "town": None, "theme": "Razem"}]
    assert set(editions[0]) == set(schemas["Edition"]["required"])
    assert all(set(item) <= set(schemas["Organisation"]["properties"]) for item in first["items"])


def test_an_editor_chooses_what_is_shown_and_the_choice_is_dated_and_logged(client, login, app):
    with app.app_context():
        organisation = factories.organisation("Fundacja Edytora", forum_member_since=MEMBER_SINCE)
        editor = factories.committed(factories.user(Role.ORG_EDITOR, organisation=organisation))
        organisation_id, version = organisation.id, organisation.version
    login(editor)
    url = f"/organisations/{organisation_id}/public"
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "version": version, "shown": "y", "public_website": "y",
                                      "public_email": "nie-adres"})
    assert response.status_code == 422 and "Nieprawidłowy adres e-mail." in response.text
    response = client.post(url, data={"csrf_token": token, "version": version, "shown": "y", "public_website": "y",
                                      "public_email": "kontakt@edytor.example.org"})
    assert response.status_code == 302
    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        assert organisation.is_public and organisation.public_website and not organisation.public_town
        entry = db.session.scalars(db.select(ChangeLogEntry).where(ChangeLogEntry.entity_id == organisation_id)
                                   .order_by(ChangeLogEntry.id.desc())).first()
        assert set(entry.changes) >= {"public_since", "public_website", "public_email"}
        version = organisation.version
    assert "Fundacja Edytora" in client.get("/public/organisations").text
    client.post(url, data={"csrf_token": token, "version": version})
    with app.app_context():
        assert db.session.get(Organisation, organisation_id).public_since is None
    assert "Fundacja Edytora" not in client.get("/public/organisations").text

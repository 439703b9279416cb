"""The member map: one circle per town, privacy of people, escaping, no other hosts, cache, filters, coverage."""

import json
import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from forum_crm.config import map_tiles
from forum_crm.extensions import db
from forum_crm.mapping import frame, maps, routes
from forum_crm.mapping.maps import MIN_RADIUS, OUTLINES_FILE
from forum_crm.models import AreaOfWork, Locality, ParticipationStatus, Role, Sector, Voivodeship
from tests import factories
from tests.conftest import csrf_token

CONSENT = datetime(2023, 5, 18, tzinfo=UTC)
MEMBER_SINCE = date(2023, 5, 18)
PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "${alert(1)}`\\")
CREDIT_HOSTS = {"www.geonames.org", "creativecommons.org", "www.naturalearthdata.com"}


@pytest.fixture
def as_role(app):
    """as_role(role): a new test client logged in with that role, in English."""

    def log_in(role: Role) -> FlaskClient:
        with app.app_context():
            values = {"organisation": factories.organisation()} if role == Role.ORG_EDITOR else {}
            email = factories.committed(factories.user(role, **values)).email
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": factories.PASSWORD,
                                               "csrf_token": csrf_token(client, "/login")})
        assert response.status_code == 302
        with client.session_transaction() as session:
            session["lang"] = "en"
        return client

    return log_in


def town(name="Lublin", voivodeship=Voivodeship.LUBELSKIE, latitude=51.25, longitude=22.57):
    return factories.locality(name, voivodeship, latitude, longitude)


def member_organisation(name, locality, **values):
    return factories.organisation(name, locality=locality, forum_member_since=MEMBER_SINCE, **values)


def consenting_people(locality, count, **values):
    return [factories.person(locality=locality, map_consent_at=CONSENT, **values) for _ in range(count)]


def map_data(page: str) -> dict:
    """The JSON block the map's layers are drawn from."""
    block = re.search(r'<script type="application/json" id="forum-crm-map-data">(.*?)</script>', page,
                      re.DOTALL).group(1)
    assert "<" not in block  # written as \u003c: no name can close the element
    return json.loads(block)


def map_layers(page: str) -> dict[str, list[dict]]:
    """The circles of each layer of the page's map (and the outlines' properties, as "regions")."""
    layers = map_data(page)["layers"]
    return {**layers, "regions": [feature["properties"] for feature in layers["regions"]["features"]]}


def by_title(circles: list[dict]) -> dict[str, dict]:
    return {circle["title"]: circle for circle in circles}


@pytest.fixture
def network(app):
    """Lublin: 3 member organisations (and one that is not a member, one archived), 4 consenting people
    and 3 who must not count; Kraków: 1 member organisation, 2 consenting people; Kamionka: no coordinates."""
    with app.app_context():
        lublin, krakow = town(), town("Kraków", Voivodeship.MALOPOLSKIE, 50.06, 19.94)
        kamionka = factories.locality("Kamionka", None, None, None)
        for name in ("Fundacja Lubelska", "Stowarzyszenie Wschód", "Centrum Pomocy"):
            member_organisation(name, lublin)
        factories.organisation("Nie Członek", locality=lublin)
        member_organisation("Zarchiwizowana", lublin, archived_at=CONSENT)
        member_organisation("Fundacja Krakowska", krakow, sector=Sector.UNIVERSITY)
        member_organisation("Fundacja z Kamionki", kamionka)
        consenting_people(lublin, 4)
        factories.person(locality=lublin)  # no consent
        factories.person(locality=lublin, map_consent_at=CONSENT, archived_at=CONSENT)
        factories.person(locality=lublin, map_consent_at=CONSENT, anonymised_at=CONSENT)
        consenting_people(krakow, 2)
        db.session.commit()


def test_one_circle_per_town_sized_by_its_member_organisations(network, as_role):
    client = as_role(Role.COORDINATOR)
    layers = map_layers(client.get("/map").text)
    towns = by_title(layers["organisations"])
    assert set(towns) == {"Lublin", "Kraków"}  # Kamionka has no coordinates
    assert [name for name, _id in towns["Lublin"]["items"]] == [
        "Centrum Pomocy", "Fundacja Lubelska", "Stowarzyszenie Wschód"]
    assert towns["Lublin"]["lines"] == ["3 organisations"]
    assert towns["Lublin"]["radius"] > towns["Kraków"]["radius"]
    assert towns["Lublin"]["at"] == [51.25, 22.57]


def test_coordinator_sees_exact_counts_and_links(network, as_role):
    client = as_role(Role.COORDINATOR)
    page = client.get("/map").text
    people = by_title(map_layers(page)["people"])
    assert people["Lublin"]["lines"] == ["4 people"] and people["Kraków"]["lines"] == ["2 people"]
    assert map_data(page)["organisationUrl"] == "/organisations/{id}"
    assert all(isinstance(id_, int) for _name, id_ in by_title(map_layers(page)["organisations"])["Lublin"]["items"])
    assert "Not on the map" in page and "Kamionka" in page


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ORG_EDITOR])
def test_others_see_small_counts_as_fewer_than_3_and_links_to_the_members_directory(network, as_role, role):
    client = as_role(role)
    page = client.get("/map").text
    layers = map_layers(page)
    people = by_title(layers["people"])
    assert people["Lublin"]["lines"] == ["4 people"]
    assert people["Kraków"]["lines"] == ["fewer than 3 people"]
    assert people["Kraków"]["radius"] == MIN_RADIUS  # the size does not tell 1 from 2
    organisations = by_title(layers["organisations"])
    assert organisations["Kraków"]["after"] == ["fewer than 3 people"]
    assert map_data(page)["organisationUrl"] == "/directory/organisations/{id}"
    for _name, id_ in organisations["Lublin"]["items"]:
        assert client.get(f"/directory/organisations/{id_}").status_code == 200
    assert "2 people" not in page and "Not on the map" not in page and "People on the map" not in page


def test_no_persons_name_address_or_position_reaches_the_page(app, as_role):
    with app.app_context():
        factories.person("Zofia", "Tajemnicza", email="zofia.tajemnicza@example.org", phone="+48 600 100 200",
                         locality=town(), map_consent_at=CONSENT, expertise="Ulica Sekretna 7")
        db.session.commit()
    for role in (Role.MEMBER, Role.COORDINATOR):
        client = as_role(role)
        page = client.get("/map").text
        assert "Lublin" in page
        for secret in ("Zofia", "Tajemnicza", "zofia.tajemnicza", "600 100 200", "Sekretna"):
            assert secret not in page


@pytest.mark.parametrize("payload", PAYLOADS)
def test_names_are_escaped_in_popups_and_tooltips(app, as_role, payload):
    with app.app_context():
        place = factories.locality(payload, Voivodeship.OPOLSKIE, 50.67, 17.93)
        member_organisation(payload, place)
        db.session.commit()
    client = as_role(Role.COORDINATOR)
    page = client.get("/map").text
    script = page[page.rindex("<script"):]
    # The data survives as text, in a JSON block that no name can leave (map_data checks for "<")...
    circle = map_layers(page)["organisations"][0]
    assert circle["title"] == payload and circle["items"][0][0] == payload
    # ...and appears nowhere else: not as markup, not in the map's JavaScript.
    assert "<img" not in page and "<script>alert" not in page and "${alert" not in script
    assert page.count("</script>") == page.count("<script")
    maps_js = (OUTLINES_FILE.parents[1] / "js" / "map.js").read_text()
    assert "textContent" in maps_js and "innerHTML" not in maps_js


def absolute_urls(page: str) -> list[tuple[str, str]]:
    """(how it is used, URL) for every http(s) URL in the page: an attribute, url(...), or a string."""
    found = [(kind, url) for kind, url in re.findall(r'\b(src|href|action|srcset|data)="(https?://[^"]+)"', page)]
    found += [("css", url) for url in re.findall(r"url\(\s*['\"]?(https?://[^'\")]+)", page)]
    found += [("script", url) for url in re.findall(r'"(https?://[^"]+)"', page[page.index("<script type="):])]
    return found


def test_nothing_is_loaded_from_another_host_without_tiles(network, as_role):
    client = as_role(Role.MEMBER)
    urls = absolute_urls(client.get("/map").text)
    assert {urlsplit(url).hostname for _kind, url in urls} <= CREDIT_HOSTS
    assert {kind for kind, _url in urls} == {"href"}  # links to the credits only; nothing is loaded


def test_only_the_configured_tile_server_is_used(app, network, as_role, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_TILES", "https://tiles.example.org/{z}/{x}/{y}.png|© Example tiles")
    client = as_role(Role.MEMBER)
    page = client.get("/map").text
    urls = absolute_urls(page)
    assert ("script", "https://tiles.example.org/{z}/{x}/{y}.png") in urls
    assert {urlsplit(url).hostname for _kind, url in urls} <= CREDIT_HOSTS | {"tiles.example.org"}
    assert "Example tiles" in page


def test_map_tiles_setting(monkeypatch):
    monkeypatch.delenv("MAP_TILES", raising=False)
    assert map_tiles() == "none"
    monkeypatch.setenv("MAP_TILES", " https://t.example.org/{z}/{x}/{y}.png | © T ")
    assert map_tiles() == "https://t.example.org/{z}/{x}/{y}.png|© T"
    for wrong in ("https://t.example.org/{z}/{x}/{y}.png", "javascript:alert(1)|x", "https://t.example.org/a.png|x"):
        monkeypatch.setenv("MAP_TILES", wrong)
        with pytest.raises(RuntimeError, match="MAP_TILES"):
            map_tiles()


@pytest.fixture
def builds(monkeypatch):
    """How many times the map was built (not served from the cache)."""
    calls = []
    real = routes.build_map
    monkeypatch.setattr(routes, "build_map", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    return calls


def test_repeated_views_come_from_the_cache_until_the_data_changes(app, network, as_role, builds):
    client = as_role(Role.COORDINATOR)
    first = client.get("/map").text
    assert map_layers(client.get("/map").text) == map_layers(first) and len(builds) == 1
    client.get("/map?sector=university")
    assert len(builds) == 2  # other filters: another entry

    with app.app_context():
        member_organisation("Fundacja Gdańska", town("Gdańsk", Voivodeship.POMORSKIE, 54.35, 18.65))
        db.session.commit()
    assert "Gdańsk" in by_title(map_layers(client.get("/map").text)["organisations"])
    assert len(builds) == 3


def test_the_cache_notices_edits_that_change_no_row_count(app, network, as_role, builds):
    client = as_role(Role.COORDINATOR)
    client.get("/map")
    with app.app_context():
        kamionka = db.session.scalar(db.select(Locality).where(Locality.name == "Kamionka"))
        kamionka_id = kamionka.id
    # the coordinator gives Kamionka coordinates through the app (logged in the change log)
    response = client.post(f"/localities/{kamionka_id}/edit", data={
        "name": "Kamionka", "voivodeship": "lubelskie", "latitude": "51.48", "longitude": "22.45",
        "csrf_token": csrf_token(client, f"/localities/{kamionka_id}/edit")})
    assert response.status_code == 302
    assert "Kamionka" in by_title(map_layers(client.get("/map").text)["organisations"])
    assert len(builds) == 2


def test_the_frame_is_rendered_once_for_its_language_tiles_and_bounds(app, network, as_role, monkeypatch):
    """folium's part of the map does not depend on the data: a map built again after an edit reuses it."""
    frame.map_frame.cache_clear()
    made = []
    real = frame.OfflineMap.__init__
    monkeypatch.setattr(frame.OfflineMap, "__init__", lambda self, *args, **kwargs: made.append(1) or real(
        self, *args, **kwargs))
    client = as_role(Role.COORDINATOR)
    first = client.get("/map").text
    with app.app_context():
        member_organisation("Fundacja Gdańska", town("Gdańsk", Voivodeship.POMORSKIE, 54.35, 18.65))
        db.session.commit()
    second = client.get("/map").text
    assert "Gdańsk" in by_title(map_layers(second)["organisations"]) and len(made) == 1
    script = lambda page: page[page.rindex("<script"):].split(">", 1)[1]  # noqa: E731  # without its nonce
    assert script(second) == script(first)
    assert len(made) == 1 and script(client.get("/map?voivodeship=pomorskie").text) != script(first)  # other bounds
    assert len(made) == 2
    polish = client.get("/map?lang=pl").text
    assert len(made) == 3 and 'aria-label="Mapa sieci"' in polish


def test_the_cache_separates_roles_and_languages(network, as_role):
    client = as_role(Role.COORDINATOR)
    assert "2 people" in client.get("/map").text
    client = as_role(Role.MEMBER)
    assert "2 people" not in client.get("/map").text
    with client.session_transaction() as session:
        session["lang"] = "pl"
    assert by_title(map_layers(client.get("/map").text)["organisations"])["Lublin"]["lines"] == ["3 organizacje"]


def test_filters_by_sector_area_voivodeship_and_edition(app, network, as_role):
    with app.app_context():
        lublin = db.session.scalar(db.select(Locality).where(Locality.name == "Lublin"))
        legal_aid = AreaOfWork(name="pomoc prawna")
        tagged = member_organisation("Fundacja Prawna", lublin)
        tagged.areas.append(legal_aid)
        edition = factories.edition(2)
        visitor = consenting_people(lublin, 1)[0]
        factories.participation(edition, visitor, organisation=tagged, status=ParticipationStatus.ATTENDED)
        factories.participation(edition, consenting_people(lublin, 1)[0], status=ParticipationStatus.NO_SHOW)
        db.session.commit()
        area_id = legal_aid.id
    client = as_role(Role.COORDINATOR)

    def circles(query: str) -> dict[str, dict]:
        layers = map_layers(client.get(f"/map?{query}").text)
        return {name: by_title(layers.get(name, [])) for name in ("organisations", "people")}

    assert set(circles("sector=university")["organisations"]) == {"Kraków"}
    assert set(circles("voivodeship=lubelskie")["organisations"]) == {"Lublin"}
    assert [n for n, _ in circles(f"area={area_id}")["organisations"]["Lublin"]["items"]] == ["Fundacja Prawna"]
    by_edition = circles("edition=2")
    assert [n for n, _ in by_edition["organisations"]["Lublin"]["items"]] == ["Fundacja Prawna"]
    assert by_edition["people"]["Lublin"]["lines"] == ["1 person"] and "Kraków" not in by_edition["people"]
    page = client.get(f"/map?sector=university&edition=2&area={area_id}&voivodeship=lubelskie").text
    for name, value in (("sector", "university"), ("edition", "2"), ("area", str(area_id)),
                        ("voivodeship", "lubelskie")):
        assert re.search(rf'<select[^>]*name="{name}".*?<option selected value="{value}">', page, re.DOTALL), name
    everything = client.get("/map?sector=nonsense")
    assert everything.status_code == 200 and "Not a valid choice" in everything.text
    assert set(by_title(map_layers(everything.text)["organisations"])) == {"Lublin", "Kraków"}


def test_coverage_shades_voivodeships_and_lists_those_with_none(network, as_role):
    client = as_role(Role.MEMBER)
    page = client.get("/map").text
    regions = by_title(map_layers(page)["regions"])
    assert len(regions) == 16 and set(regions) == {v.value for v in Voivodeship}
    assert regions["lubelskie"]["lines"] == ["3 organisations"]
    assert regions["lubelskie"]["style"]["fillColor"] != regions["opolskie"]["style"]["fillColor"] == maps.SHADES[0]
    uncovered = re.search(r"No member organisations in: ([^<]+)\.", page).group(1).split(", ")
    assert set(uncovered) == {v.value for v in Voivodeship} - {"lubelskie", "małopolskie"}


def test_edition_venues_are_a_layer(app, network, as_role):
    with app.app_context():
        warszawa = town("Warszawa", Voivodeship.MAZOWIECKIE, 52.23, 21.01)
        factories.edition(1, locality=warszawa)
        factories.edition(2, start=date(2023, 8, 31), end=date(2023, 9, 1))  # the report gives no place
        factories.edition(3, start=date(2023, 11, 30), end=date(2023, 12, 1), locality=warszawa)
        db.session.commit()
    client = as_role(Role.MEMBER)
    venues = by_title(map_layers(client.get("/map").text)["venues"])
    assert list(venues) == ["Warszawa"]
    assert [line.split(",")[0] for line in venues["Warszawa"]["lines"]] == ["I Forum", "III Forum"]
    assert map_layers(client.get("/map?edition=2").text)["venues"] == []


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/map")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_the_outlines_are_the_sixteen_voivodeships():
    outlines = json.loads(OUTLINES_FILE.read_text())
    assert sorted(f["properties"]["voivodeship"] for f in outlines["features"]) == sorted(v.value for v in Voivodeship)
    assert OUTLINES_FILE.stat().st_size < 100_000


def test_map_cache_keeps_one_data_version_a_few_keys_and_not_too_long(monkeypatch):
    cache, built = maps.MapCache(size=2, max_age=60), []

    def build(name):
        return lambda: built.append(name) or name

    assert cache.get(1, "a", build("a1")) == "a1" and cache.get(1, "a", build("a2")) == "a1"
    cache.get(1, "b", build("b1")), cache.get(1, "c", build("c1"))  # "a" is the least recently used: dropped
    assert cache.get(1, "a", build("a3")) == "a3"
    assert cache.get(2, "a", build("a4")) == "a4"  # new data: everything is built again
    now = maps.time.monotonic()
    monkeypatch.setattr(maps.time, "monotonic", lambda: now + 61)
    assert cache.get(2, "a", build("a5")) == "a5"  # too old
    assert built == ["a1", "b1", "c1", "a3", "a4", "a5"]

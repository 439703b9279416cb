"""Suggestions while typing for the fields that take an organisation or a person typed exactly, and a missing
institution created from such a field: the JSON endpoints (diacritics, Polish order, limits, who may ask) and the
fields that use them."""

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.models import ChangeLogEntry, Organisation, Role, Sector
from tests import factories
from tests.conftest import csrf_token
from tests.test_events import count, english

JSON = {"Accept": "application/json"}


@pytest.fixture
def coordinator(app, client, login):
    with app.app_context():
        user = factories.committed(factories.user(Role.COORDINATOR))
    login(user)
    english(client)
    return user


@pytest.fixture
def network(app):
    """Organisations whose names share "łączy" in several spellings, people called Ślęzak."""
    with app.app_context():
        lublin = factories.locality("Lublin")
        rows = [
            factories.organisation("Fundacja Łączy Nas", short_name="FŁN", locality=lublin),
            factories.organisation("Stowarzyszenie Laczymy Ludzi"),
            factories.organisation("Łączy", sector=Sector.OTHER),
            factories.organisation("Fundacja Zorza"),
            factories.organisation("Fundacja Lato"),
            factories.organisation("Fundacja Łąka"),
            factories.organisation("Fundacja Łączy Dawniej", archived_at=factories.datetime_now()),
        ]
        zaneta = factories.person("Żaneta", "Ślęzak", email="zaneta@example.org")
        jan = factories.person("Jan", "Ślęzak")
        factories.affiliation(zaneta, rows[0])
        factories.person("Ukryta", "Ślęzak", anonymised_at=factories.datetime_now())
        factories.person("Dawna", "Ślęzak", archived_at=factories.datetime_now())
        factories.committed(*rows, zaneta, jan)


def organisations(client, typed: str) -> dict:
    response = client.get("/organisations/suggestions", query_string={"q": typed}, headers=JSON)
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.json


def test_organisations_are_suggested_without_polish_letters_exact_first(client, coordinator, network):
    found = organisations(client, "laczy")
    assert [row["value"] for row in found["results"]] == [
        "Łączy", "Fundacja Łączy Nas", "Stowarzyszenie Laczymy Ludzi"]  # exact, then the rest; not the archived
    assert found["exact"] is True
    assert found["results"][1]["hint"] == "FŁN · Lublin · NGO"
    assert organisations(client, "ŁĄCZY NAS") == {"exact": False, "results": [
        {"value": "Fundacja Łączy Nas", "hint": "FŁN · Lublin · NGO"}]}
    assert [row["value"] for row in organisations(client, "fln")["results"]] == ["Fundacja Łączy Nas"]


def test_organisations_are_suggested_in_polish_order_ten_at_most(app, client, coordinator, network):
    assert [row["value"] for row in organisations(client, "fundacja")["results"]] == [
        "Fundacja Lato", "Fundacja Łączy Nas", "Fundacja Łąka", "Fundacja Zorza"]  # Ł after L, c before k
    with app.app_context():
        factories.committed(*[factories.organisation(f"Fundacja Numer {index:02d}") for index in range(12)])
    assert len(organisations(client, "fundacja")["results"]) == 10
    assert organisations(client, "") == {"results": [], "exact": False}
    assert organisations(client, "100%_") == {"results": [], "exact": False}  # LIKE wildcards are text


def test_people_are_suggested_without_polish_letters_with_their_organisation(client, coordinator, network):
    response = client.get("/people/suggestions?q=slezak", headers=JSON)
    assert response.status_code == 200
    assert response.json == {"exact": False, "results": [
        {"value": "Jan Ślęzak", "label": "Jan Ślęzak", "hint": ""},
        {"value": "zaneta@example.org", "label": "Żaneta Ślęzak", "hint": "zaneta@example.org · Fundacja Łączy Nas"},
    ]}  # by first name within the last name; neither the archived nor the anonymised
    assert [row["label"] for row in client.get("/people/suggestions?q=ZANETA").json["results"]] == ["Żaneta Ślęzak"]
    assert client.get("/people/suggestions?q=").json["results"] == []


def test_a_picked_suggestion_is_found_by_the_field(app, client, coordinator, network):
    """Values the suggestions put in a field are what the field finds exactly: no "several match" dead end."""
    with app.app_context():
        person_id = db.session.scalar(sa.select(factories.Person.id).where(factories.Person.first_name == "Jan"))
    token = csrf_token(client, f"/people/{person_id}")
    response = client.post(f"/people/{person_id}/affiliations", data={
        "csrf_token": token, "organisation": "Łączy", "is_primary": "y"})
    assert response.status_code == 302
    ambiguous = client.post(f"/people/{person_id}/affiliations", data={
        "csrf_token": token, "organisation": "laczy nas ludzi"})
    assert ambiguous.status_code == 422


@pytest.mark.parametrize("url", ["/organisations/suggestions?q=laczy", "/people/suggestions?q=slezak"])
@pytest.mark.parametrize("role", [Role.MEMBER, Role.ORG_EDITOR])
def test_only_the_coordinator_gets_suggestions(app, client, login, network, url, role):
    assert client.get(url).status_code == 302  # to the login page
    with app.app_context():
        user = factories.committed(factories.user(role, organisation=factories.organisation()
                                                  if role == Role.ORG_EDITOR else None))
    login(user)
    assert client.get(url, headers=JSON).status_code == 403


def test_the_fields_that_take_a_record_ask_for_suggestions(app, client, coordinator, network):
    with app.app_context():
        person_id = factories.committed(factories.person("Anna", "Polna")).id
        edition_id = factories.committed(factories.edition(3)).id
    detail = client.get(f"/people/{person_id}").text
    assert 'data-suggest="/organisations/suggestions"' in detail and 'data-create="/organisations/quick-add"' in detail
    assert "data-create-texts=" in detail and "Create a new organisation: “{name}”…" in detail
    participants = client.get(f"/editions/{edition_id}/participants").text
    assert 'data-suggest="/people/suggestions"' in participants and 'data-suggest-lines="1"' in participants
    assert 'data-create="' in client.get(f"/editions/{edition_id}").text  # partners
    assert 'data-create="' not in client.get("/people").text  # the list's filter suggests, creates nothing


# Creating a missing institution

def quick_add(client, json=True, **values):
    return client.post("/organisations/quick-add", data={"csrf_token": csrf_token(client, "/"), **values},
                       headers=JSON if json else {})


def test_a_missing_institution_is_created_from_the_field(app, client, coordinator, network):
    response = quick_add(client, name="  Urząd Miasta Łodzi ", sector="local_government")
    assert response.status_code == 200
    assert response.json == {"ok": True, "value": "Urząd Miasta Łodzi", "message":
                             "Created: Urząd Miasta Łodzi (not a Forum member). Its profile can be filled in on its "
                             "page."}
    with app.app_context():
        created = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Urząd Miasta Łodzi"))
        assert created.sector == Sector.LOCAL_GOVERNMENT and created.forum_member_since is None
        assert db.session.scalar(sa.select(ChangeLogEntry.action).where(
            ChangeLogEntry.entity_type == "organisation", ChangeLogEntry.entity_id == created.id)) == "created"
    assert organisations(client, "urzad miasta lodzi")["exact"] is True


@pytest.mark.parametrize(("values", "message"), [
    ({"name": "fundacja łączy NAS", "sector": "ngo"}, "An organisation with this name already exists: "
                                                       "Fundacja Łączy Nas."),
    ({"name": "Urząd Miasta Łodzi", "sector": ""}, "Choose the sector."),
    ({"name": "Urząd Miasta Łodzi", "sector": "kosmos"}, "Not a valid choice."),
    ({"name": "", "sector": "ngo"}, "This field is required."),
    ({"name": "Urząd\u202e", "sector": "ngo"}, "Remove the invisible control characters from this field."),
])
def test_a_bad_institution_is_refused_and_nothing_is_saved(app, client, coordinator, network, values, message):
    with app.app_context():
        before = count(Organisation)
    response = quick_add(client, **values)
    assert response.status_code == 422 and response.json == {"ok": False, "message": message}
    with app.app_context():
        assert count(Organisation) == before


def test_creating_without_the_script_goes_to_the_new_organisation(app, client, coordinator):
    response = quick_add(client, json=False, name="Urząd Miasta Łodzi", sector="local_government")
    assert response.status_code == 302 and response.location.startswith("/organisations/")
    assert "Created: Urząd Miasta Łodzi" in client.get(response.location).text
    refused = quick_add(client, json=False, name="Urząd Miasta Łodzi", sector="local_government")
    assert refused.location == "/organisations/new"
    assert "An organisation with this name already exists" in client.get(refused.location).text


def test_creating_needs_the_csrf_token_and_the_coordinator(app, client, login, coordinator):
    with app.app_context():
        before = count(Organisation)
    assert client.post("/organisations/quick-add", data={"name": "Urząd", "sector": "ngo"},
                       headers=JSON).status_code == 400
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    with app.app_context():
        editor = factories.committed(factories.user(Role.ORG_EDITOR, organisation=factories.organisation()))
        before = count(Organisation)
    login(editor)
    assert quick_add(client, name="Urząd Miasta Łodzi", sector="local_government").status_code == 403
    with app.app_context():
        assert count(Organisation) == before

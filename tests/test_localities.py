"""Towns the gazetteer does not know, added by the coordinator with coordinates."""

import pytest
import sqlalchemy as sa

from forum_crm.extensions import db
from forum_crm.localities.gazetteer import Place
from forum_crm.localities.queries import AmbiguousTown, UnknownTown, find_town
from forum_crm.models import ChangeLogEntry, Locality, Voivodeship
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def coordinator(app, client, login):
    with app.app_context():
        user = factories.committed(factories.user())
    login(user)
    return user


def locality_form(**values):
    return {"name": "Nowa Wieś Testowa", "voivodeship": "opolskie", "latitude": "50.5", "longitude": "17.9", **values}


def test_find_town_prefers_stored_localities(ctx):
    lublin = factories.locality()
    assert find_town("lublin") == lublin
    assert isinstance(find_town("Wrocław"), Place)
    with pytest.raises(UnknownTown):
        find_town("Nibylandia")
    with pytest.raises(AmbiguousTown) as ambiguous:
        find_town("Kamionka")
    assert "lubelskie" in ambiguous.value.voivodeships
    assert find_town("Kamionka", Voivodeship.MAZOWIECKIE).voivodeship == Voivodeship.MAZOWIECKIE


def test_a_town_added_by_hand_is_found_afterwards(ctx):
    factories.locality("Nibylandia", Voivodeship.OPOLSKIE, 50.5, 17.9)
    assert find_town("nibylandia").name == "Nibylandia"


def test_add_a_town_with_coordinates(app, client, coordinator):
    response = client.post("/localities/new", data={"csrf_token": csrf_token(client), **locality_form()})
    assert response.status_code == 302
    assert "Nowa Wieś Testowa" in client.get("/localities").text
    with app.app_context():
        assert db.session.scalar(sa.select(Locality.latitude)) == 50.5
        assert db.session.scalar(sa.select(ChangeLogEntry.action)) == "created"


@pytest.mark.parametrize(("values", "message"), [
    ({"name": ""}, "To pole jest wymagane."),
    ({"voivodeship": ""}, "To pole jest wymagane."),
    ({"latitude": "91"}, "Polska leży między 49,0 a 54,9 stopnia szerokości północnej."),
    ({"longitude": "abc"}, "Nieprawidłowa liczba dziesiętna"),
    ({"name": "Tab\there"}, "Usuń z tego pola niewidoczne znaki sterujące."),
])
def test_bad_towns_are_refused(app, client, coordinator, values, message):
    response = client.post("/localities/new", data={"csrf_token": csrf_token(client), **locality_form(**values)})
    assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Locality.id))) == 0


def test_the_same_town_twice_in_a_voivodeship_is_refused(app, client, coordinator):
    with app.app_context():
        factories.committed(factories.locality("Nowa Wieś Testowa", Voivodeship.OPOLSKIE, 50.5, 17.9))
    response = client.post("/localities/new", data={"csrf_token": csrf_token(client), **locality_form()})
    assert response.status_code == 422 and "już na liście" in response.text


def test_identify_the_unidentified_kamionka(app, client, coordinator):
    with app.app_context():
        kamionka = factories.committed(factories.locality("Kamionka", None, None, None, note="Nie wiadomo która."))
    page = client.get(f"/localities/{kamionka.id}/edit").text
    assert "Nie wiadomo która." in page
    response = client.post(f"/localities/{kamionka.id}/edit", data={
        "csrf_token": csrf_token(client), **locality_form(name="Kamionka", voivodeship="lubelskie",
                                                          latitude="51.47165", longitude="22.46275")})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Locality, kamionka.id).voivodeship == Voivodeship.LUBELSKIE

"""The offline gazetteer of Polish places."""

import pytest

from forum_crm.localities.gazetteer import find_places
from forum_crm.models import Voivodeship
from forum_crm.seeding.report import FORUM_TOWNS


@pytest.mark.parametrize(("name", "voivodeship"), [(n, v) for n, v in FORUM_TOWNS if v is not None])
def test_every_town_of_the_report_is_found_in_its_voivodeship(name, voivodeship):
    (place,) = find_places(name, voivodeship)
    assert place.voivodeship == voivodeship
    assert 49 < place.latitude < 55 and 14 < place.longitude < 24.2


def test_warsaw_has_its_polish_name():
    (warszawa,) = find_places("Warszawa")
    assert warszawa.name == "Warszawa" and warszawa.voivodeship == Voivodeship.MAZOWIECKIE


def test_names_match_without_diacritics():
    assert find_places("lodz")[0].name == "Łódź"
    assert find_places("BIALYSTOK")[0].name == "Białystok"


@pytest.mark.parametrize("typed", ["Gorzów Wlkp.", "Gorzów Wlkp", "gorzow wlkp."])
def test_abbreviated_gorzow(typed):
    assert [place.name for place in find_places(typed)] == ["Gorzów Wielkopolski"]


def test_abbreviation_agrees_with_feminine_names_too():
    assert [place.name for place in find_places("Środa Wlkp.")] == ["Środa Wielkopolska"]


def test_ambiguous_names_are_resolved_by_voivodeship():
    assert {place.voivodeship for place in find_places("Kamionka")} >= {Voivodeship.LUBELSKIE, Voivodeship.MAZOWIECKIE}
    (kamionka,) = find_places("Kamionka", Voivodeship.MAZOWIECKIE)
    assert kamionka.name == "Kamionka"
    assert len(find_places("Michałów")) >= 3
    assert [p.voivodeship for p in find_places("Michałów", Voivodeship.SWIETOKRZYSKIE)] == [Voivodeship.SWIETOKRZYSKIE]


def test_unknown_and_empty_names_find_nothing():
    assert find_places("Nibylandia") == []
    assert find_places("  ") == []

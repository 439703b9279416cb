"""The member map's layers, written as JSON text: exactly what json.loads reads back, whatever the names."""

import json

from flask_babel import force_locale

from forum_crm.mapping.maps import Labels, organisation_towns, people_towns, region_features, script_safe
from forum_crm.mapping.queries import TownCount
from forum_crm.models import Voivodeship

NAMES = ('Fundacja "Cudzysłów"', "Ukośnik \\ i \\u0041", "Nowa\nlinia\ttab\x00\x1f", "Łódź 🚲 \u2028\u2029",
         "</script><script>alert(1)</script>", "&amp; <!--", "${x}`")


def towns() -> list[TownCount]:
    return [TownCount(id_, name, Voivodeship.LUBELSKIE, 51.25 + id_ / 7, 22.57 - id_ / 3, organisations, people)
            for id_, (name, organisations, people) in enumerate(
                [(name, index % 3 + 1, index) for index, name in enumerate(NAMES)]
                + [("Bez współrzędnych", 1, 5), ("Pusta", 0, 0)], start=1)] \
        + [TownCount(99, "Nigdzie", None, None, None, 4, 4)]


def test_circles_read_back_as_the_towns_wrote_them(app):
    with app.test_request_context(), force_locale("en"):
        labels = Labels(exact=False)
        names = {town.id: [(town.id * 10, town.name)] for town in towns()}
        organisations = json.loads(organisation_towns(towns(), names, labels, links=True))
        assert [circle["title"] for circle in organisations] == [*NAMES, "Bez współrzędnych"]
        first = organisations[0]
        assert first == {"id": 1, "at": [51.25 + 1 / 7, 22.57 - 1 / 3], "radius": first["radius"],
                         "title": NAMES[0], "lines": ["1 organisation"], "items": [[NAMES[0], 10]],
                         "after": ["fewer than 3 people"]}
        assert organisations[2]["after"] == ["and 2 more", "fewer than 3 people"]
        unlinked = json.loads(organisation_towns(towns(), names, labels, links=False, people=False))
        assert unlinked[3]["items"] == [[NAMES[3]]] and unlinked[3]["after"] == []
        people = json.loads(people_towns(towns(), labels))
        assert [circle["title"] for circle in people] == [*NAMES[1:], "Bez współrzędnych"]  # the first: 0 people
        assert people[-1]["lines"] == ["5 people"] and set(people[0]) == {"id", "at", "radius", "title", "lines"}


def test_script_safe_text_cannot_close_the_element_and_reads_back_the_same(app):
    with app.test_request_context(), force_locale("en"):
        text = organisation_towns(towns(), {}, Labels(exact=True), links=True)
        safe = str(script_safe(text))
        assert "<" not in safe and ">" not in safe and "&" not in safe
        assert json.loads(safe) == json.loads(text)


def test_regions_are_a_feature_collection_of_the_sixteen_voivodeships(app):
    with app.test_request_context(), force_locale("en"):
        regions = json.loads(region_features({Voivodeship.LUBELSKIE: 3}, Labels(exact=False), 0.8))
    assert regions["type"] == "FeatureCollection" and len(regions["features"]) == 16
    lubelskie = next(f for f in regions["features"] if f["properties"]["title"] == "lubelskie")
    assert lubelskie["type"] == "Feature" and lubelskie["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert lubelskie["properties"]["lines"] == ["3 organisations"]

"""The gazetteer: Polish place names -> coordinates and voivodeship, offline.

Reads the shipped places_pl.tsv (GeoNames, CC BY 4.0) once per process. Names match without
case or diacritics ("lodz" is Łódź) and with the usual abbreviations ("Gorzów Wlkp.").
"""

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from forum_crm.models.geo import Voivodeship
from forum_crm.text import fold

PLACES_FILE = Path(__file__).parent / "data" / "places_pl.tsv"
ATTRIBUTION = "Place data © GeoNames, CC BY 4.0, modified"

# An abbreviated word -> the start of the words it stands for ("Wlkp." is Wielkopolski or Wielkopolska).
ABBREVIATIONS = {
    "wlkp": "wielkopolsk",
    "maz": "mazowieck",
    "sl": "slask",
    "kuj": "kujawsk",
    "tryb": "trybunalsk",
    "odrz": "odrzansk",
    "gd": "gdansk",
    "lub": "lubelsk",
    "pom": "pomorsk",
    "n": "nad",
}


@dataclass(frozen=True)
class Place:
    geonames_id: int
    name: str
    voivodeship: Voivodeship
    latitude: float
    longitude: float
    population: int


def _words(name: str) -> tuple[str, ...]:
    return tuple(word.strip(".") for word in fold(name).replace(".", ". ").split() if word.strip("."))


@lru_cache(maxsize=1)
def _places_by_words() -> dict[tuple[str, ...], list[Place]]:
    """All places keyed by their folded words, most populous first."""
    index: dict[tuple[str, ...], list[Place]] = {}
    with PLACES_FILE.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        for row in rows:
            place = Place(
                int(row["geonames_id"]), row["name"], Voivodeship(row["voivodeship"]),
                float(row["latitude"]), float(row["longitude"]), int(row["population"]),
            )
            index.setdefault(_words(place.name), []).append(place)
    return index


def _word_matches(typed: str, word: str) -> bool:
    return typed == word or (typed in ABBREVIATIONS and word.startswith(ABBREVIATIONS[typed]))


def find_places(name: str, voivodeship: Voivodeship | None = None) -> list[Place]:
    """Places called `name` (in `voivodeship`, if given), most populous first."""
    typed = _words(name)
    if not typed:
        return []
    index = _places_by_words()
    matches = list(index.get(typed, []))
    if not matches and any(word in ABBREVIATIONS for word in typed):
        for words, places in index.items():
            if len(words) == len(typed) and all(map(_word_matches, typed, words)):
                matches.extend(places)
        matches.sort(key=lambda place: -place.population)
    if voivodeship is not None:
        matches = [place for place in matches if place.voivodeship == voivodeship]
    return matches


def all_places() -> list[Place]:
    """Every place in the gazetteer, most populous first."""
    return sorted((p for places in _places_by_words().values() for p in places), key=lambda p: -p.population)

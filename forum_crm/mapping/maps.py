"""The member map, built from query results: pure functions, no database.

One circle per town (never one per person). The map itself is folium (Leaflet from our static
files); the towns (and the voivodeship outlines, as GeoJSON) travel in a <script type="application/json">
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

import folium
from flask import url_for
from flask_babel import format_date, gettext, ngettext
from folium.map import Layer
from folium.template import Template
from markupsafe import Markup

from forum_crm.compression import Deflated, deflated
from forum_crm.config import TileSource
from forum_crm.mapping.queries import MapData, TownCount, Venue
from forum_crm.models import Voivodeship
from forum_crm.models.events import roman

OUTLINES_FILE = Path(__file__).resolve().parents[2] / "static" / "geo" / "voivodeships.geojson"
# Layers narrower than this (phones) start with the layer panel folded into its button.
COLLAPSED_PANEL_QUERY = "(max-width: 40rem)"
POLAND_BOUNDS = [[49.0, 14.1], [54.9, 24.2]]
SMALL_COUNT = 3
ORGANISATIONS_PER_POPUP = 25
# The map's data is deflated at level 5, not 6: at 100,000 people (1.2 MB) 18 ms instead of 26 for 2% more bytes.
DATA_COMPRESSION = 5
# Our own copies of what the map loads, by kind (static/ paths).
MAP_ASSETS = {"js": ("vendor/leaflet/leaflet.js", "js/map.js"), "css": ("vendor/leaflet/leaflet.css",)}
MIN_RADIUS, MAX_RADIUS = 4.0, 20.0
SHADES = ("#f3f4f6", "#d9f0d3", "#a6dba0", "#5aae61", "#1b7837")  # none, then four steps up to the most
# Each circle also gets the class town-<locality id>, so a test (or a stylesheet) can find one town.
ORGANISATION_STYLE = {"className": "map-organisations", "color": "#1e3a8a", "fillColor": "#2563eb", "fillOpacity": 0.75,
                      "weight": 1}
PEOPLE_STYLE = {"className": "map-people", "color": "#92400e", "fillColor": "#f59e0b", "fillOpacity": 0.55, "weight": 1}
# A venue is a ring without fill, so the organisations' circle of the same town stays visible and clickable.
VENUE_STYLE = {"className": "map-venue", "color": "#6d28d9", "fill": False, "weight": 3, "radius": 9}


@dataclass(frozen=True)
class MapAssets:
    """URLs of our own copies of the scripts and styles the map needs (url_for('static', ...))."""

    js: tuple[str, ...]
    css: tuple[str, ...]

    @classmethod
    def served(cls) -> "MapAssets":
        """The URLs of MAP_ASSETS on this site."""
        return cls(*(tuple(url_for("static", filename=name) for name in MAP_ASSETS[kind]) for kind in ("js", "css")))


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


class OfflineMap(folium.Map):
    """A folium.Map that loads only our static copies (no CDN) and leaves the page's styles alone.

    folium's own template also styles <html> and <body> and pulls in jQuery, Bootstrap and
    Font Awesome; this map needs none of them (popups are built by static/js/map.js). It has no
    initial centre: fit_bounds sets the first view, so the map does not start with a zoom animation.
    """

    _template = Template("""
        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }} role="region" aria-label="{{ this.label|e }}"></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {
                crs: L.CRS.{{ this.crs }}, ...{{ this.options|tojavascript }}
            });
            {%- if this.control_scale %}
            L.control.scale().addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
    """)

    def __init__(self, assets: MapAssets, label: str, **kwargs):
        super().__init__(tiles=None, **kwargs)
        # One map per page: a fixed element id instead of a random one, so a page and its map script built by
        # different processes (the public map's script is a separate file) still belong together.
        self._id = "network"
        self.options.pop("zoom", None)
        self.options.update(min_zoom=5, max_zoom=13, zoom_snap=0.25)
        self.label = label
        self.default_js = [(f"map_js_{index}", url) for index, url in enumerate(assets.js)]
        self.default_css = [(f"map_css_{index}", url) for index, url in enumerate(assets.css)]


class MapLayer(Layer):
    """A layer built by static/js/map.js from the page's JSON block (not from this script): circles
    for towns (`circle_style`), or the voivodeship outlines."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = forumCrmMap.{{ this.kind }}(
                {{ this.key|tojson }}, {{ this.circle_style|tojson }}, {{ this.options|tojavascript }});
        {% endmacro %}
    """)

    def __init__(self, key: str, name: str, circle_style: dict | None = None, control: bool = True, **options):
        super().__init__(name=name, overlay=True, control=control)
        self._name = "MapLayer"
        self.key, self.kind = key, "circles" if circle_style else "outlines"
        self.circle_style = circle_style or {}
        self.options = options


class LayerPanel(folium.LayerControl):
    """The layer switcher: open beside the map on wide screens, folded into its button on phones."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }}_layers = {
                base_layers : {
                    {%- for key, val in this.base_layers.items() %}
                    {{ key|tojson }} : {{ val }},
                    {%- endfor %}
                },
                overlays : {
                    {%- for key, val in this.overlays.items() %}
                    {{ key|tojson }} : {{ val }},
                    {%- endfor %}
                },
            };
            let {{ this.get_name() }} = L.control.layers(
                {{ this.get_name() }}_layers.base_layers,
                {{ this.get_name() }}_layers.overlays,
                Object.assign({{ this.options|tojavascript }},
                              {collapsed: window.matchMedia({{ this.narrow|tojson }}).matches})
            ).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__(collapsed=False)
        self.narrow = COLLAPSED_PANEL_QUERY


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
    town_map = OfflineMap(assets, gettext("Map of the network"), control_scale=True)
    if tiles:
        folium.TileLayer(tiles.url, attr=tiles.attribution, name=gettext("Map")).add_to(town_map)
    places_credit = gettext("Place data © GeoNames, CC BY 4.0, modified")
    MapLayer("regions", "regions", control=False,  # always shown
             attribution=gettext("Outlines: Natural Earth")).add_to(town_map)
    if not public:
        MapLayer("people", gettext("People who agreed to be on the map"), PEOPLE_STYLE,
                 attribution=places_credit).add_to(town_map)
    MapLayer("organisations", gettext("Member organisations"), ORGANISATION_STYLE,
             attribution=places_credit).add_to(town_map)
    if not public:
        MapLayer("venues", gettext("Forum venues"), VENUE_STYLE).add_to(town_map)
    LayerPanel().add_to(town_map)
    town_map.fit_bounds(bounds or POLAND_BOUNDS, padding_top_left=(10, 10), padding_bottom_right=(10, 30))

    figure = town_map.get_root()
    figure.header._children.pop("meta_http", None)  # the page has its own <meta charset>
    figure.render()
    largest = max(data.by_voivodeship.values(), default=0)
    on_map = [town for town in data.towns if town.is_located]
    return RenderedMap(
        header=Markup(figure.header.render()), html=Markup(figure.html.render()),
        script=Markup(figure.script.render()),
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

"""The member map's frame: the folium map (Leaflet from our static files, no CDN) whose script draws the layers of
the page's JSON block with static/js/map.js. It does not depend on the data, so it is rendered once a process for each
set of arguments (map_frame)."""

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import folium
from flask import url_for
from flask_babel import gettext
from folium.map import Layer
from folium.template import Template
from markupsafe import Markup

from forum_crm.config import TileSource

# Layers narrower than this (phones) start with the layer panel folded into its button.
COLLAPSED_PANEL_QUERY = "(max-width: 40rem)"
# Our own copies of what the map loads, by kind (static/ paths).
MAP_ASSETS = {"js": ("vendor/leaflet/leaflet.js", "js/map.js"), "css": ("vendor/leaflet/leaflet.css",)}
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


class FrameTexts(NamedTuple):
    """The translated words of the map's frame (its label, the layers' names, the credits)."""

    label: str
    tiles: str
    places_credit: str
    outlines_credit: str
    people: str
    organisations: str
    venues: str

    @classmethod
    def translated(cls) -> "FrameTexts":
        return cls(gettext("Map of the network"), gettext("Map"), gettext("Place data © GeoNames, CC BY 4.0, modified"),
                   gettext("Outlines: Natural Earth"), gettext("People who agreed to be on the map"),
                   gettext("Member organisations"), gettext("Forum venues"))


@lru_cache(maxsize=64)
def map_frame(assets: MapAssets, tiles: TileSource | None, bounds: tuple[tuple[float, float], ...], public: bool,
              texts: FrameTexts) -> tuple[Markup, Markup, Markup]:
    """The folium map's <head> links, <div> and script, which draw the layers of the page's data: they do not
    depend on the data, so they are rendered once a process for each set of arguments (folium compiles a Jinja
    template for each of its parts every time it renders: 10 ms a map)."""
    town_map = OfflineMap(assets, texts.label, control_scale=True)
    if tiles:
        folium.TileLayer(tiles.url, attr=tiles.attribution, name=texts.tiles).add_to(town_map)
    MapLayer("regions", "regions", control=False,  # always shown
             attribution=texts.outlines_credit).add_to(town_map)
    if not public:
        MapLayer("people", texts.people, PEOPLE_STYLE, attribution=texts.places_credit).add_to(town_map)
    MapLayer("organisations", texts.organisations, ORGANISATION_STYLE,
             attribution=texts.places_credit).add_to(town_map)
    if not public:
        MapLayer("venues", texts.venues, VENUE_STYLE).add_to(town_map)
    LayerPanel().add_to(town_map)
    town_map.fit_bounds([list(corner) for corner in bounds], padding_top_left=(10, 10),
                        padding_bottom_right=(10, 30))
    figure = town_map.get_root()
    figure.header._children.pop("meta_http", None)  # the page has its own <meta charset>
    figure.render()
    return Markup(figure.header.render()), Markup(figure.html.render()), Markup(figure.script.render())

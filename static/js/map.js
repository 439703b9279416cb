/* The member map's layers, popups and tooltips (forum_crm/mapping/maps.py renders the map and calls
   forumCrmMap.circles and forumCrmMap.outlines). The data comes from
   <script type="application/json" id="forum-crm-map-data">; every name is put on the page with
   textContent, so it is always text, never HTML. */
(function () {
  "use strict";

  var data = null;

  function mapData() {
    if (data === null) {
      data = JSON.parse(document.getElementById("forum-crm-map-data").textContent);
    }
    return data;
  }

  function element(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function organisationLink(id) {
    var template = mapData().organisationUrl;
    if (typeof template !== "string" || typeof id !== "number") {
      return null;
    }
    return template.replace("{id}", String(id));
  }

  function paragraphs(box, lines) {
    (lines || []).forEach(function (line) { box.appendChild(element("p", line)); });
  }

  function popup(properties) {
    var box = element("div");
    box.className = "map-popup";
    box.appendChild(element("strong", properties.title));
    paragraphs(box, properties.lines);
    if (properties.items && properties.items.length) {
      var list = box.appendChild(element("ul"));
      properties.items.forEach(function (item) {
        var entry = list.appendChild(element("li"));
        var href = organisationLink(item[1]);
        if (href) {
          entry.appendChild(element("a", item[0])).setAttribute("href", href);
        } else {
          entry.textContent = String(item[0]);
        }
      });
    }
    paragraphs(box, properties.after);
    return box;
  }

  function describe(properties, layer) {
    layer.bindPopup(function () { return popup(properties); });
    layer.bindTooltip(function () {
      return element("span", properties.title + ": " + (properties.lines || []).join(", "));
    });
  }

  window.forumCrmMap = {
    /* One circle per town of the layer `key`: {id, at: [lat, lon], radius, title, lines, items, after}. */
    circles: function (key, style, options) {
      var group = L.featureGroup([], options);
      mapData().layers[key].forEach(function (town) {
        var circle = L.circleMarker(town.at, Object.assign({}, style, {
          className: style.className + " town-" + town.id,
          radius: town.radius || style.radius
        }));
        describe(town, circle);
        group.addLayer(circle);
      });
      return group;
    },
    /* The voivodeship outlines: GeoJSON polygons with {title, lines, style} properties. */
    outlines: function (key, _style, options) {
      return L.geoJson(mapData().layers[key], Object.assign({}, options, {
        style: function (feature) { return feature.properties.style; },
        onEachFeature: function (feature, layer) { describe(feature.properties, layer); }
      }));
    }
  };
}());

/* The care visit map: the grid outlines and one marker per position, with the people due a visit there.
   Runs from a static file so the Content-Security-Policy can forbid inline script; its data comes from the
   json_script element "care-map-data" (escaped JSON, never executed). No tile layer: the map works offline,
   drawn from the outlines alone. Names and addresses reach the page as text nodes only (textContent): a
   string handed to Leaflet's bindPopup or bindTooltip would be parsed as HTML. */
(function () {
  "use strict";
  var source = document.getElementById("care-map-data");
  var element = document.getElementById("care-map");
  if (!source || !element || !window.L) {
    return;
  }
  var data = JSON.parse(source.textContent);

  function node(tag, text, className) {
    var made = document.createElement(tag);
    if (text) {
      made.textContent = text;
    }
    if (className) {
      made.className = className;
    }
    return made;
  }

  function popup(point) {
    var box = node("div", "", "care-map-popup");
    var list = node("ul");
    point.people.forEach(function (person) {
      var item = node("li");
      var link = node("a", person.name);
      link.setAttribute("href", person.url);
      item.appendChild(link);
      item.appendChild(node("div", person.house, "small"));
      if (person.due) {
        item.appendChild(node("div", person.due, person.overdue ? "small care-late" : "small muted"));
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  var bounds = L.latLngBounds([]);
  var outlines = data.grids.map(function (grid) {
    var layer = L.geoJSON(grid.geometry, {
      style: { color: "#1c5d99", weight: 2, fillOpacity: 0.05 },
      pointToLayer: function (feature, spot) {
        return L.circleMarker(spot, { radius: 4, color: "#1c5d99" });
      },
    });
    layer.bindTooltip(node("span", grid.name));
    bounds.extend(layer.getBounds());
    return layer;
  });
  data.points.forEach(function (point) {
    bounds.extend(L.latLng(point.lat, point.lon));
  });
  if (!bounds.isValid()) {
    element.appendChild(node("p", element.getAttribute("data-empty"), "muted care-map-none"));
    return;
  }
  var map = L.map(element, { attributionControl: false });
  // The view is set before any layer is added: Leaflet cannot place a vector layer on a map without one.
  map.fitBounds(bounds, { padding: [24, 24], maxZoom: 18 });
  outlines.forEach(function (layer) {
    layer.addTo(map);
  });
  data.points.forEach(function (point) {
    var colour = point.overdue ? "#c53030" : "#1c5d99";
    var radius = Math.min(8 + point.people.length, 16);
    L.circleMarker(L.latLng(point.lat, point.lon), { radius: radius, color: colour, weight: 3, fillOpacity: 0.7 })
      .bindPopup(popup(point))
      .addTo(map);
  });
  element.setAttribute("data-markers", String(data.points.length));
})();

/* The case page's map: the reported point within the outline of its place. Runs from a static file so the
   Content-Security-Policy can forbid inline script; its data comes from the json_script element
   "case-map-data" (escaped JSON, never executed). No text reaches Leaflet, so nothing can become markup. */
(function () {
  "use strict";
  var source = document.getElementById("case-map-data");
  var element = document.getElementById("case-map");
  if (!source || !element || !window.L) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var map = L.map(element);
  var spot = data.point ? L.latLng(data.point[1], data.point[0]) : null;
  var shape = data.geometry ? L.geoJSON(data.geometry, { style: { color: "#1c5d99", weight: 2 } }) : null;
  // The view is set before any layer is added: Leaflet cannot place a vector layer on a map without one.
  if (shape) {
    var bounds = shape.getBounds();
    if (spot) {
      bounds.extend(spot);
    }
    map.fitBounds(bounds);
    shape.addTo(map);
  } else {
    map.setView(spot, 16);
  }
  if (spot) {
    L.circleMarker(spot, { radius: 8, color: "#c0392b", weight: 3, fillOpacity: 0.6 }).addTo(map);
  }
})();

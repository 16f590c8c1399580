/* The place page's map. Runs from a static file so that the Content-Security-Policy can forbid inline script.
   Its data comes from the json_script element "place-map-data" that the page renders (escaped JSON, never
   executed). Place names reach the map as text nodes only: a string given to Leaflet's bindTooltip or
   bindPopup would be parsed as HTML, and a name must never become markup. */
(function () {
  "use strict";
  var source = document.getElementById("place-map-data");
  var element = document.getElementById("map");
  if (!source || !element || !window.L) {
    return;
  }
  var data = JSON.parse(source.textContent);

  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  var map = L.map(element);
  var own = L.geoJSON(data.geometry, { style: { color: "#c0392b", weight: 3, fill: false } }).addTo(map);
  data.children.forEach(function (child) {
    L.geoJSON(child.geometry, { style: { color: "#1c5d99", weight: 1 } })
      .bindTooltip(label(child.name))
      .addTo(map);
  });
  map.fitBounds(own.getBounds());
})();

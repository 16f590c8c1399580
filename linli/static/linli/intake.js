/* The intake forms (resident, hotline, grid worker): the map point, the phone's position, the photo count,
   and keeping a shown preview current. A static file, since the Content-Security-Policy forbids inline script.
   Map data comes from the json_script element "intake-map-data" (escaped JSON, never executed); street names
   reach the map as text nodes only, never as HTML for Leaflet to parse. The server decides everything: the
   point is only two numbers in hidden fields, resolved to a place there. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-intake]");
  if (!form) {
    return;
  }
  var lon = form.querySelector("input[name=longitude]");
  var lat = form.querySelector("input[name=latitude]");
  var label = document.getElementById("point-label");
  var marker = null;
  var map = null;

  function changed() {
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function say(text) {
    if (label) {
      label.textContent = text;
    }
  }

  function setPoint(lng, lt) {
    if (!lon || !lat) {
      return;
    }
    lon.value = lng.toFixed(6);
    lat.value = lt.toFixed(6);
    say((label && label.dataset.chosen ? label.dataset.chosen + ": " : "") + lon.value + ", " + lat.value);
    if (map) {
      if (marker) {
        marker.setLatLng([lt, lng]);
      } else {
        marker = L.circleMarker([lt, lng], { radius: 8, color: "#c0392b" }).addTo(map);
      }
    }
    changed();
  }

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  var source = document.getElementById("intake-map-data");
  var element = document.getElementById("map");
  if (source && element && window.L) {
    var outlines = JSON.parse(source.textContent);
    map = L.map(element);
    var group = L.featureGroup().addTo(map);
    outlines.forEach(function (street) {
      L.geoJSON(street.geometry, { style: { color: "#1c5d99", weight: 1, fillOpacity: 0.05 } })
        .bindTooltip(text(street.name))
        .addTo(group);
    });
    if (group.getLayers().length) {
      map.fitBounds(group.getBounds());
    } else {
      map.setView([39.9, 116.4], 11);
    }
    map.on("click", function (event) {
      setPoint(event.latlng.lng, event.latlng.lat);
    });
    if (lon && lat && lon.value && lat.value) {
      marker = L.circleMarker([parseFloat(lat.value), parseFloat(lon.value)], { radius: 8, color: "#c0392b" }).addTo(map);
    }
  }

  form.querySelectorAll("[data-geolocate]").forEach(function (button) {
    if (!navigator.geolocation) {
      button.hidden = true;
      return;
    }
    button.addEventListener("click", function () {
      say(button.dataset.waiting || "");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          setPoint(position.coords.longitude, position.coords.latitude);
          if (map) {
            map.setView([position.coords.latitude, position.coords.longitude], Math.max(map.getZoom(), 15));
          }
        },
        function () {
          say(button.dataset.failed || "");
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  });

  form.querySelectorAll("[data-clear-point]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (lon && lat) {
        lon.value = "";
        lat.value = "";
      }
      if (marker && map) {
        map.removeLayer(marker);
        marker = null;
      }
      say("");
      changed();
    });
  });

  // The preview says whether the place can come from the photos' own position: it needs to know they exist.
  var count = document.getElementById("photo-count");
  form.querySelectorAll("input[type=file]").forEach(function (input) {
    input.addEventListener("change", function () {
      if (count) {
        count.value = String(input.files ? input.files.length : 0);
      }
    });
  });

  // Once a preview is shown, keep it true to the form: a change asks for it again (after a pause). A pick in
  // the cascading picker counts once the picker has been swapped in anew with the choice.
  var previewButton = document.getElementById("preview-button");
  var pending = null;
  function refresh() {
    if (!previewButton || !document.getElementById("preview-card") || !window.htmx) {
      return;
    }
    clearTimeout(pending);
    pending = setTimeout(function () {
      htmx.trigger(previewButton, "click");
    }, 400);
  }
  form.addEventListener("change", function (event) {
    if (!(event.target && event.target.name === "place" && event.target.tagName === "SELECT")) {
      refresh();
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target && event.detail.target.id === "place-picker") {
      refresh();
    }
  });
})();

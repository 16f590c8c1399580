/* The dashboards (linli.assessment.views_dashboards): ECharts charts and a Leaflet map of the child areas.
   Runs from a static file so that the Content-Security-Policy can forbid inline script. Chart data comes from
   json_script elements (escaped JSON, never executed) named by each chart's data-source, or, in the parts that
   load after the page (htmx fragments, drawn when htmx reports them loaded), from a data-values attribute. Every word on a chart comes from
   the data's "labels" (translated on the server). Text from the data reaches the page as text nodes only:
   the tooltips are built as elements with textContent, never as HTML strings, and the map has no tile
   layer, so it works offline. */
(function () {
  "use strict";

  var BLUES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var REDS = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  // Rates where more is worse: shaded red instead of blue.
  var WORSE_WHEN_HIGH = { overdue: true, "return": true, reopen: true };
  var charts = [];

  function node(tag, text, className) {
    var made = document.createElement(tag);
    if (text !== undefined && text !== null && text !== "") {
      made.textContent = String(text);
    }
    if (className) {
      made.className = className;
    }
    return made;
  }

  function percent(value) {
    return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%";
  }

  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  // The tooltip as elements: ECharts appends an element it is given instead of parsing a string.
  function tooltip(rateSeries) {
    return function (params) {
      var list = Array.isArray(params) ? params : [params];
      var box = node("div", "", "dash-tip");
      if (list.length) {
        box.appendChild(node("div", list[0].axisValueLabel || list[0].name, "dash-tip-head"));
      }
      list.forEach(function (item) {
        if (item.value === null || item.value === undefined) {
          return;
        }
        var row = node("div");
        var swatch = node("span", "", "dash-swatch");
        swatch.style.background = item.color;
        row.appendChild(swatch);
        var shown = rateSeries[item.seriesName] ? percent(item.value) : String(item.value);
        row.appendChild(node("span", item.seriesName + ": " + shown));
        box.appendChild(row);
      });
      return box;
    };
  }

  function toolbox(labels, name) {
    return {
      right: 8,
      feature: { saveAsImage: { title: labels.save_image, name: name, pixelRatio: 2, backgroundColor: "#fff" } },
    };
  }

  var percentAxis = {
    type: "value",
    min: 0,
    max: 1,
    axisLabel: {
      formatter: function (v) {
        return Math.round(v * 100) + "%";
      },
    },
    splitLine: { show: false },
  };

  function trendOption(data) {
    var labels = data.labels;
    var rateSeries = {};
    var rates = ["response", "resolution", "satisfaction"].map(function (key) {
      rateSeries[labels[key]] = true;
      return {
        name: labels[key],
        type: "line",
        yAxisIndex: 1,
        // A week without cases has no rate: a gap, not a line drawn across it.
        showSymbol: true,
        symbolSize: 4,
        connectNulls: false,
        data: data.weeks.map(function (w) {
          return w[key];
        }),
      };
    });
    return {
      animation: false,
      tooltip: { trigger: "axis", formatter: tooltip(rateSeries) },
      legend: { top: 0, left: 0 },
      toolbox: toolbox(labels, "trend"),
      grid: { left: 48, right: 48, top: 40, bottom: 32 },
      xAxis: {
        type: "category",
        data: data.weeks.map(function (w) {
          return w.week;
        }),
      },
      yAxis: [{ type: "value", minInterval: 1 }, percentAxis],
      series: [
        {
          name: labels.volume,
          type: "bar",
          itemStyle: { color: "#9fb3c8" },
          data: data.weeks.map(function (w) {
            return w.volume;
          }),
        },
      ].concat(rates),
    };
  }

  function categoriesOption(data) {
    var labels = data.labels;
    var rateSeries = {};
    rateSeries[labels.satisfaction] = true;
    return {
      animation: false,
      tooltip: { trigger: "axis", formatter: tooltip(rateSeries) },
      legend: { top: 0, left: 0 },
      toolbox: toolbox(labels, "classes"),
      grid: { left: 48, right: 48, top: 40, bottom: 72 },
      xAxis: {
        type: "category",
        axisLabel: { interval: 0, rotate: 30 },
        data: data.categories.map(function (c) {
          return c.label;
        }),
      },
      yAxis: [{ type: "value", minInterval: 1 }, percentAxis],
      series: [
        {
          name: labels.volume,
          type: "bar",
          itemStyle: { color: "#3182bd" },
          data: data.categories.map(function (c) {
            return c.volume;
          }),
        },
        {
          name: labels.satisfaction,
          type: "line",
          yAxisIndex: 1,
          itemStyle: { color: "#2f855a" },
          data: data.categories.map(function (c) {
            return c.satisfaction;
          }),
        },
      ],
    };
  }

  function forecastOption(data) {
    var labels = data.labels;
    var series = [];
    data.lines.forEach(function (line) {
      series.push({ name: line.label, type: "line", showSymbol: false, data: line.history });
      series.push({
        name: line.label,
        type: "line",
        showSymbol: true,
        lineStyle: { type: "dashed" },
        data: line.forecast,
      });
    });
    return {
      animation: false,
      tooltip: { trigger: "axis", formatter: tooltip({}) },
      legend: { top: 0, left: 0, right: 40, type: "scroll" },
      toolbox: toolbox(labels, "forecast"),
      grid: { left: 48, right: 24, top: 48, bottom: 32 },
      xAxis: { type: "category", data: data.weeks },
      yAxis: { type: "value", minInterval: 1 },
      series: series,
    };
  }

  var OPTIONS = { trend: trendOption, categories: categoriesOption, forecast: forecastOption };

  function drawCharts(root) {
    if (!window.echarts) {
      return;
    }
    if (!root || !root.querySelectorAll) {
      return;
    }
    var elements = Array.prototype.slice.call(root.querySelectorAll("[data-chart]"));
    if (root.matches && root.matches("[data-chart]")) {
      elements.push(root);
    }
    elements.forEach(function (element) {
      if (element.getAttribute("data-drawn")) {
        return;
      }
      // In the page, a json_script element; in an htmx fragment, the data-values attribute (htmx drops every
      // <script> it swaps in, json_script included, since the page allows it no script tags).
      var values = element.getAttribute("data-values");
      var data = values ? JSON.parse(values) : read(element.getAttribute("data-source"));
      var build = OPTIONS[element.getAttribute("data-chart")];
      if (!data || !build) {
        return;
      }
      var chart = echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(build(data));
      charts.push(chart);
      element.setAttribute("data-drawn", "1");
    });
  }

  // The map of the child areas, shaded by the measure picked.

  function measureOf(feature, measure) {
    var p = feature.properties;
    return measure === "volume" ? p.volume : p.rates[measure];
  }

  function scale(features, measure) {
    var values = features
      .map(function (f) {
        return measureOf(f, measure);
      })
      .filter(function (v) {
        return v !== null && v !== undefined;
      });
    var low = values.length ? Math.min.apply(null, values) : 0;
    var high = values.length ? Math.max.apply(null, values) : 0;
    var palette = WORSE_WHEN_HIGH[measure] ? REDS : BLUES;
    return {
      low: low,
      high: high,
      palette: palette,
      colour: function (v) {
        if (v === null || v === undefined) {
          return "#e4e7eb";
        }
        var step = high > low ? Math.min(Math.floor(((v - low) / (high - low)) * palette.length), palette.length - 1) : 2;
        return palette[step];
      },
    };
  }

  function shownValue(measure, value) {
    return measure === "volume" ? String(value) : percent(value);
  }

  function drawMap() {
    var element = document.getElementById("dashboard-map");
    var picker = document.getElementById("map-measure");
    var legend = document.getElementById("dashboard-legend");
    if (!element || !window.L) {
      return;
    }
    fetch(element.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("areas " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var features = data.features || [];
        if (!features.length) {
          element.appendChild(node("p", element.getAttribute("data-empty"), "muted"));
          return;
        }
        var map = L.map(element, { attributionControl: false });
        var layer = L.geoJSON(data, {
          onEachFeature: function (feature, shape) {
            var p = feature.properties;
            shape.bindTooltip(node("span", p.name), { sticky: true });
            if (p.url) {
              var box = node("div");
              var link = node("a", p.name);
              link.setAttribute("href", p.url);
              box.appendChild(link);
              shape.bindPopup(box);
            }
          },
        });
        // The view is set before any layer is added: Leaflet cannot place a vector layer on a map without one.
        map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        if (data.outline) {
          L.geoJSON(data.outline, { style: { color: "#c0392b", weight: 2, fill: false }, interactive: false }).addTo(map);
        }
        layer.addTo(map);

        function paint() {
          var measure = picker ? picker.value : "volume";
          var label = picker ? picker.options[picker.selectedIndex].text : "";
          var s = scale(features, measure);
          layer.eachLayer(function (shape) {
            var value = measureOf(shape.feature, measure);
            shape.setStyle({ color: "#52606d", weight: 1, fillOpacity: 0.75, fillColor: s.colour(value) });
            var tip = node("span", shape.feature.properties.name + " · " + label + ": " + shownValue(measure, value));
            shape.setTooltipContent(tip);
          });
          if (legend) {
            legend.textContent = "";
            legend.appendChild(node("span", label + ": "));
            s.palette.forEach(function (colour) {
              var swatch = node("span", "", "dash-swatch");
              swatch.style.background = colour;
              legend.appendChild(swatch);
            });
            legend.appendChild(node("span", " " + shownValue(measure, s.low) + " – " + shownValue(measure, s.high)));
          }
          element.setAttribute("data-measure", measure);
        }
        paint();
        if (picker) {
          picker.addEventListener("change", paint);
        }
        element.setAttribute("data-areas", String(features.length));
      })
      .catch(function (error) {
        element.appendChild(node("p", String(error), "errors"));
      });
  }

  function start() {
    drawCharts(document);
    drawMap();
    if (window.htmx) {
      htmx.onLoad(drawCharts);
    }
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) {
        chart.resize();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

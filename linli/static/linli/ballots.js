/* Owners' votes: the receipt's copy button, and the result page's bar charts (ECharts). From a static file,
   so that the Content-Security-Policy can forbid inline script. Chart data comes from one json_script element
   (escaped JSON, never executed); question texts are not in it, option names and numbers only, and the
   tooltip is built as elements with textContent, never as an HTML string. */
(function () {
  "use strict";

  function copyButton() {
    var button = document.getElementById("copy-receipt");
    if (!button) {
      return;
    }
    button.addEventListener("click", function () {
      var text = document.getElementById(button.dataset.target).textContent.trim();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text).then(function () {
          button.textContent = button.dataset.done;
        });
      }
    });
  }

  function tooltip(params) {
    var list = Array.isArray(params) ? params : [params];
    var box = document.createElement("div");
    if (list.length) {
      var head = document.createElement("div");
      head.textContent = String(list[0].name);
      box.appendChild(head);
    }
    list.forEach(function (item) {
      var row = document.createElement("div");
      row.textContent = String(item.seriesName) + ": " + String(item.value);
      box.appendChild(row);
    });
    return box;
  }

  function charts() {
    var source = document.getElementById("vote-chart-data");
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var labels = data.labels;
    document.querySelectorAll(".vote-chart").forEach(function (el) {
      var q = data.questions[Number(el.dataset.chart)];
      if (!q) {
        return;
      }
      var chart = echarts.init(el);
      chart.setOption({
        tooltip: { trigger: "axis", formatter: tooltip },
        legend: { data: [labels.owners, labels.area] },
        grid: { left: 48, right: 48, bottom: 24, top: 36 },
        xAxis: { type: "category", data: q.options },
        yAxis: [
          { type: "value", name: labels.owners, minInterval: 1 },
          { type: "value", name: labels.area },
        ],
        series: [
          { name: labels.owners, type: "bar", data: q.owners },
          { name: labels.area, type: "bar", yAxisIndex: 1, data: q.area },
        ],
      });
      window.addEventListener("resize", function () {
        chart.resize();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    copyButton();
    charts();
  });
})();

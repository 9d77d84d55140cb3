/* Statistics dashboard: draws the charts from the JSON in #stats-charts (or in the script a module section's
   chart names in data-source) with the locally served ECharts; clicking a bar, point or slice opens the list
   filtered to exactly what it counts. */
(function () {
  "use strict";
  function draw() {
    var sources = {};  // the JSON each chart reads: #stats-charts, or a module section's (data-source)
    var palette = ["#1f5fa8", "#d9822b", "#3a9d5d", "#b23b3b", "#7a5ba6", "#2b9fb0", "#a08a2a", "#6b6b6b"];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = el.dataset.source || "stats-charts";
      if (!(source in sources)) {
        var script = document.getElementById(source);
        sources[source] = script ? JSON.parse(script.textContent) : {};
      }
      var d = sources[source][el.dataset.chart];
      if (!d || !window.echarts) { return; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      var option;
      if (el.dataset.kind === "pie") {
        option = {
          color: palette,
          tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
          series: [{ type: "pie", radius: ["35%", "70%"],
                     data: d.labels.map(function (l, i) { return { name: l, value: d.values[i] }; }) }]
        };
      } else {
        var horizontal = el.dataset.kind === "bar";
        var cat = { type: "category", data: d.labels, axisLabel: { width: 110, overflow: "truncate" } };
        var val = { type: "value", minInterval: 1 };
        if (horizontal) { cat.inverse = true; }
        option = {
          color: palette,
          tooltip: { trigger: horizontal ? "item" : "axis" },
          grid: { left: horizontal ? 120 : 40, right: 20, top: 10, bottom: 30 },
          xAxis: horizontal ? val : cat,
          yAxis: horizontal ? cat : val,
          series: [{ type: horizontal ? "bar" : "line", data: d.values, smooth: false,
                     symbolSize: 6, areaStyle: horizontal ? undefined : { opacity: 0.15 } }]
        };
      }
      option.animation = false;  // figures, not a show: and a click lands on the bar at once
      chart.setOption(option);
      chart.on("click", function (params) {
        var link = d.links[params.dataIndex];
        if (link) { window.location.href = link; }
      });
      el.dataset.ready = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();

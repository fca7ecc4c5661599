// History charts. Data comes from json_script blocks; Chart.js from /static/vendor/ (npm).
(function () {
  "use strict";
  var dataNode = document.getElementById("history-data");
  var scalesNode = document.getElementById("history-scales");
  if (!dataNode || !scalesNode) { return; }
  if (typeof window.Chart === "undefined") {
    document.body.classList.add("no-charts");
    return;
  }
  var history = JSON.parse(dataNode.textContent);
  var scales = JSON.parse(scalesNode.textContent);
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // The page's language (data-months on the charts' root, issue 15).
  var monthsNode = document.querySelector("[data-months]");
  var pageMonths = monthsNode ? monthsNode.getAttribute("data-months").split(",") : [];
  if (pageMonths.length === 12) { MONTHS = pageMonths; }
  window.Chart.defaults.font.size = 12;
  // Text, grid and line colours from site.css custom properties (dark mode follows).
  var rootStyle = window.getComputedStyle(document.documentElement);
  function cssColour(name, fallback) {
    return rootStyle.getPropertyValue(name).trim() || fallback;
  }
  var INK = cssColour("--chart-ink", "#1d2a2b");
  window.Chart.defaults.color = cssColour("--chart-tick", "#3d4a49");
  window.Chart.defaults.borderColor = cssColour("--chart-grid", "#e4eae8");

  function isoDays(first, last) {
    var days = [];
    var day = new Date(first + "T00:00:00Z");
    var end = new Date(last + "T00:00:00Z");
    while (day <= end) {
      days.push(day.toISOString().slice(0, 10));
      day.setUTCDate(day.getUTCDate() + 1);
    }
    return days;
  }

  var days = isoDays(history.first_day, history.today);
  var byDate = {};
  history.daily.forEach(function (row) { byDate[row.date] = row; });

  function valuesFor(key) {
    return days.map(function (day) { return byDate[day] ? byDate[day][key] : null; });
  }

  // Shaded severity bands behind a line chart: [[from, to, colour], ...].
  function bandsPlugin(bands) {
    return {
      id: "bands",
      beforeDatasetsDraw: function (chart) {
        var y = chart.scales.y;
        var area = chart.chartArea;
        var ctx = chart.ctx;
        ctx.save();
        bands.forEach(function (band) {
          var top = y.getPixelForValue(band[1]);
          var bottom = y.getPixelForValue(band[0]);
          ctx.fillStyle = band[2];
          ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
        });
        ctx.restore();
      }
    };
  }

  var common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    plugins: { legend: { position: "bottom" } }
  };

  function options(min, max) {
    return Object.assign({}, common, {
      scales: {
        y: { min: min, max: max, ticks: { precision: 0, font: { size: 12 } } },
        x: { ticks: { font: { size: 12 }, maxRotation: 0, autoSkip: true, maxTicksLimit: 6 } }
      }
    });
  }

  // The questionnaires on a day-number axis (0 = first day shown): gaps keep their length.
  function dayNumber(iso) {
    return Math.round((new Date(iso + "T00:00:00Z") - new Date(history.first_day + "T00:00:00Z")) / 86400000);
  }

  function dayLabel(offset) {
    var d = new Date(history.first_day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + Math.round(offset));
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()];
  }

  function timeOptions(min, max) {
    var opts = options(min, max);
    opts.scales.x = {
      type: "linear",
      min: 0,
      max: days.length - 1,
      // One label per ~80 px, always the first and the last day (as measure_charts.js).
      afterBuildTicks: function (scale) {
        var span = Math.max(days.length - 1, 1);
        var count = Math.max(2, Math.min(Math.floor((scale.width || scale.chart.width) / 80) + 1, 6, span + 1));
        var ticks = [];
        for (var i = 0; i < count; i++) { ticks.push({ value: Math.round(i * span / (count - 1)) }); }
        scale.ticks = ticks;
      },
      ticks: {
        font: { size: 12 },
        autoSkip: false,
        maxRotation: 0,
        callback: function (value) { return dayLabel(value); }
      }
    };
    opts.layout = { padding: { right: 12 } };
    opts.plugins = {
      legend: { position: "bottom" },
      tooltip: {
        callbacks: {
          title: function (items) { return items.length ? dayLabel(items[0].parsed.x) : ""; }
        }
      }
    };
    return opts;
  }

  function totalsChart(id, rows, max, bands, label) {
    var canvas = document.getElementById(id);
    if (!canvas || rows.length === 0) { return; }
    new window.Chart(canvas, {
      type: "line",
      data: {
        datasets: [{
          label: label,
          data: rows.map(function (row) { return { x: dayNumber(row.date), y: row.total }; }),
          borderColor: INK,
          backgroundColor: INK,
          pointRadius: 4
        }]
      },
      options: timeOptions(0, max),
      plugins: [bandsPlugin(bands)]
    });
  }

  totalsChart("chart-phq9", history.phq9, 27, [
    [0, 5, "rgba(46,107,58,0.10)"],
    [5, 10, "rgba(122,92,0,0.08)"],
    [10, 15, "rgba(184,92,0,0.10)"],
    [15, 20, "rgba(164,22,26,0.10)"],
    [20, 27, "rgba(164,22,26,0.18)"]
  ], "PHQ-9 total");
  totalsChart("chart-fiqr", history.fiqr, 100, [
    [0, 23, "rgba(46,107,58,0.10)"],
    [23, 40, "rgba(122,92,0,0.08)"],
    [40, 63, "rgba(184,92,0,0.10)"],
    [63, 82, "rgba(164,22,26,0.10)"],
    [82, 100, "rgba(164,22,26,0.18)"]
  ], "FIQR total");

  var wpi = document.getElementById("chart-wpi");
  if (wpi) {
    new window.Chart(wpi, {
      type: "bar",
      data: {
        datasets: [{
          label: wpi.getAttribute("data-label") || "Painful areas in the daily check-in",
          data: valuesFor("regions").map(function (value, index) { return { x: index, y: value }; }),
          backgroundColor: cssColour("--chart-mood-bar", "#2f6f73")
        }]
      },
      options: timeOptions(0, 19)
    });
  }
})();

// One chart per measure (pain, fatigue, sleep, brain fog, mood) with toggles, and the clinician's
// medication timeline, on a shared day-number x axis (0 = first day of the period), so a 14-day
// gap is 14 days wide. Data comes from json_script blocks (core/chart_series.py builds them);
// Chart.js from /static/vendor/ (npm). No inline script or style (strict CSP).
(function () {
  "use strict";
  var WORDS = { weekOne: null, weekMany: null };
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // Colours come from site.css custom properties, so dark mode (prefers-color-scheme) applies to
  // the canvas too; the fallbacks are the light theme's.
  var ROOT_STYLE = window.getComputedStyle(document.documentElement);
  function cssColour(name, fallback) {
    return ROOT_STYLE.getPropertyValue(name).trim() || fallback;
  }
  var INK = cssColour("--chart-ink", "#1d2a2b");
  var TICK = cssColour("--chart-tick", "#3d4a49");
  var GRID = cssColour("--chart-grid", "#e4eae8");
  var AXIS = cssColour("--chart-axis", "#8a9896");
  var COLOURS = {
    pain: cssColour("--chart-pain", "#a4161a"), fatigue: cssColour("--chart-fatigue", "#6a4c93"),
    sleep_quality: cssColour("--chart-sleep", "#1f5f99"),
    cognition: cssColour("--chart-cognition", "#51605f"), mood: cssColour("--chart-mood", "#2e6b3a")
  };
  var MARKER_STYLE = {
    start: { colour: cssColour("--chart-start", "#2e6b3a"), glyph: "▲", dash: [] },
    stop: { colour: cssColour("--chart-stop", "#a4161a"), glyph: "■", dash: [4, 3] },
    dose_change: { colour: INK, glyph: "◆", dash: [2, 2] }
  };
  var TIERS = {
    maoi: "#a4161a", strong: "#d9822b", weak: "#e9c46a", none: "#9fb8b6", unknown: "#c9c9c9"
  };
  // Severity bands, mildest first (PHQ-9 and FIQR have five each).
  var BAND_COLOURS = [
    "rgba(46,107,58,0.12)", "rgba(122,92,0,0.10)", "rgba(184,92,0,0.12)",
    "rgba(164,22,26,0.12)", "rgba(164,22,26,0.22)"
  ];
  var FONT = 12; // px, at every width (11 px is the floor the tests hold)

  function dayDate(start, offset) {
    var parts = start.split("-");
    return new Date(Date.UTC(+parts[0], +parts[1] - 1, +parts[2] + Math.round(offset)));
  }

  function label(start, offset, withYear) {
    var d = dayDate(start, offset);
    var text = d.getUTCDate() + " " + MONTHS[d.getUTCMonth()];
    return withYear ? text + " " + d.getUTCFullYear() : text;
  }

  // Evenly spaced day ticks that always include the first and the last day; fewer when narrow.
  function xAxis(payload) {
    var span = Math.max(payload.span, 1);
    var withYear = span > 120;
    return {
      type: "linear",
      min: 0,
      max: span,
      grid: { color: GRID },
      afterBuildTicks: function (scale) {
        // One label per ~80 px (~100 px with the year): 3-4 on a phone, up to 6 on a desktop.
        var room = scale.width || scale.chart.width;
        var count = Math.floor(room / (withYear ? 100 : 80)) + 1;
        count = Math.max(2, Math.min(count, 6, span + 1));
        var ticks = [];
        for (var i = 0; i < count; i++) {
          ticks.push({ value: Math.round(i * span / Math.max(count - 1, 1)) });
        }
        scale.ticks = ticks;
      },
      ticks: {
        autoSkip: false,
        maxRotation: 0,
        font: { size: FONT },
        color: TICK,
        callback: function (value) { return label(payload.start, value, withYear); }
      }
    };
  }

  // Vertical lines for medication starts, stops and dose changes, with a glyph at the top.
  function markersPlugin(markers) {
    return {
      id: "medicationMarkers",
      afterDatasetsDraw: function (chart) {
        if (!markers.length) { return; }
        var x = chart.scales.x;
        var area = chart.chartArea;
        var ctx = chart.ctx;
        ctx.save();
        markers.forEach(function (marker) {
          var style = MARKER_STYLE[marker.kind] || MARKER_STYLE.start;
          var px = x.getPixelForValue(marker.x);
          if (px < area.left - 1 || px > area.right + 1) { return; }
          ctx.strokeStyle = style.colour;
          ctx.fillStyle = style.colour;
          ctx.lineWidth = 1.5;
          ctx.setLineDash(style.dash);
          ctx.beginPath();
          ctx.moveTo(px, area.top);
          ctx.lineTo(px, area.bottom);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.font = FONT + "px sans-serif";
          ctx.textAlign = "center";
          ctx.textBaseline = "top";
          ctx.fillText(style.glyph, px, area.top - FONT - 2);
        });
        ctx.restore();
      }
    };
  }

  function tooltipTitle(payload) {
    return function (items) {
      if (!items.length) { return ""; }
      var raw = items[0].raw || {};
      if (payload.mode === "weekly") {
        // The page's language (data-week-one / data-week-many on the charts' root, issue 15).
        var template = (raw.n === 1 ? WORDS.weekOne : WORDS.weekMany) ||
          "Week {week} ({from} to {to}), mean of {n} check-ins";
        return template.replace("{week}", raw.week).replace("{from}", raw.from)
          .replace("{to}", raw.to).replace("{n}", raw.n);
      }
      return label(payload.start, items[0].parsed.x, true);
    };
  }

  function measureChart(canvas, payload, chart) {
    var colour = COLOURS[chart.key] || INK;
    var daily = payload.mode === "daily";
    return new window.Chart(canvas, {
      type: "line",
      data: {
        datasets: [{
          label: chart.label,
          data: chart.points,
          parsing: { xAxisKey: "x", yAxisKey: "y" },
          borderColor: colour,
          backgroundColor: colour,
          borderWidth: 2,
          pointRadius: daily && payload.span > 60 ? 1.5 : 3,
          spanGaps: false
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { top: FONT + 4, right: 8 } },
        interaction: { mode: "nearest", axis: "x", intersect: false },
        plugins: {
          legend: { display: false },
          tooltip: {
            titleFont: { size: FONT }, bodyFont: { size: FONT },
            callbacks: { title: tooltipTitle(payload) }
          }
        },
        scales: {
          x: xAxis(payload),
          y: {
            min: 0, max: 10,
            ticks: { stepSize: 5, font: { size: FONT }, color: TICK },
            grid: { color: GRID }
          }
        }
      },
      plugins: [markersPlugin(payload.markers)]
    });
  }

  function timelineChart(canvas, payload) {
    var rows = payload.courses;
    // CSSOM, not a style attribute: allowed under the strict CSP.
    canvas.parentNode.style.height = (56 + rows.length * 34) + "px";
    var labels = rows.map(function (row) {
      return row.label.length > 18 ? row.label.slice(0, 17) + "…" : row.label;
    });
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          {
            label: "Taking",
            data: rows.map(function (row) { return [row.from, row.to]; }),
            backgroundColor: rows.map(function (row) { return TIERS[row.tier] || TIERS.none; }),
            borderColor: "rgba(0,0,0,0.35)",
            borderWidth: 1,
            grouped: false,
            barPercentage: 0.7
          },
          {
            label: "Washout",
            data: rows.map(function (row) {
              return row.washout_to > row.to ? [row.to, row.washout_to] : null;
            }),
            backgroundColor: "rgba(138,152,150,0.25)",
            borderColor: AXIS,
            borderWidth: 1,
            borderDash: [3, 2],
            grouped: false,
            barPercentage: 0.7
          }
        ]
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { top: FONT + 4, right: 8 } },
        plugins: {
          legend: { display: false },
          tooltip: {
            titleFont: { size: FONT }, bodyFont: { size: FONT },
            callbacks: {
              title: function (items) { return items.length ? rows[items[0].dataIndex].label : ""; },
              label: function (item) {
                var row = rows[item.dataIndex];
                return item.datasetIndex === 0 ? row.detail : "Washout " + row.washout_days + " days";
              }
            }
          }
        },
        scales: {
          x: xAxis(payload),
          y: { ticks: { font: { size: FONT }, color: INK }, grid: { display: false } }
        }
      },
      plugins: [markersPlugin(payload.markers)]
    });
  }

  function bandsPlugin(bands) {
    return {
      id: "severityBands",
      beforeDatasetsDraw: function (chart) {
        var y = chart.scales.y;
        var area = chart.chartArea;
        var ctx = chart.ctx;
        ctx.save();
        bands.forEach(function (band, index) {
          var top = y.getPixelForValue(band.high);
          var bottom = y.getPixelForValue(band.low);
          ctx.fillStyle = BAND_COLOURS[index % BAND_COLOURS.length];
          ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
        });
        ctx.restore();
      }
    };
  }

  // A questionnaire's totals (PHQ-9, FIQR) over its severity bands, on the same day axis.
  function totalsChart(canvas, payload) {
    var edges = payload.bands.map(function (band) { return band.low; }).concat([payload.max]);
    return new window.Chart(canvas, {
      type: "line",
      data: {
        datasets: [{
          label: payload.label,
          data: payload.points,
          parsing: { xAxisKey: "x", yAxisKey: "y" },
          borderColor: INK,
          backgroundColor: INK,
          borderWidth: 2,
          pointRadius: 4
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { top: 8, right: 8 } },
        plugins: {
          legend: { display: false },
          tooltip: {
            titleFont: { size: FONT }, bodyFont: { size: FONT },
            callbacks: {
              title: function (items) {
                return items.length ? label(payload.start, items[0].parsed.x, true) : "";
              }
            }
          }
        },
        scales: {
          x: xAxis(payload),
          y: {
            min: 0, max: payload.max,
            afterBuildTicks: function (scale) {
              scale.ticks = edges.map(function (value) { return { value: value }; });
            },
            ticks: { font: { size: FONT }, color: TICK },
            grid: { color: GRID }
          }
        }
      },
      plugins: [bandsPlugin(payload.bands)]
    });
  }

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function setUp(root) {
    var payload = read(root.getAttribute("data-measure-charts"));
    if (!payload) { return; }
    var months = (root.getAttribute("data-months") || "").split(",");
    if (months.length === 12) { MONTHS = months; }
    WORDS.weekOne = root.getAttribute("data-week-one");
    WORDS.weekMany = root.getAttribute("data-week-many");
    root.querySelectorAll("canvas[data-measure]").forEach(function (canvas) {
      var key = canvas.getAttribute("data-measure");
      var chart = payload.charts.filter(function (c) { return c.key === key; })[0];
      if (chart) { measureChart(canvas, payload, chart); }
    });
    root.querySelectorAll("input[data-chart-toggle]").forEach(function (input) {
      var figure = document.getElementById(input.getAttribute("aria-controls"));
      if (!figure) { return; }
      var sync = function () { figure.hidden = !input.checked; };
      input.addEventListener("change", sync);
      sync();
    });
  }

  function start() {
    var haveCharts = typeof window.Chart !== "undefined";
    if (!haveCharts) {
      document.body.classList.add("no-charts");
    } else {
      window.Chart.defaults.font.size = FONT;
    }
    document.querySelectorAll("[data-measure-charts]").forEach(function (root) {
      root.classList.add("charts-ready");
      if (haveCharts) { setUp(root); }
    });
    if (!haveCharts) { return; }
    document.querySelectorAll("canvas[data-timeline]").forEach(function (canvas) {
      var payload = read(canvas.getAttribute("data-timeline"));
      if (payload && payload.courses.length) { timelineChart(canvas, payload); }
    });
    document.querySelectorAll("canvas[data-totals]").forEach(function (canvas) {
      var payload = read(canvas.getAttribute("data-totals"));
      if (payload && payload.points.length) { totalsChart(canvas, payload); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

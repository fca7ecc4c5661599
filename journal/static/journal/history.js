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
  var COLOURS = ["#a4161a", "#b85c00", "#2f6f73", "#6a4c93", "#2e6b3a"];
  var DASHES = [[], [6, 4], [2, 3], [10, 4, 2, 4], [1, 0]];

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
      scales: { y: { min: min, max: max, ticks: { precision: 0 } } }
    });
  }

  var daily = document.getElementById("chart-daily");
  if (daily) {
    new window.Chart(daily, {
      type: "line",
      data: {
        labels: days,
        datasets: scales.map(function (scale, index) {
          return {
            label: scale.label + " (0 " + scale.low.toLowerCase() + ", 10 " + scale.high.toLowerCase() + ")",
            data: valuesFor(scale.name),
            borderColor: COLOURS[index],
            backgroundColor: COLOURS[index],
            borderDash: DASHES[index],
            pointRadius: days.length > 90 ? 0 : 2,
            spanGaps: false
          };
        })
      },
      options: options(0, 10)
    });
  }

  function totalsChart(id, rows, max, bands, label) {
    var canvas = document.getElementById(id);
    if (!canvas || rows.length === 0) { return; }
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: rows.map(function (row) { return row.date; }),
        datasets: [{
          label: label,
          data: rows.map(function (row) { return row.total; }),
          borderColor: "#1d2a2b",
          backgroundColor: "#1d2a2b",
          pointRadius: 4
        }]
      },
      options: options(0, max),
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
        labels: days,
        datasets: [{
          label: "Painful areas in the daily check-in",
          data: valuesFor("regions"),
          backgroundColor: "#2f6f73"
        }]
      },
      options: options(0, 19)
    });
  }
})();

// The hits page's chart: hits over time per keyword group (uPlot, served by polmon itself).
"use strict";
(function () {
  var box = document.getElementById("hit-chart");
  if (!box || typeof uPlot === "undefined") return;

  function dayStart(text) { // "2024-06-01" -> seconds since the epoch, UTC midnight
    var parts = text.split("-").map(Number);
    return Date.UTC(parts[0], parts[1] - 1, parts[2]) / 1000;
  }

  function nextPeriod(at, interval) {
    if (interval === "month") {
      var day = new Date(at * 1000);
      return Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 1) / 1000;
    }
    return at + (interval === "week" ? 7 : 1) * 86400;
  }

  // Periods without hits are left out by the API: put them back as zeros (up to a limit),
  // so that a line between two far-apart hits does not read as hits in between.
  function everyPeriod(periods) {
    periods.sort(function (a, b) { return a - b; });
    if (periods.length < 2) return periods;
    var interval = box.getAttribute("data-interval") || "day";
    var all = [], at = periods[0], last = periods[periods.length - 1];
    while (at <= last && all.length <= 20000) { all.push(at); at = nextPeriod(at, interval); }
    return all.length > 20000 ? periods : all;
  }

  function chartData(rows) {
    var groups = [], periods = [], counts = {};
    rows.forEach(function (row) {
      var at = dayStart(row.period_start);
      if (groups.indexOf(row.group) < 0) groups.push(row.group);
      if (periods.indexOf(at) < 0) periods.push(at);
      var key = row.group + "\u0000" + at;
      counts[key] = (counts[key] || 0) + row.hits;
    });
    groups.sort();
    periods = everyPeriod(periods);
    var data = [periods];
    groups.forEach(function (group) {
      data.push(periods.map(function (at) { return counts[group + "\u0000" + at] || 0; }));
    });
    return { groups: groups, data: data };
  }

  var COLOURS = ["#0b5cad", "#c2410c", "#15803d", "#7e22ce", "#a4161a", "#0e7490", "#854d0e"];

  function draw(rows) {
    box.textContent = "";
    if (!rows.length) {
      var empty = document.createElement("p");
      empty.className = "muted";
      empty.textContent = "No hits to chart for these filters.";
      box.appendChild(empty);
      return;
    }
    var chart = chartData(rows);
    var series = [{ label: box.getAttribute("data-interval") || "day",
      value: function (u, v) { return v == null ? "" : new Date(v * 1000).toISOString().slice(0, 10); } }];
    chart.groups.forEach(function (group, i) {
      series.push({ label: group, stroke: COLOURS[i % COLOURS.length], width: 2,
        value: function (u, v) { return v == null ? "" : String(v); } });
    });
    var opts = {
      width: Math.max(320, Math.min(box.clientWidth || 900, 1200)),
      height: 280,
      series: series,
      scales: { x: { time: true } },
      axes: [{}, { label: "hits", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000] }],
      cursor: { points: { size: 8 } },
    };
    box.uplot = new uPlot(opts, chart.data, box);
  }

  fetch(box.getAttribute("data-trends-url"), { credentials: "same-origin",
    headers: { accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(draw)
    .catch(function (error) {
      box.textContent = "The chart could not be loaded (" + error.message + ").";
    });
})();

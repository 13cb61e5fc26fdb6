// The actor growth chart: uPlot over /api/actors/<id>/growth, drag to zoom (refetched at a finer
// resolution), the legend shows the date and exact values under the cursor, events as markers.
// On an account page: median views per post and ERR by week, from the table's data-weeks.
"use strict";
(function () {
  const box = document.getElementById("engagement-chart");
  if (!box || typeof uPlot === "undefined") return;
  const weeks = JSON.parse(box.dataset.weeks);
  const x = weeks.map(function (w) { return Date.parse(w.week + "T00:00:00Z") / 1000; });
  const options = {
    width: Math.max(box.clientWidth, 320),
    height: 260,
    tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); },
    series: [
      { label: "Week from", value: function (u, t) { return t == null ? "—" : new Date(t * 1000).toISOString().slice(0, 10); } },
      { label: "Median views", stroke: "#0b5cad", width: 2, scale: "views",
        value: function (u, v) { return v == null ? "—" : Math.round(v).toLocaleString("en-US"); } },
      { label: "ERR", stroke: "#d35400", width: 2, scale: "err",
        value: function (u, v) { return v == null ? "—" : (v * 100).toFixed(2) + "%"; } },
    ],
    axes: [{ incrs: [86400, 7 * 86400, 14 * 86400, 28 * 86400, 91 * 86400, 364 * 86400],
      values: function (u, ticks) { return ticks.map(function (t) { return new Date(t * 1000).toISOString().slice(0, 10); }); } },
      { scale: "views", size: 60 },
      { scale: "err", side: 1, size: 60, grid: { show: false },
        values: function (u, ticks) { return ticks.map(function (t) { return (t * 100).toFixed(1) + "%"; }); } }],
  };
  new uPlot(options, [x, weeks.map(function (w) { return w.median_views; }),
    weeks.map(function (w) { return w.err; })], box);
})();
(function () {
  const box = document.getElementById("growth-chart");
  if (!box || typeof uPlot === "undefined") return;
  const original = box.dataset.api;
  const reset = document.getElementById("chart-reset");
  const note = document.getElementById("chart-note");
  const MARKER_COLOURS = {
    renamed: "#6c3fb5", deleted: "#a4161a", private: "#b7950b", unavailable: "#7f8c8d",
    came_back: "#1b7f3b", handle_reassigned: "#d35400", jump: "#1b7f3b", drop: "#a4161a",
    migration: "#0b5cad",
  };
  let plot = null;

  function formatTime(seconds, resolution) {
    if (seconds == null) return "—";
    const iso = new Date(seconds * 1000).toISOString();
    return resolution === "hour" ? iso.slice(0, 16).replace("T", " ") + " UTC" : iso.slice(0, 10);
  }

  function formatValue(value) {
    return value == null ? "—" : Math.round(value).toLocaleString("en-US");
  }

  function compact(value) {
    const size = Math.abs(value);
    if (size >= 1e6) return (value / 1e6).toFixed(size >= 1e7 ? 0 : 1) + "M";
    if (size >= 1e3) return (value / 1e3).toFixed(size >= 1e4 ? 0 : 1) + "k";
    return String(value);
  }

  function markers(events) {
    return {
      hooks: {
        draw: [function (u) {
          const ctx = u.ctx;
          const [low, high] = [u.scales.x.min, u.scales.x.max];
          ctx.save();
          ctx.font = Math.round(11 * devicePixelRatio) + "px system-ui, sans-serif";
          events.forEach(function (event, index) {
            if (event.t < low || event.t > high) return;
            const x = Math.round(u.valToPos(event.t, "x", true));
            const colour = MARKER_COLOURS[event.kind] || "#333";
            ctx.strokeStyle = colour;
            ctx.fillStyle = colour;
            ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
            ctx.lineWidth = devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            const y = u.bbox.top + (12 + (index % 4) * 13) * devicePixelRatio;
            ctx.fillText(event.kind, x + 3 * devicePixelRatio, y);
          });
          ctx.restore();
        }],
      },
    };
  }

  // An actor with many accounts: the total and the MAX_LINES largest accounts (latest value).
  const MAX_LINES = 24;
  function lastValue(line) {
    for (let i = line.values.length - 1; i >= 0; i--) if (line.values[i] != null) return line.values[i];
    return -1;
  }
  function largest(all) {
    const accounts = all.filter(function (line) { return line.account_id !== null; });
    if (accounts.length <= MAX_LINES) return all;
    const kept = accounts.slice().sort(function (a, b) { return lastValue(b) - lastValue(a); })
      .slice(0, MAX_LINES);
    return all.filter(function (line) { return line.account_id === null || kept.indexOf(line) >= 0; });
  }

  function showEmpty(text) {
    const empty = document.createElement("p");
    empty.className = "muted chart-empty";
    empty.textContent = text;
    box.appendChild(empty);
  }

  function draw(data) {
    if (plot) { plot.destroy(); plot = null; }
    box.querySelectorAll(".chart-empty").forEach(function (el) { el.remove(); });
    box.dataset.resolution = data.resolution;
    if (note) note.textContent = "Points per " + data.resolution + ". Drag across the chart to zoom in.";
    if (!data.x.length || !data.series.length) { showEmpty("No captures in this window."); return; }
    const lines = largest(data.series);
    const series = [{ label: "Date", value: function (u, t) { return formatTime(t, data.resolution); } }];
    lines.forEach(function (line) {
      series.push({
        label: line.label,
        stroke: line.colour,
        width: line.account_id === null ? 2.4 : 1.6,
        spanGaps: true,
        points: { show: data.x.length <= 120 },
        value: function (u, v) { return formatValue(v); },
      });
    });
    const options = {
      width: Math.max(box.clientWidth, 320),
      height: 400,
      series: series,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); },
      axes: [{}, { size: 60, values: function (u, ticks) { return ticks.map(compact); } }],
      cursor: { drag: { x: true, y: false, setScale: false } },
      plugins: [markers(data.events)],
      hooks: { setSelect: [zoom] },
    };
    plot = new uPlot(options, [data.x].concat(lines.map(function (s) { return s.values; })), box);
    if (note && lines.length < data.series.length) {
      note.textContent += " Showing the total and the " + (lines.length - 1) + " largest of " +
        (data.series.length - 1) + " accounts.";
    }
  }

  function load(url) {
    box.setAttribute("aria-busy", "true");
    return fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(draw)
      .catch(function (error) { showEmpty("The chart could not be loaded (" + error.message + ")."); })
      .finally(function () { box.setAttribute("aria-busy", "false"); });
  }

  function zoom(u) {
    if (u.select.width < 3) return;
    const since = u.posToVal(u.select.left, "x");
    const until = u.posToVal(u.select.left + u.select.width, "x");
    const url = new URL(original, location.href);
    url.searchParams.set("since", new Date(since * 1000).toISOString());
    url.searchParams.set("until", new Date(until * 1000).toISOString());
    url.searchParams.set("resolution", "auto");
    if (reset) reset.hidden = false;
    setTimeout(function () { load(url.pathname + url.search); }, 0);
  }

  if (reset) reset.addEventListener("click", function () { reset.hidden = true; load(original); });
  window.addEventListener("resize", function () {
    if (plot) plot.setSize({ width: Math.max(box.clientWidth, 320), height: 400 });
  });
  load(original);
})();

// The post page: transcript times and keyword hits seek the player; ?t= or #t= opens it there.
"use strict";
(function () {
  function playerFor(position) {
    if (position !== null && position !== undefined && position !== "") {
      var found = document.querySelector('[data-player="' + CSS.escape(String(position)) + '"]');
      if (found) return found;
    }
    return document.querySelector("[data-player]");
  }

  function seek(player, seconds) {
    if (!player || !isFinite(seconds) || seconds < 0) return;
    if (player.readyState >= 1) {
      player.currentTime = seconds;
    } else {
      player.addEventListener("loadedmetadata", function () { player.currentTime = seconds; },
        { once: true });
      player.currentTime = seconds; // kept as the start position until the metadata is in
    }
  }

  function startFromUrl() {
    var hash = /(?:^#|&)t=([0-9.]+)/.exec(window.location.hash);
    if (hash) return parseFloat(hash[1]);
    var query = new URLSearchParams(window.location.search).get("t");
    return query === null ? NaN : parseFloat(query);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-seek]") : null;
    if (!link) return;
    var player = playerFor(link.getAttribute("data-media"));
    if (!player) return; // no file to play: the #t= link stays a plain anchor
    event.preventDefault();
    var seconds = parseFloat(link.getAttribute("data-seek"));
    seek(player, seconds);
    history.replaceState(null, "", "#t=" + seconds);
    // A paused player stays paused at the second (press play to hear it); a playing one
    // goes on playing from there.
    player.scrollIntoView({ block: "nearest" });
  });

  var start = startFromUrl();
  if (!isFinite(start)) {
    var marked = document.querySelector("[data-player][data-start]");
    start = marked ? parseFloat(marked.getAttribute("data-start")) : NaN;
  }
  if (isFinite(start)) seek(playerFor(null), start);

  // Views (and likes, shares, comments where stored) at each capture, from the JSON twin.
  var metricsBox = document.getElementById("metrics-chart");
  if (metricsBox && typeof uPlot !== "undefined") {
    fetch(metricsBox.getAttribute("data-post-api"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(); })
      .then(function (page) {
        var times = page.metrics.map(function (m) { return Date.parse(m.captured_at) / 1000; });
        var data = [times], series = [{}];
        var colours = { views: "#0b5cad", likes: "#c2410c", shares: "#15803d", comments: "#7e22ce" };
        Object.keys(colours).forEach(function (name) {
          var values = page.metrics.map(function (m) { return m[name]; });
          if (!values.some(function (v) { return v !== null; })) return;
          data.push(values);
          series.push({ label: name, stroke: colours[name], width: 2, spanGaps: true,
            scale: name === "views" ? "views" : "n" });
        });
        var axes = [{}, { scale: "views", label: "views", size: 70 }];
        if (series.length > 2) axes.push({ scale: "n", side: 1, grid: { show: false } });
        metricsBox.uplot = new uPlot({ width: Math.min(metricsBox.clientWidth || 800, 900),
          height: 220, series: series, axes: axes, scales: { x: { time: true } } }, data, metricsBox);
      })
      .catch(function () { metricsBox.textContent = "The chart could not be loaded."; });
  }
})();

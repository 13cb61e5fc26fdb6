// The engagement page's charts: per account, its typical views curve by age and its flagged
// posts' curves (uPlot, served by polmon itself). Text from the platforms goes in as text only.
"use strict";
(function () {
  var box = document.getElementById("curve-charts");
  if (!box || typeof uPlot === "undefined") return;

  var AGES = ["1h", "6h", "24h", "7d"];
  var AT = [0, 1, 2, 3]; // the ages evenly spaced, labelled (their hours are 1, 6, 24, 168)
  var SHOWN_ACCOUNTS = 6, SHOWN_POSTS = 8;
  var FLAG_COLOURS = { boosted: "#a4161a", suppressed: "#0b5cad", mixed: "#7e22ce" };

  function key(row) { return row.platform + "\u0000" + row.account; }

  function note(text) {
    var p = document.createElement("p");
    p.className = "muted";
    p.textContent = text;
    box.appendChild(p);
  }

  function accountChart(title, typical, posts) {
    var section = document.createElement("figure");
    section.className = "curve-chart";
    var caption = document.createElement("figcaption");
    caption.textContent = title;
    section.appendChild(caption);
    box.appendChild(section);
    var data = [AT, AGES.map(function (age) { return typical[age]; })];
    var series = [
      { label: "age", value: function (u, v) { return v == null ? "" : AGES[v] || ""; } },
      { label: "typical (median)", stroke: "#1d232a", width: 3, spanGaps: true },
    ];
    posts.forEach(function (post) {
      data.push(AGES.map(function (age) { return post["views_" + age]; }));
      series.push({ label: "post " + post.id + " (" + post.flag + ")",
        stroke: FLAG_COLOURS[post.flag] || "#5b6670", width: 1.5, dash: [6, 3], spanGaps: true });
    });
    var opts = {
      width: Math.max(320, Math.min(box.clientWidth || 900, 1000)),
      height: 260,
      series: series,
      scales: { x: { time: false, range: [-0.2, 3.2] } },
      axes: [
        { label: "age after publication", splits: function () { return AT; },
          values: function (u, ticks) { return ticks.map(function (t) { return AGES[t] || ""; }); } },
        { label: "views" },
      ],
      cursor: { points: { size: 8 } },
    };
    section.uplot = new uPlot(opts, data, section);
  }

  function draw(body) {
    box.textContent = "";
    var typicals = {}, names = {}, order = [];
    body.typical.forEach(function (row) {
      var k = key(row);
      if (!typicals[k]) {
        typicals[k] = {};
        names[k] = row.actor + " · " + row.platform + " " + row.account;
        order.push(k);
      }
      typicals[k][row.age] = row.views;
    });
    var flagged = {};
    body.posts.forEach(function (post) {
      if (!post.flag) return;
      var k = key(post);
      (flagged[k] = flagged[k] || []).push(post);
    });
    var drawn = 0;
    order.forEach(function (k) {
      var hasTypical = AGES.some(function (age) { return typicals[k][age] != null; });
      if (drawn >= SHOWN_ACCOUNTS || !hasTypical) return;
      accountChart(names[k], typicals[k], (flagged[k] || []).slice(0, SHOWN_POSTS));
      drawn += 1;
    });
    if (!drawn) note("No account has enough posts for a typical curve in this window.");
  }

  fetch(box.getAttribute("data-api"), { credentials: "same-origin",
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

/*
 * Draws each progress chart on the page (templates/tracker/partials/progress_chart.html).
 *
 * Each <canvas data-progress-chart="ID"> reads its data from the json_script element #ID, built by
 * tracker/progress/chart.py. Gaps stay gaps (spanGaps: false). Safe to load more than once: a canvas is
 * drawn once.
 */
(function () {
  "use strict";

  var FOOT_COLOURS = [
    { pain: "#0b5394", mean: "#0b5394" },
    { pain: "#a64d00", mean: "#a64d00" }
  ];

  // Colours from the page's Bootstrap theme, so the chart reads in light and dark mode alike.
  function themeColour(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  // Shades the milestone windows (behind the lines) between two label indices, each with its title on a
  // solid label so it stays readable over the lines and grid; a title too long for the chart is cut with "…".
  var milestoneWindows = {
    id: "milestoneWindows",
    beforeDatasetsDraw: function (chart, args, options) {
      var spans = options.spans || [];
      if (!spans.length) return;
      var x = chart.scales.x;
      var area = chart.chartArea;
      var ctx = chart.ctx;
      var labels = chart.data.labels;
      ctx.save();
      spans.forEach(function (span) {
        // The window may start or end outside the days shown: clip it to the chart.
        var first = labels.findIndex(function (d) { return d >= span.start; });
        var last = -1;
        for (var i = labels.length - 1; i >= 0; i--) {
          if (labels[i] <= span.end) { last = i; break; }
        }
        if (first === -1 || last === -1 || first > last) return;
        var left = Math.max(area.left, x.getPixelForValue(first) - 4);
        var right = Math.min(area.right, x.getPixelForValue(last) + 4);
        ctx.fillStyle = "rgba(25, 135, 84, 0.15)";
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
      });
      ctx.restore();
    },
    afterDatasetsDraw: function (chart, args, options) {
      var spans = options.spans || [];
      if (!spans.length) return;
      var x = chart.scales.x;
      var area = chart.chartArea;
      var ctx = chart.ctx;
      var labels = chart.data.labels;
      ctx.save();
      ctx.font = "600 13px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      var row = 0;
      spans.forEach(function (span) {
        var first = labels.findIndex(function (d) { return d >= span.start; });
        if (first === -1 || labels[labels.length - 1] < span.start) return;
        var left = Math.max(area.left, x.getPixelForValue(first) - 4);
        var text = span.title;
        // A window near the right edge: move its title left (over the chart) rather than cut it.
        var full = ctx.measureText(text).width + 12;
        if (left + full > area.right) left = Math.max(area.left, area.right - full);
        var room = area.right - left - 12;
        while (text.length > 4 && ctx.measureText(text).width > room) text = text.slice(0, -2).trim() + "…";
        var width = ctx.measureText(text).width + 8;
        var top = area.top + 4 + row * 22;
        row += 1;
        ctx.fillStyle = themeColour("--bs-body-bg", "#ffffff");
        ctx.fillRect(left + 2, top, width, 20);
        ctx.fillStyle = themeColour("--bs-success-text-emphasis", "#0a3622");
        ctx.fillText(text, left + 6, top + 10);
      });
      ctx.restore();
    }
  };

  // "2026-03-05" as a short date in the reader's language ("5 Mar"), read as a local day (not UTC midnight).
  function shortDate(iso) {
    var parts = String(iso).split("-");
    if (parts.length !== 3) return iso;
    var day = new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
    return day.toLocaleDateString(undefined, { day: "numeric", month: "short" });
  }

  function constant(labels, value) {
    return labels.map(function () { return value; });
  }

  function datasets(data) {
    var sets = [];
    var labels = data.labels;
    var twoFeet = data.feet.length > 1;
    if (data.band) {
      sets.push({
        label: "Other patients: lower quarter",
        data: data.band.q1,
        borderWidth: 0,
        pointRadius: 0,
        spanGaps: false,
        fill: false,
        order: 10
      });
      sets.push({
        label: "Other patients: middle half",
        data: data.band.q3,
        borderWidth: 0,
        pointRadius: 0,
        backgroundColor: "rgba(13, 110, 253, 0.15)",
        spanGaps: false,
        fill: "-1",
        order: 10
      });
      sets.push({
        label: "Other patients: median",
        data: data.band.median,
        borderColor: "rgba(13, 110, 253, 0.5)",
        borderWidth: 1,
        pointRadius: 0,
        spanGaps: false,
        order: 9
      });
    }
    data.feet.forEach(function (foot, i) {
      var colour = FOOT_COLOURS[i % FOOT_COLOURS.length];
      if (document.documentElement.getAttribute("data-bs-theme") === "dark") colour = { pain: "#8bb9fe", mean: "#8bb9fe" };
      var prefix = twoFeet ? foot.label + ": " : "";
      sets.push({
        label: prefix + "first-step pain",
        data: foot.pain,
        borderColor: colour.pain,
        backgroundColor: colour.pain,
        showLine: false,
        pointRadius: 4,
        pointHoverRadius: 6,
        spanGaps: false,
        order: 1
      });
      sets.push({
        label: prefix + "7-day average",
        data: foot.mean_7d,
        borderColor: colour.mean,
        borderWidth: 2,
        pointRadius: 0,
        spanGaps: false,
        tension: 0.2,
        order: 2
      });
      if (foot.baseline !== null) {
        sets.push({
          label: prefix + "starting level",
          data: constant(labels, foot.baseline),
          borderColor: "#6c757d",
          borderDash: [6, 4],
          borderWidth: 1.5,
          pointRadius: 0,
          order: 5
        });
      }
      if (foot.target !== null) {
        sets.push({
          label: prefix + "real improvement (2 points better)",
          data: constant(labels, foot.target),
          borderColor: "#198754",
          borderDash: [2, 3],
          borderWidth: 1.5,
          pointRadius: 0,
          order: 5
        });
      }
    });
    if (data.sessions.length) {
      var marks = constant(labels, null);
      var names = constant(labels, "");
      data.sessions.forEach(function (s) {
        if (s.index !== null && s.index !== undefined) {
          marks[s.index] = 0.3;
          names[s.index] = names[s.index] ? names[s.index] + ", " + s.label : s.label;
        }
      });
      sets.push({
        label: "Sessions",
        data: marks,
        sessionNames: names,
        showLine: false,
        pointStyle: "triangle",
        pointRadius: 7,
        borderColor: "#6f42c1",
        backgroundColor: "#6f42c1",
        order: 0
      });
    }
    return sets;
  }

  function draw(canvas) {
    if (canvas.dataset.drawn === "true" || typeof window.Chart === "undefined") return;
    var source = document.getElementById(canvas.dataset.progressChart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    if (canvas.dataset.foot !== undefined) {
      // Two feet treated: this canvas draws one of them (the partial renders a canvas per foot).
      data.feet = [data.feet[Number(canvas.dataset.foot)]];
    }
    canvas.dataset.drawn = "true";
    var text = themeColour("--bs-body-color", "#212529");
    var grid = themeColour("--bs-border-color-translucent", "rgba(0, 0, 0, 0.1)");
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets(data) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        spanGaps: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: {
            grid: { color: grid },
            ticks: {
              color: text,
              autoSkip: true,
              autoSkipPadding: 16,
              maxRotation: 0,
              minRotation: 0,
              maxTicksLimit: canvas.clientWidth < 500 ? 4 : 8,
              callback: function (value) { return shortDate(this.getLabelForValue(value)); }
            }
          },
          y: {
            min: 0,
            max: data.y_max,
            grid: { color: grid },
            ticks: { stepSize: 2, color: text },
            title: { display: true, text: "Pain, 0 to 10", color: text }
          }
        },
        plugins: {
          // One legend: the figure's caption, in words, below the chart (readable, and the same on every screen).
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? shortDate(items[0].label) : ""; },
              label: function (ctx) {
                if (ctx.dataset.sessionNames) return "Session: " + ctx.dataset.sessionNames[ctx.dataIndex];
                if (ctx.raw === null) return null;
                return ctx.dataset.label + ": " + ctx.raw;
              }
            }
          },
          milestoneWindows: { spans: data.milestones }
        }
      },
      plugins: [milestoneWindows]
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-progress-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();

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

  // Shades the milestone windows (behind the lines) between two label indices.
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
        ctx.fillStyle = "rgba(25, 135, 84, 0.12)";
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        ctx.fillStyle = "#146c43";
        ctx.font = "12px system-ui, sans-serif";
        ctx.fillText(span.title, left + 4, area.top + 14, Math.max(40, right - left - 8));
      });
      ctx.restore();
    }
  };

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
    canvas.dataset.drawn = "true";
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
            ticks: { maxTicksLimit: 6, autoSkip: true, maxRotation: 0 }
          },
          y: {
            min: 0,
            max: data.y_max,
            ticks: { stepSize: 2 },
            title: { display: true, text: "Pain, 0 to 10" }
          }
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: {
              boxWidth: 12,
              filter: function (item) { return item.text.indexOf("lower quarter") === -1; }
            }
          },
          tooltip: {
            callbacks: {
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

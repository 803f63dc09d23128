/* Draws each dashboard chart from the JSON beside its canvas (json_script): Chart.js, served
   from the project (static/assets/vendor). Without JavaScript the tables carry the figures. */
(function () {
  "use strict";
  var palette = ["#1f6feb", "#d97706", "#16a34a", "#dc2626", "#7c3aed", "#0891b2", "#64748b", "#db2777"];
  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof Chart === "undefined") return;
    var spec = JSON.parse(source.textContent);
    var doughnut = spec.type === "doughnut";
    var datasets = spec.series.map(function (series, index) {
      return {
        label: series.label,
        data: series.data,
        backgroundColor: doughnut ? palette : palette[index % palette.length],
      };
    });
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.type === "bar" && !spec.stacked ? "y" : "x",
        plugins: { legend: { display: doughnut || datasets.length > 1, position: "bottom" } },
        scales: doughnut ? {} : {
          x: { stacked: !!spec.stacked, ticks: spec.integer ? { precision: 0 } : {} },
          y: { stacked: !!spec.stacked, ticks: spec.integer ? { precision: 0 } : {} },
        },
      },
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();

// Chart of a printable daily report (data in the page's #report-data JSON block).
"use strict";
(function () {
  const r = JSON.parse(document.getElementById("report-data").textContent);
  const hours = [...Array(24).keys()].map((h) => String(h).padStart(2, "0") + ":00");
  const colours = { sent: "#2563eb", delivered: "#16a34a", read: "#0d9488", replied: "#7c3aed", received: "#ea580c" };
  const traces = Object.keys(colours).map((m) => ({
    x: hours, y: r.hourly[m], name: m, type: m === "sent" ? "bar" : "scatter", mode: "lines+markers",
    marker: { color: colours[m], opacity: m === "sent" ? 0.35 : 1 }, line: { color: colours[m], width: 2 },
  }));
  Plotly.newPlot("hourly", traces, {
    margin: { t: 10, r: 10, b: 40, l: 40 }, legend: { orientation: "h", y: -0.2 },
    font: { family: "system-ui, sans-serif", size: 12 }, yaxis: { rangemode: "tozero" },
  }, { displayModeBar: false, staticPlot: true });
})();

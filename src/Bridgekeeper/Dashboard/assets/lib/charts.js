// Charts drawn by Chart.js (vendored, pinned: vendor/README.md). Every chart is also shown as a table beside it.
const palette = ['#2f6fde', '#e0713a', '#33a06f', '#9b59b6', '#d4a017', '#16a2b8', '#c0392b', '#7f8c8d', '#6c5ce7', '#27ae60'];

function make(canvas, config) {
  config.options = { animation: false, responsive: true, maintainAspectRatio: false, ...config.options };
  return new window.Chart(canvas, config);
}

export function lineChart(canvas, labels, series, yTitle) {
  const scales = { y: { beginAtZero: true, position: 'left', title: { display: true, text: yTitle } } };
  if (series.some(s => s.axis === 'cost')) {
    scales.cost = { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'USD' } };
  }
  return make(canvas, {
    type: 'line',
    data: {
      labels,
      datasets: series.map((s, i) => ({
        label: s.label, data: s.data, yAxisID: s.axis ?? 'y', borderColor: palette[i], backgroundColor: palette[i], tension: 0.2, pointRadius: 2,
      })),
    },
    options: { interaction: { mode: 'index', intersect: false }, scales },
  });
}

export function barChart(canvas, labels, label, data, { horizontal = false } = {}) {
  return make(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label, data, backgroundColor: labels.map((_, i) => palette[i % palette.length]) }] },
    options: { indexAxis: horizontal ? 'y' : 'x', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true }, y: { beginAtZero: true } } },
  });
}

export function doughnutChart(canvas, labels, data) {
  return make(canvas, {
    type: 'doughnut',
    data: { labels, datasets: [{ data, backgroundColor: labels.map((_, i) => palette[i % palette.length]) }] },
    options: { plugins: { legend: { position: 'right' } } },
  });
}

import type { ChartConfiguration } from 'chart.js' with { 'resolution-mode': 'import' };

/**
 * Renders a Chart.js config to PNG in this process (Chart.js on @napi-rs/canvas, no network,
 * no native build): for CHART_RENDERER=upload and local mode, where data must not leave.
 */
export async function renderPng(config: ChartConfiguration<'bar'>, width = 700, height = 360): Promise<Buffer> {
  const [{ createCanvas }, chartjs] = await Promise.all([import('@napi-rs/canvas'), import('chart.js')]);
  const { Chart, registerables } = chartjs;
  Chart.register(...registerables);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, width, height);
  const chart = new Chart(ctx as never, {
    ...config,
    options: { ...config.options, responsive: false, animation: false, devicePixelRatio: 1 },
  });
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}

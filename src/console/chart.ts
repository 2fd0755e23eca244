/**
 * A grouped horizontal bar chart as inline SVG, rendered on the server: no chart library, no
 * script, nothing fetched. Accessible: role="img" with a title and a description, and every
 * bar carries its value as text; the page shows the same figures in a table beneath.
 */
import { escapeHtml as esc } from '../html.js';
export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

export interface ChartGroup {
  label: string;
  values: Record<string, number>;
}


export function barChartSvg(opts: { id: string; title: string; description: string; series: ChartSeries[]; groups: ChartGroup[]; width?: number }): string {
  const width = opts.width ?? 880;
  const labelWidth = 220;
  const barH = 14;
  const gap = 10;
  const groupH = opts.series.length * barH + gap;
  const legendH = 28;
  const height = legendH + Math.max(1, opts.groups.length) * groupH + 10;
  const max = Math.max(1, ...opts.groups.flatMap((g) => opts.series.map((s) => g.values[s.key] ?? 0)));
  const plotW = width - labelWidth - 60;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${opts.id}-title ${opts.id}-desc" id="${opts.id}">`);
  parts.push(`<title id="${opts.id}-title">${esc(opts.title)}</title><desc id="${opts.id}-desc">${esc(opts.description)}</desc>`);
  opts.series.forEach((s, i) => {
    const x = labelWidth + i * 150;
    parts.push(`<rect x="${x}" y="6" width="14" height="14" fill="${s.color}"/><text x="${x + 20}" y="18" font-size="13" fill="#1a1a1a">${esc(s.label)}</text>`);
  });
  opts.groups.forEach((g, gi) => {
    const y0 = legendH + gi * groupH;
    const label = g.label.length > 30 ? `${g.label.slice(0, 29)}…` : g.label;
    parts.push(`<text x="${labelWidth - 8}" y="${y0 + (opts.series.length * barH) / 2 + 4}" font-size="13" text-anchor="end" fill="#1a1a1a">${esc(label)}</text>`);
    opts.series.forEach((s, si) => {
      const v = g.values[s.key] ?? 0;
      const w = Math.round((v / max) * plotW);
      const y = y0 + si * barH;
      parts.push(`<rect class="bar" data-series="${s.key}" data-value="${v}" x="${labelWidth}" y="${y}" width="${Math.max(w, v > 0 ? 2 : 0)}" height="${barH - 2}" fill="${s.color}"/>`);
      parts.push(`<text x="${labelWidth + w + 4}" y="${y + barH - 3}" font-size="11" fill="#1a1a1a">${v}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Charts for the HTML report as inline SVG strings, written by the project (no charting library, no CDN):
 * interval bars (accuracy ± CI, speed p50 → p95), stacked outcome bars, a heatmap (NIAH depth × length,
 * any two-way slice), a line chart with interval bands (accuracy by length) and quantile boxes (tokens).
 * Every chart is an <svg class="chart"> with a <title> and per-mark <title> tooltips.
 */

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export const pctLabel = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
const r1 = (x: number) => Math.round(x * 10) / 10;

/** Colours of runs (in report order) and of outcomes. */
export const RUN_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#e15759', '#76b7b2', '#9c755f', '#edc948'];
export const OUTCOME_COLORS: Record<string, string> = {
  correct: '#59a14f',
  wrong: '#e15759',
  no_answer: '#edc948',
  truncated: '#f28e2b',
  unclosed_thinking: '#b07aa1',
  error: '#79706e',
};

/** An <svg class="chart"> with an accessible <title> and a visible caption above the plot. */
function frame(plotWidth: number, height: number, title: string, kind: string, body: string): string {
  const cap = 20;
  // wide enough for the caption (12px bold: about 7px a character)
  const width = Math.ceil(Math.max(plotWidth, 10 + title.length * 7));
  return (
    `<svg class="chart chart-${kind}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height + cap}" ` +
    `width="${width}" height="${height + cap}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>` +
    `<text class="caption" x="4" y="13">${esc(title)}</text><g transform="translate(0,${cap})">${body}</g></svg>`
  );
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${r1(x)}" y="${r1(y)}" ${attrs}>${esc(s)}</text>`;
}

/** Round tick values for an axis from 0 to max. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t <= max + 1e-9 * max; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

export interface IntervalBar {
  label: string;
  color: string;
  value: number | null;
  /** Whisker from lo to hi (a CI, or p50 → p95); omitted when null. */
  lo?: number | null;
  hi?: number | null;
  tooltip?: string;
}

export interface BarGroup {
  label: string;
  bars: IntervalBar[];
}

/** Horizontal bars with whiskers, grouped (one group per metric or slice, one bar per run). */
export function intervalBars(opts: {
  title: string;
  groups: BarGroup[];
  max?: number;
  format?: (x: number) => string;
  tickFormat?: (x: number) => string;
  width?: number;
}): string {
  const format = opts.format ?? ((x: number) => pctLabel(x));
  const tickFormat = opts.tickFormat ?? ((x: number) => format(x).replace(/\.0(%?)$/, '$1'));
  const width = opts.width ?? 640;
  const left = 170;
  const right = 70;
  const barH = 14;
  const gap = 4;
  const groupGap = 12;
  const top = 10;
  const all = opts.groups.flatMap((g) => g.bars);
  const dataMax = Math.max(0, ...all.flatMap((b) => [b.value ?? 0, b.hi ?? 0]));
  const max = opts.max ?? (dataMax > 0 ? dataMax * 1.05 : 1);
  const plotW = width - left - right;
  const x = (v: number) => left + (Math.max(0, Math.min(v, max)) / max) * plotW;
  let y = top;
  const marks: string[] = [];
  for (const g of opts.groups) {
    const multi = g.bars.length > 1;
    if (multi) {
      marks.push(text(4, y + barH - 3, g.label, 'class="group-label"'));
      y += barH + gap;
    }
    for (const b of g.bars) {
      const label = multi ? b.label : `${g.label}`;
      marks.push(text(multi ? 14 : 4, y + barH - 3, label.length > 26 ? `${label.slice(0, 25)}…` : label, 'class="bar-label"'));
      if (b.value !== null && Number.isFinite(b.value)) {
        const tip = b.tooltip ?? `${label}: ${format(b.value)}${b.lo != null && b.hi != null ? ` [${format(b.lo)}, ${format(b.hi)}]` : ''}`;
        marks.push(
          `<rect class="bar" x="${left}" y="${y}" width="${r1(Math.max(0.5, x(b.value) - left))}" height="${barH}" fill="${b.color}"><title>${esc(tip)}</title></rect>`,
        );
        if (b.lo != null && b.hi != null && Number.isFinite(b.lo) && Number.isFinite(b.hi)) {
          const cy = y + barH / 2;
          marks.push(
            `<path class="whisker" d="M${r1(x(b.lo))} ${cy}H${r1(x(b.hi))}M${r1(x(b.lo))} ${cy - 4}V${cy + 4}M${r1(x(b.hi))} ${cy - 4}V${cy + 4}" stroke="#222" stroke-width="1.2" fill="none"/>`,
          );
        }
        marks.push(text(Math.max(x(b.value), b.hi != null && Number.isFinite(b.hi) ? x(b.hi) : 0) + 5, y + barH - 3, format(b.value), 'class="bar-value"'));
      } else {
        marks.push(text(left + 4, y + barH - 3, 'no data', 'class="bar-value muted"'));
      }
      y += barH + gap;
    }
    y += groupGap - gap;
  }
  const plotBottom = y;
  const axis: string[] = [];
  for (const t of niceTicks(max)) {
    axis.push(`<line class="grid" x1="${r1(x(t))}" x2="${r1(x(t))}" y1="${top - 4}" y2="${plotBottom}" stroke="#ddd"/>`);
    axis.push(text(x(t), plotBottom + 14, tickFormat(t), 'text-anchor="middle" class="tick"'));
  }
  const height = plotBottom + 22;
  return frame(width, height, opts.title, 'bars', axis.join('') + marks.join(''));
}

/** One 100%-stacked horizontal bar per run: the share of each outcome, with a legend. */
export function outcomeBars(opts: { title: string; rows: Array<{ label: string; counts: Record<string, number> }>; outcomes: readonly string[]; width?: number }): string {
  const width = opts.width ?? 640;
  const left = 170;
  const right = 20;
  const barH = 18;
  const gap = 6;
  const plotW = width - left - right;
  const marks: string[] = [];
  let y = 8;
  for (const row of opts.rows) {
    const total = opts.outcomes.reduce((s, o) => s + (row.counts[o] ?? 0), 0);
    marks.push(text(4, y + barH - 5, row.label.length > 26 ? `${row.label.slice(0, 25)}…` : row.label, 'class="bar-label"'));
    let x = left;
    for (const o of opts.outcomes) {
      const c = row.counts[o] ?? 0;
      if (!total || !c) continue;
      const w = (c / total) * plotW;
      marks.push(
        `<rect class="segment segment-${o}" x="${r1(x)}" y="${y}" width="${r1(w)}" height="${barH}" fill="${OUTCOME_COLORS[o] ?? '#999'}"><title>${esc(`${row.label} — ${o}: ${c} of ${total} (${pctLabel(c / total)})`)}</title></rect>`,
      );
      if (w > 34) marks.push(text(x + w / 2, y + barH - 5, pctLabel(c / total, 0), 'text-anchor="middle" class="segment-label"'));
      x += w;
    }
    if (!total) marks.push(text(left + 4, y + barH - 5, 'no graded attempts', 'class="muted"'));
    y += barH + gap;
  }
  // legend
  let lx = left;
  const ly = y + 6;
  for (const o of opts.outcomes) {
    marks.push(`<rect x="${r1(lx)}" y="${ly}" width="10" height="10" fill="${OUTCOME_COLORS[o] ?? '#999'}"/>`);
    marks.push(text(lx + 14, ly + 9, o, 'class="legend"'));
    lx += 22 + o.length * 6.4;
  }
  return frame(width, ly + 18, opts.title, 'outcomes', marks.join(''));
}

/** Red → yellow → green for scores in [0, 1] (the palette of published NIAH heatmaps). */
export function scoreColor(v: number): string {
  const stops: Array<[number, [number, number, number]]> = [
    [0, [215, 48, 39]],
    [0.5, [254, 224, 139]],
    [1, [26, 152, 80]],
  ];
  const t = Math.max(0, Math.min(1, v));
  const i = t <= 0.5 ? 0 : 1;
  const [t0, c0] = stops[i];
  const [t1, c1] = stops[i + 1];
  const f = (t - t0) / (t1 - t0);
  const c = c0.map((a, k) => Math.round(a + (c1[k] - a) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** A grid of cells coloured by score (NIAH depth × length, RULER task × length, any two-way slice). */
export function heatmap(opts: {
  title: string;
  rowLabel: string;
  colLabel: string;
  rows: string[];
  cols: string[];
  value: (row: string, col: string) => { value: number; tooltip: string } | null;
}): string {
  const left = Math.min(170, 16 + Math.max(opts.rowLabel.length, ...opts.rows.map((r) => r.length)) * 7);
  const top = 34;
  const cellW = Math.max(30, Math.min(64, Math.floor(560 / Math.max(1, opts.cols.length))));
  const cellH = opts.rows.length > 30 ? 14 : 22;
  const width = left + cellW * opts.cols.length + 60;
  const height = top + cellH * opts.rows.length + 30;
  const marks: string[] = [];
  marks.push(text(left + (cellW * opts.cols.length) / 2, 12, opts.colLabel, 'text-anchor="middle" class="axis-title"'));
  opts.cols.forEach((c, j) => marks.push(text(left + j * cellW + cellW / 2, top - 6, c, 'text-anchor="middle" class="tick"')));
  marks.push(text(4, 12, opts.rowLabel, 'class="axis-title"'));
  opts.rows.forEach((r, i) => {
    const y = top + i * cellH;
    marks.push(text(left - 6, y + cellH / 2 + 4, r, 'text-anchor="end" class="tick"'));
    opts.cols.forEach((c, j) => {
      const x = left + j * cellW;
      const cell = opts.value(r, c);
      if (!cell || !Number.isFinite(cell.value)) {
        marks.push(`<rect class="cell empty" x="${x}" y="${y}" width="${cellW - 1}" height="${cellH - 1}" fill="#f3f3f3"><title>${esc(`${r} × ${c}: no data`)}</title></rect>`);
        return;
      }
      marks.push(`<rect class="cell" x="${x}" y="${y}" width="${cellW - 1}" height="${cellH - 1}" fill="${scoreColor(cell.value)}"><title>${esc(cell.tooltip)}</title></rect>`);
      if (cellH >= 18) marks.push(text(x + cellW / 2, y + cellH / 2 + 4, (100 * cell.value).toFixed(0), 'text-anchor="middle" class="cell-label"'));
    });
  });
  // colour legend
  const lx = left + cellW * opts.cols.length + 14;
  const lh = Math.max(40, cellH * opts.rows.length);
  for (let k = 0; k < 10; k++) {
    marks.push(`<rect x="${lx}" y="${r1(top + (lh * k) / 10)}" width="12" height="${r1(lh / 10 + 0.5)}" fill="${scoreColor(1 - (k + 0.5) / 10)}"/>`);
  }
  marks.push(text(lx + 16, top + 8, '100%', 'class="tick"'), text(lx + 16, top + lh, '0%', 'class="tick"'));
  return frame(width, Math.max(height, top + lh + 20), opts.title, 'heatmap', marks.join(''));
}

export interface LineSeries {
  label: string;
  color: string;
  points: Array<{ x: string; y: number | null; lo?: number | null; hi?: number | null }>;
}

/** Lines over an ordered categorical x axis (lengths), y in [0, 1], with interval bands and a threshold. */
export function lineChart(opts: { title: string; xLabel: string; xs: string[]; series: LineSeries[]; threshold?: { value: number; label: string } }): string {
  const width = 640;
  const height = 260;
  const left = 48;
  const right = 150;
  const top = 14;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const xPos = (i: number) => left + (opts.xs.length <= 1 ? plotW / 2 : (i / (opts.xs.length - 1)) * plotW);
  const yPos = (v: number) => top + (1 - Math.max(0, Math.min(1, v))) * plotH;
  const marks: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    marks.push(`<line class="grid" x1="${left}" x2="${left + plotW}" y1="${r1(yPos(t))}" y2="${r1(yPos(t))}" stroke="#e3e3e3"/>`);
    marks.push(text(left - 6, yPos(t) + 4, `${t * 100}%`, 'text-anchor="end" class="tick"'));
  }
  opts.xs.forEach((x, i) => marks.push(text(xPos(i), top + plotH + 16, x, 'text-anchor="middle" class="tick"')));
  marks.push(text(left + plotW / 2, height - 6, opts.xLabel, 'text-anchor="middle" class="axis-title"'));
  if (opts.threshold) {
    const ty = r1(yPos(opts.threshold.value));
    marks.push(`<line class="threshold" x1="${left}" x2="${left + plotW}" y1="${ty}" y2="${ty}" stroke="#555" stroke-dasharray="4 3"/>`);
    marks.push(text(left + plotW + 4, ty + 4, opts.threshold.label, 'class="tick"'));
  }
  opts.series.forEach((s, k) => {
    const idx = new Map(opts.xs.map((x, i) => [x, i]));
    const pts = s.points.filter((p) => p.y !== null && Number.isFinite(p.y) && idx.has(p.x)).map((p) => ({ ...p, i: idx.get(p.x)! }));
    const band = pts.filter((p) => p.lo != null && p.hi != null);
    if (band.length > 1) {
      const upper = band.map((p) => `${r1(xPos(p.i))},${r1(yPos(p.hi!))}`);
      const lower = band.map((p) => `${r1(xPos(p.i))},${r1(yPos(p.lo!))}`).reverse();
      marks.push(`<polygon class="band" points="${[...upper, ...lower].join(' ')}" fill="${s.color}" fill-opacity="0.15" stroke="none"/>`);
    }
    if (pts.length > 1) {
      marks.push(`<polyline class="line" points="${pts.map((p) => `${r1(xPos(p.i))},${r1(yPos(p.y!))}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    }
    for (const p of pts) {
      const tip = `${s.label} at ${opts.xLabel} ${p.x}: ${pctLabel(p.y!)}${p.lo != null && p.hi != null ? ` [${pctLabel(p.lo)}, ${pctLabel(p.hi)}]` : ''}`;
      marks.push(`<circle class="point" cx="${r1(xPos(p.i))}" cy="${r1(yPos(p.y!))}" r="3.5" fill="${s.color}"><title>${esc(tip)}</title></circle>`);
    }
    const ly = top + 10 + k * 16;
    marks.push(`<rect x="${left + plotW + 10}" y="${ly - 8}" width="10" height="10" fill="${s.color}"/>`);
    marks.push(text(left + plotW + 24, ly + 1, s.label.length > 18 ? `${s.label.slice(0, 17)}…` : s.label, 'class="legend"'));
  });
  return frame(width, height, opts.title, 'line', marks.join(''));
}

export interface QuantileRow {
  label: string;
  color: string;
  p5: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p95: number | null;
  mean: number | null;
}

/** Horizontal box plots: whiskers p5–p95, box p25–p75, median line, mean dot. */
export function quantileBoxes(opts: { title: string; rows: QuantileRow[]; unit: string; format?: (x: number) => string }): string {
  const format = opts.format ?? ((x: number) => Math.round(x).toLocaleString('en-US'));
  const width = 640;
  const left = 170;
  const right = 40;
  const rowH = 24;
  const top = 8;
  const plotW = width - left - right;
  const max = Math.max(1, ...opts.rows.map((r) => r.p95 ?? 0)) * 1.05;
  const x = (v: number) => left + (Math.max(0, v) / max) * plotW;
  const marks: string[] = [];
  opts.rows.forEach((row, i) => {
    const y = top + i * rowH;
    const cy = y + rowH / 2;
    marks.push(text(4, cy + 4, row.label.length > 26 ? `${row.label.slice(0, 25)}…` : row.label, 'class="bar-label"'));
    if (row.p50 === null || row.p5 === null || row.p95 === null || row.p25 === null || row.p75 === null) {
      marks.push(text(left + 4, cy + 4, 'no data', 'class="muted"'));
      return;
    }
    const tip = `${row.label}: p5 ${format(row.p5)}, p25 ${format(row.p25)}, median ${format(row.p50)}, p75 ${format(row.p75)}, p95 ${format(row.p95)}${row.mean !== null ? `, mean ${format(row.mean)}` : ''} ${opts.unit}`;
    marks.push(`<g class="box"><title>${esc(tip)}</title>`);
    marks.push(`<path d="M${r1(x(row.p5))} ${cy}H${r1(x(row.p95))}M${r1(x(row.p5))} ${cy - 5}V${cy + 5}M${r1(x(row.p95))} ${cy - 5}V${cy + 5}" stroke="#333" fill="none"/>`);
    marks.push(`<rect x="${r1(x(row.p25))}" y="${y + 4}" width="${r1(Math.max(1, x(row.p75) - x(row.p25)))}" height="${rowH - 8}" fill="${row.color}" fill-opacity="0.55" stroke="${row.color}"/>`);
    marks.push(`<path d="M${r1(x(row.p50))} ${y + 3}V${y + rowH - 3}" stroke="#111" stroke-width="2"/>`);
    if (row.mean !== null) marks.push(`<circle cx="${r1(x(row.mean))}" cy="${cy}" r="2.5" fill="#111"/>`);
    marks.push('</g>');
  });
  const bottom = top + opts.rows.length * rowH;
  for (const t of niceTicks(max)) {
    marks.push(`<line class="grid" x1="${r1(x(t))}" x2="${r1(x(t))}" y1="${top}" y2="${bottom}" stroke="#eee"/>`);
    marks.push(text(x(t), bottom + 14, format(t), 'text-anchor="middle" class="tick"'));
  }
  marks.push(text(left + plotW / 2, bottom + 30, opts.unit, 'text-anchor="middle" class="axis-title"'));
  return frame(width, bottom + 36, opts.title, 'boxes', marks.join(''));
}

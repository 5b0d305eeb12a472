/**
 * The per-suite sections of the HTML report as plain view data (formatted strings and SVG charts):
 * accuracy with intervals, outcomes, tokens, speed and the breakdowns (one-way tables, two-way heatmaps,
 * accuracy by length). Several runs of a suite appear side by side in each.
 */
import { OUTCOMES } from '../../harness/types.js';
import type { RunData } from '../report-data.js';
import type { Distribution } from '../queries.js';
import { cellKey, columnMeans, compareValues, groupSlices, isNumericAxis } from '../slices.js';
import { heatmap, intervalBars, lineChart, outcomeBars, pctLabel, quantileBoxes, type BarGroup, type LineSeries } from './charts.js';
import { budgetCurve, budgetLadder, formatBudget, longestCompletion } from '../budget.js';

/** A run as it appears in one suite section. */
export interface RunRef {
  data: RunData;
  /** Position in the report (0-based), stable across sections. */
  index: number;
  color: string;
  label: string;
}

export interface Table {
  header: string[];
  rows: Array<{ cells: string[]; cls?: string }>;
}

export interface Breakdown {
  title: string;
  charts: string[];
  tables: Table[];
  notes: string[];
}

const fmtInt = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en-US'));
const fmtNum = (x: number | null, d = 1) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));
const fmtSec = (ms: number | null) => (ms === null || !Number.isFinite(ms) ? '–' : `${(ms / 1000).toFixed(2)} s`);
const fmtPct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : pctLabel(x));
const ci = (lo: number, hi: number) => (Number.isFinite(lo) && Number.isFinite(hi) ? `[${pctLabel(lo)}, ${pctLabel(hi)}]` : '');

/** Metric names in a reader's order: avg@n, pass@k by k, maj@k, others. */
function orderMetrics(names: string[]): string[] {
  const rank = (m: string) => (m.startsWith('avg@') ? 0 : m.startsWith('pass@') ? 1 : m.startsWith('maj@') ? 2 : 3);
  const k = (m: string) => Number(m.split('@')[1]) || 0;
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || k(a) - k(b) || a.localeCompare(b));
}

export function accuracySection(runs: RunRef[]): { chart: string; table: Table } {
  const names = orderMetrics(runs.flatMap((r) => r.data.metrics.filter((m) => m.breakdown === '').map((m) => m.metric)));
  const groups: BarGroup[] = names.map((name) => ({
    label: name,
    bars: runs.map((r) => {
      const m = r.data.metrics.find((x) => x.breakdown === '' && x.metric === name);
      return {
        label: r.label,
        color: r.color,
        value: m && Number.isFinite(m.value) ? m.value : null,
        lo: m?.ciLow,
        hi: m?.ciHigh,
        tooltip: m ? `${r.label} ${name}: ${pctLabel(m.value)} ${ci(m.ciLow, m.ciHigh)}, ${m.nItems} items` : undefined,
      };
    }),
  }));
  const chart = intervalBars({ title: 'Accuracy by metric with 95% bootstrap intervals', groups, max: 1 });
  const table: Table = {
    header: ['metric', ...runs.map((r) => r.label)],
    rows: names.map((name) => ({
      cells: [
        name,
        ...runs.map((r) => {
          const m = r.data.metrics.find((x) => x.breakdown === '' && x.metric === name);
          return m ? `${pctLabel(m.value)} ${ci(m.ciLow, m.ciHigh)} · n=${m.nItems}` : '–';
        }),
      ],
    })),
  };
  return { chart, table };
}

export function outcomeSection(runs: RunRef[]): { chart: string; table: Table } {
  const chart = outcomeBars({
    title: 'Outcome of every attempt',
    outcomes: OUTCOMES,
    rows: runs.map((r) => ({ label: r.label, counts: r.data.outcomes.counts })),
  });
  const rows: Table['rows'] = OUTCOMES.map((o) => ({
    cls: `outcome-${o}`,
    cells: [o, ...runs.map((r) => `${r.data.outcomes.counts[o]} (${pctLabel(r.data.outcomes.rates[o])})`)],
  }));
  rows.push({ cells: ['graded attempts', ...runs.map((r) => String(r.data.outcomes.total))] });
  if (runs.some((r) => r.data.outcomes.ungraded)) rows.push({ cells: ['(ungraded)', ...runs.map((r) => String(r.data.outcomes.ungraded))] });
  return { chart, table: { header: ['outcome', ...runs.map((r) => r.label)], rows } };
}

export function tokenSection(runs: RunRef[]): { chart: string; budgetChart: string | null; table: Table } {
  // One budget ladder for all runs, so their curves share the x axis; the last step is the longest completion.
  const ladder = budgetLadder(Math.max(0, ...runs.map((r) => longestCompletion(r.data.budgetAttempts))));
  const curves = runs.map((r) => budgetCurve(r.data.budgetAttempts, ladder));
  const budgetChart = curves.some((c) => c.points.length > 1)
    ? lineChart({
        title: 'Accuracy had max_tokens been B: attempts that finished within B tokens (95% intervals)',
        xLabel: 'completion-token budget B',
        xs: ladder.map(formatBudget),
        series: runs.map((r, i) => ({
          label: r.label,
          color: r.color,
          points: curves[i].points.map((p) => ({ x: formatBudget(p.budget), y: p.value, lo: p.ciLow, hi: p.ciHigh })),
        })),
      })
    : null;
  const chart = quantileBoxes({
    title: 'Completion tokens per attempt (box p25–p75, whiskers p5–p95, dot = mean)',
    unit: 'completion tokens',
    rows: runs.map((r) => ({ label: r.label, color: r.color, ...pick(r.data.tokens.completion) })),
  });
  const row = (label: string, f: (r: RunRef, i: number) => string) => ({ cells: [label, ...runs.map(f)] });
  const table: Table = {
    header: ['tokens', ...runs.map((r) => r.label)],
    rows: [
      row('completion tokens, total', (r) => fmtInt(sum(r.data.tokens.completion))),
      row('completion tokens per attempt, mean', (r) => fmtInt(r.data.tokens.completion.mean)),
      row('completion tokens per attempt, p50 / p95', (r) => `${fmtInt(r.data.tokens.completion.p50)} / ${fmtInt(r.data.tokens.completion.p95)}`),
      row('… mean when correct', (r) => fmtInt(r.data.tokens.byOutcome.correct.meanCompletionTokens)),
      row('… mean when wrong', (r) => fmtInt(r.data.tokens.byOutcome.wrong.meanCompletionTokens)),
      row('… mean when truncated', (r) => fmtInt(r.data.tokens.byOutcome.truncated.meanCompletionTokens)),
      row('completion tokens per correct attempt', (_, i) => fmtInt(curves[i].tokensPerCorrect)),
      row('prompt tokens per attempt, mean', (r) => fmtInt(r.data.tokens.prompt.mean)),
      row('judge self-check disagreements', (r) =>
        r.data.selfCheck.checked ? `${r.data.selfCheck.disagreements} of ${r.data.selfCheck.checked} (${fmtPct(r.data.selfCheck.rate)})` : 'no self-check',
      ),
    ],
  };
  return { chart, budgetChart, table };
}

const sum = (d: Distribution) => (d.mean === null ? null : d.mean * d.count);
const pick = (d: Distribution) => ({ p5: d.p5, p25: d.p25, p50: d.p50, p75: d.p75, p95: d.p95, mean: d.mean });

export function speedSection(runs: RunRef[]): { charts: string[]; table: Table; hasData: boolean } {
  const measures = [
    { key: 'ttftMs' as const, title: 'Time to first token (s): bar p50, whisker to p95', scale: 1 / 1000, unit: 's' },
    { key: 'tokensPerSecond' as const, title: 'Decode speed (tokens/s per attempt): bar p50, whisker to p95', scale: 1, unit: 'tok/s' },
    { key: 'latencyMs' as const, title: 'Latency per attempt (s): bar p50, whisker to p95', scale: 1 / 1000, unit: 's' },
  ];
  const hasData = runs.some((r) => measures.some((m) => r.data.speed[m.key].count > 0));
  const charts = measures
    .filter((m) => runs.some((r) => r.data.speed[m.key].p50 !== null))
    .map((m) =>
      intervalBars({
        title: m.title,
        format: (x) => `${x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 2)} ${m.unit}`,
        tickFormat: (x) => `${Number(x.toPrecision(3))}`,
        groups: runs.map((r) => {
          const d = r.data.speed[m.key];
          return {
            label: r.label,
            bars: [{ label: r.label, color: r.color, value: d.p50 === null ? null : d.p50 * m.scale, lo: d.p50 === null ? null : d.p50 * m.scale, hi: d.p95 === null ? null : d.p95 * m.scale }],
          };
        }),
      }),
    );
  const row = (label: string, f: (r: RunRef) => string) => ({ cells: [label, ...runs.map(f)] });
  const table: Table = {
    header: ['speed', ...runs.map((r) => r.label)],
    rows: [
      row('time to first token p50 / p95', (r) => `${fmtSec(r.data.speed.ttftMs.p50)} / ${fmtSec(r.data.speed.ttftMs.p95)}`),
      row('tokens/s per attempt p50 / p95', (r) => `${fmtNum(r.data.speed.tokensPerSecond.p50)} / ${fmtNum(r.data.speed.tokensPerSecond.p95)}`),
      row('latency p50 / p95', (r) => `${fmtSec(r.data.speed.latencyMs.p50)} / ${fmtSec(r.data.speed.latencyMs.p95)}`),
      row('attempts timed', (r) => String(r.data.speed.latencyMs.count)),
    ],
  };
  return { charts, table, hasData };
}

/** RULER's threshold: the Llama-2-7B score at 4K that "effective length" is measured against. */
export const RULER_THRESHOLD = 0.856;

/** One-way tables and charts, two-way heatmaps per run, accuracy by length, RULER's effective length. */
export function breakdownSections(suite: string, runs: RunRef[]): Breakdown[] {
  const out: Breakdown[] = [];
  const perRun = runs.map((r) => ({ r, g: r.data.primary ? groupSlices(r.data.metrics, r.data.primary) : { oneWay: [], twoWay: [] } }));
  const oneKeys = [...new Set(perRun.flatMap(({ g }) => g.oneWay.map((o) => o.key)))];
  for (const key of oneKeys) {
    const values = [...new Set(perRun.flatMap(({ g }) => g.oneWay.find((o) => o.key === key)?.values ?? []))].sort(compareValues);
    const cell = (i: number, v: string) => perRun[i].g.oneWay.find((o) => o.key === key)?.cells.get(v);
    const charts: string[] = [];
    if (isNumericAxis(values) && values.length > 1) {
      charts.push(
        lineChart({
          title: `Accuracy by ${key}`,
          xLabel: key,
          xs: values,
          series: perRun.map(({ r }, i) => ({
            label: r.label,
            color: r.color,
            points: values.map((v) => ({ x: v, y: cell(i, v)?.value ?? null, lo: cell(i, v)?.ciLow, hi: cell(i, v)?.ciHigh })),
          })),
          threshold: suite === 'ruler' && /length/.test(key) ? { value: RULER_THRESHOLD, label: 'RULER 85.6%' } : undefined,
        }),
      );
    } else {
      charts.push(
        intervalBars({
          title: `Accuracy by ${key} with 95% intervals`,
          max: 1,
          groups: values.map((v) => ({
            label: `${key}=${v}`,
            bars: perRun.map(({ r }, i) => ({ label: r.label, color: r.color, value: cell(i, v)?.value ?? null, lo: cell(i, v)?.ciLow, hi: cell(i, v)?.ciHigh })),
          })),
        }),
      );
    }
    out.push({
      title: `By ${key}`,
      charts,
      notes: [],
      tables: [
        {
          header: [key, ...runs.map((r) => r.label)],
          rows: values.map((v) => ({
            cells: [v, ...perRun.map((_, i) => { const c = cell(i, v); return c ? `${pctLabel(c.value)} ${ci(c.ciLow, c.ciHigh)} · n=${c.nItems}` : '–'; })],
          })),
        },
      ],
    });
  }
  const twoIds = [...new Set(perRun.flatMap(({ g }) => g.twoWay.map((t) => `${t.fixed}\u0000${t.rowKey}\u0000${t.colKey}`)))];
  for (const id of twoIds) {
    const [fixed, rowKey, colKey] = id.split('\u0000');
    // NIAH's per-task length × depth grids come from the suite's own niahGrid (long-context.ts).
    if (suite === 'niah' && fixed) continue;
    const within = fixed ? ` (${fixed})` : '';
    const charts: string[] = [];
    const tables: Table[] = [];
    const notes: string[] = [];
    const series: LineSeries[] = [];
    let xs: string[] = [];
    for (const { r, g } of perRun) {
      const t = g.twoWay.find((x) => x.fixed === fixed && x.rowKey === rowKey && x.colKey === colKey);
      if (!t) continue;
      charts.push(
        heatmap({
          title: `${r.label}: ${r.data.primary} by ${rowKey} × ${colKey}${within}`,
          rowLabel: rowKey,
          colLabel: colKey,
          rows: t.rows,
          cols: t.cols,
          value: (row, col) => {
            const c = t.cells.get(cellKey(row, col));
            return c ? { value: c.value, tooltip: `${rowKey}=${row}, ${colKey}=${col}: ${pctLabel(c.value)} ${ci(c.ciLow, c.ciHigh)}, ${c.nItems} items` } : null;
          },
        }),
      );
      const means = columnMeans(t);
      tables.push({
        header: [`${r.label}${within}: ${rowKey} \\ ${colKey}`, ...t.cols],
        rows: [
          ...t.rows.map((row) => ({ cells: [row, ...t.cols.map((col) => fmtPct(t.cells.get(cellKey(row, col))?.value))] })),
          { cls: 'mean-row', cells: [`mean over ${rowKey}`, ...t.cols.map((col) => fmtPct(means.get(col)?.mean))] },
        ],
      });
      if (isNumericAxis(t.cols) && t.cols.length > 1) {
        xs = [...new Set([...xs, ...t.cols])].sort(compareValues);
        series.push({ label: r.label, color: r.color, points: t.cols.map((c) => ({ x: c, y: means.get(c)?.mean ?? null })) });
      }
    }
    if (series.length && !oneKeys.includes(colKey)) {
      charts.unshift(
        lineChart({
          title: `Mean over ${rowKey} by ${colKey}${within}`,
          xLabel: colKey,
          xs,
          series,
          threshold: suite === 'ruler' ? { value: RULER_THRESHOLD, label: 'RULER 85.6%' } : undefined,
        }),
      );
    }
    out.push({ title: `By ${rowKey} × ${colKey}${within}`, charts, tables, notes });
  }
  return out;
}

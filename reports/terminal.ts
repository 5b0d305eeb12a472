/**
 * The terminal summary of a run (`dseval show`, and the end of `dseval run`): metrics with their
 * intervals and n, the outcome breakdown, tokens, speed and the judge's self-check.
 */
import { OUTCOMES } from '../harness/types.js';
import type { Store, StoredRun } from './store.js';
import { budgetAttempts, judgeSelfCheck, outcomeCounts, speedStats } from './queries.js';
import { budgetCurve, formatBudget } from './budget.js';
import { cellKey, columnMeans, groupSlices } from './slices.js';
import type { MetricRow } from './store.js';
import { cutoffSlice, type CutoffSplit } from './cutoff.js';
import { rulerCellsFromMetrics, rulerTable } from '../suites/ruler/table.js';

/** A plain text table: columns padded to their widest cell, numbers right-aligned unless `align: 'left'`. */
export function textTable(header: string[], rows: string[][], opts: { align?: 'auto' | 'left' } = {}): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const isNum = (s: string) => opts.align !== 'left' && /^[-+]?[\d.,%]+( ?[a-z/%]*)?$/.test(s.trim()) && s.trim() !== '';
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (isNum(c) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const fixed = (x: number | null, digits = 0) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits));

export async function formatRunSummary(store: Store, run: StoredRun): Promise<string> {
  const out: string[] = [];
  out.push(`run ${run.runId}  (${run.status})`);
  out.push(`  suite ${run.suite}   model ${run.model}   n=${run.n}   fingerprint ${run.fingerprint}`);
  out.push(`  created ${run.createdAt.toISOString()}${run.finishedAt ? `   finished ${run.finishedAt.toISOString()}` : ''}`);

  const metrics = await store.getMetrics(run.runId);
  if (metrics.length) {
    out.push('', ...formatMetricTables(metrics, run.n));
    const ruler = run.suite === 'ruler' ? rulerLine(metrics) : null;
    if (ruler) out.push('', ruler);
  } else {
    out.push('', '  (no metrics yet: the run has not finished)');
  }

  const oc = await outcomeCounts(store, run.runId);
  out.push('');
  out.push(
    textTable(
      ['outcome', 'attempts', 'rate'],
      OUTCOMES.map((o) => [o, String(oc.counts[o]), pct(oc.rates[o])]).concat(oc.ungraded ? [['(ungraded)', String(oc.ungraded), '']] : []),
    ),
  );

  const sp = await speedStats(store, run.runId);
  out.push('');
  out.push(
    textTable(
      ['speed', 'p50', 'p95'],
      [
        ['latency (s)', fixed(sp.latencyMs.p50 && sp.latencyMs.p50 / 1000, 2), fixed(sp.latencyMs.p95 && sp.latencyMs.p95 / 1000, 2)],
        ['time to first token (s)', fixed(sp.ttftMs.p50 && sp.ttftMs.p50 / 1000, 2), fixed(sp.ttftMs.p95 && sp.ttftMs.p95 / 1000, 2)],
        ['tokens/s per attempt', fixed(sp.tokensPerSecond.p50, 1), fixed(sp.tokensPerSecond.p95, 1)],
      ],
    ),
  );
  out.push(
    `  tokens: ${sp.completionTokens.total} completion (mean ${fixed(sp.completionTokens.mean)} per attempt), ` +
      `${sp.promptTokens.total} prompt`,
  );
  const budget = budgetCurve(await budgetAttempts(store, run.runId), undefined, { intervals: false });
  if (budget.tokensPerCorrect !== null) out.push(`  completion tokens per correct attempt: ${fixed(budget.tokensPerCorrect)}`);
  if (budget.points.length > 1) {
    const steps = budget.points.map((p) => `${formatBudget(p.budget)} ${pct(p.value)}`).join(' · ');
    out.push(`  accuracy had max_tokens been B (attempts finished within B): ${steps}`);
  }
  const sc = await judgeSelfCheck(store, run.runId);
  if (sc.checked) {
    out.push(`  judge self-check: ${sc.disagreements} disagreements in ${sc.checked} grades (${pct(sc.rate ?? 0)})`);
  }
  return out.join('\n');
}

/** The headline metric of the slice tables: avg@n, else pass@1, else the first overall metric. */
function sliceMetric(metrics: MetricRow[], n: number): string | null {
  const overall = new Set(metrics.filter((m) => m.breakdown === '').map((m) => m.metric));
  return overall.has(`avg@${n}`) ? `avg@${n}` : overall.has('pass@1') ? 'pass@1' : ([...overall][0] ?? null);
}

/**
 * The metrics of a run as text: every overall metric with its interval, then one table per breakdown key
 * (value, interval, items) and one pivot table per two-way breakdown (RULER task × length, NIAH depth ×
 * length) with a mean row, all in the headline metric.
 */
export function formatMetricTables(metrics: MetricRow[], n: number): string[] {
  const out: string[] = [];
  const overall = metrics.filter((m) => m.breakdown === '');
  out.push(textTable(['slice', 'metric', 'value', '95% CI (bootstrap)', 'items'], overall.map((m) => ['all', m.metric, pct(m.value), `[${pct(m.ciLow)}, ${pct(m.ciHigh)}]`, String(m.nItems)])));
  const metric = sliceMetric(metrics, n);
  if (!metric) return out;
  const { oneWay, twoWay } = groupSlices(metrics, metric);
  for (const g of oneWay) {
    const rows = g.values.map((v) => {
      const m = g.cells.get(v)!;
      return [`${g.key}=${v}`, metric, pct(m.value), `[${pct(m.ciLow)}, ${pct(m.ciHigh)}]`, String(m.nItems)];
    });
    out.push('', textTable(['slice', 'metric', 'value', '95% CI (bootstrap)', 'items'], rows));
  }
  for (const t of twoWay) {
    const means = columnMeans(t);
    const rows = t.rows.map((r) => [r, ...t.cols.map((c) => { const m = t.cells.get(cellKey(r, c)); return m ? pct(m.value) : '–'; })]);
    rows.push([`mean over ${t.rowKey}`, ...t.cols.map((c) => (means.has(c) ? pct(means.get(c)!.mean) : '–'))]);
    out.push('', `${metric} by ${t.rowKey} (rows) × ${t.colKey} (columns)${t.fixed ? ` for ${t.fixed}` : ''}`, textTable([`${t.rowKey} \\ ${t.colKey}`, ...t.cols], rows));
  }
  return out;
}

/** RULER's headline from the suite's own table: average, weighted averages and effective length. */
function rulerLine(metrics: MetricRow[]): string | null {
  const cells = rulerCellsFromMetrics(metrics);
  if (!cells.length) return null;
  const t = rulerTable(cells);
  const f = (x: number) => `${x.toFixed(1)}%`;
  return `  RULER: average ${f(t.average)}, wAvg inc ${f(t.weightedIncreasing)}, dec ${f(t.weightedDecreasing)}; effective length ${t.effectiveLengthLabel} (threshold ${t.threshold}%)`;
}

/** The contamination split as text: each metric before and after the cutoff, then the headline difference. */
export function formatCutoffSplit(split: CutoffSplit): string {
  const before = cutoffSlice(split.cutoff, 'before'), after = cutoffSlice(split.cutoff, 'after');
  const names = [...new Set(split.rows.map((r) => r.metric))];
  const cell = (metric: string, side: string) => {
    const r = split.rows.find((x) => x.metric === metric && x.breakdown === side);
    return r ? `${pct(r.value)} [${pct(r.ciLow)}, ${pct(r.ciHigh)}]` : '–';
  };
  const out = [
    `contamination split at ${split.cutoff}: ${split.itemsBefore} items released before, ${split.itemsAfter} on or after` +
      (split.undated ? ` (${split.undated} without a release date left out)` : ''),
    textTable(['metric', `before ${split.cutoff}`, `on/after ${split.cutoff}`], names.map((m) => [m, cell(m, before), cell(m, after)]), { align: 'left' }),
  ];
  if (split.delta) {
    const d = split.delta;
    const pts = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
    const sign = d.ciHigh < 0 ? 'lower after the cutoff (interval excludes 0)' : d.ciLow > 0 ? 'higher after the cutoff (interval excludes 0)' : 'no clear difference (interval includes 0)';
    out.push(`  ${split.headline} after − before: ${pts(d.mean)} pts [${pts(d.ciLow)}, ${pts(d.ciHigh)}] (95% bootstrap over items): ${sign}`);
  } else {
    out.push(`  one side is empty: no difference to estimate`);
  }
  return out.join('\n');
}

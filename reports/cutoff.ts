/**
 * Contamination split (`dseval show <run> --cutoff YYYY-MM-DD`): a run's metrics on the problems that became
 * public before a date — a model's training cutoff — and on those released on or after it, with the
 * difference of the headline metric and its interval. A clear drop after the cutoff is the usual sign that the
 * earlier problems were seen in training; it can also mean the later ones are harder, so read it beside the
 * difficulty breakdown. Release dates come from the suite (`Suite.releaseDate`: LCB's contest dates, the
 * competition days of AIME and HMMT); synthetic suites have none.
 */
import type { GradedAttempt, Metric, Suite } from '../harness/types.js';
import { computeMetric } from '../harness/metrics.js';
import { twoSampleBootstrap, type Interval } from './stats.js';
import type { MetricRow, Store, StoredRun } from './store.js';

export interface CutoffSplit {
  cutoff: string;
  /**
   * Every metric of the suite on each side, as breakdown slices ("released=before 2025-03-01",
   * "released=on/after 2025-03-01"), so the report's breakdown tables and charts show them like any other key.
   */
  rows: MetricRow[];
  itemsBefore: number;
  itemsAfter: number;
  /** Items whose release date the suite does not know: in neither side. */
  undated: number;
  /** The headline metric (the suite's first) and its difference after − before; null when a side is empty. */
  headline: string;
  delta: Interval | null;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The breakdown label of one side of the split. */
export const cutoffSlice = (cutoff: string, side: 'before' | 'after') => `released=${side === 'before' ? 'before' : 'on/after'} ${cutoff}`;

export async function cutoffSplit(store: Store, run: StoredRun, suite: Suite, cutoff: string): Promise<CutoffSplit> {
  if (!ISO_DAY.test(cutoff) || Number.isNaN(Date.parse(cutoff))) throw new Error(`--cutoff: expected a day as YYYY-MM-DD, got "${cutoff}"`);
  const releaseDate = suite.releaseDate;
  if (!releaseDate) throw new Error(`--cutoff: suite ${suite.name} has no release dates (its items are generated), so there is nothing to split`);
  const byItem = await store.gradedByItem(run.runId);
  const before = new Map<string, GradedAttempt[]>();
  const after = new Map<string, GradedAttempt[]>();
  let undated = 0;
  for (const { item } of await store.getItems(run.runId)) {
    const day = releaseDate(item);
    if (day === null) undated++;
    else (day < cutoff ? before : after).set(item.id, byItem.get(item.id) ?? []);
  }
  const metrics: Metric[] = suite.metrics(run.n);
  const rows: MetricRow[] = [];
  for (const [label, group] of [[cutoffSlice(cutoff, 'before'), before], [cutoffSlice(cutoff, 'after'), after]] as const) {
    if (group.size === 0) continue;
    for (const m of metrics) {
      const e = computeMetric(m, group);
      rows.push({ metric: m.name, breakdown: label, value: e.value, ciLow: e.ciLow, ciHigh: e.ciHigh, nItems: e.n });
    }
  }
  const headline = metrics[0]!;
  const scores = (g: Map<string, GradedAttempt[]>) => [...g.values()].map((a) => headline.reducer.reduce(a));
  const delta = before.size && after.size ? twoSampleBootstrap(scores(before), scores(after)) : null;
  return { cutoff, rows, itemsBefore: before.size, itemsAfter: after.size, undated, headline: headline.name, delta };
}

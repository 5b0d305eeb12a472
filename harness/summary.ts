/**
 * A run's figures: the suite's metrics (overall and per breakdown key) computed from the stored grades and
 * written back to the metrics table. The one place where store rows become suite figures.
 */
import type { GradedAttempt, Metric, Suite } from './types.js';
import { computeMetric, standardMetrics } from './metrics.js';
import type { MetricRow, Store } from '../reports/store.js';

function metricRows(metrics: Metric[], byItem: Map<string, GradedAttempt[]>, breakdown: string): MetricRow[] {
  return metrics.map((m) => {
    const e = computeMetric(m, byItem);
    return { metric: m.name, breakdown, value: e.value, ciLow: e.ciLow, ciHigh: e.ciHigh, nItems: e.n };
  });
}

/**
 * Computes and stores the run's metrics; `suite` null falls back to the standard set. Each breakdown key of
 * the suite gives one slice per metadata value ("difficulty=hard"); a key like "task,length" slices by the
 * combination ("task=vt,length=4096"), which is how two-way tables (RULER, NIAH) are stored.
 */
export async function computeRunMetrics(store: Store, runId: string, suite: Suite | null, n: number): Promise<MetricRow[]> {
  const metrics = suite ? suite.metrics(n) : standardMetrics(n);
  const byItem = await store.gradedByItem(runId);
  const rows = metricRows(metrics, byItem, '');
  const keys = suite?.breakdowns ?? [];
  if (keys.length) {
    const items = await store.getItems(runId);
    for (const key of keys) {
      const groups = new Map<string, Map<string, GradedAttempt[]>>();
      for (const { item } of items) {
        const parts = key.split(',').map((k) => [k, item.metadata[k]] as const);
        if (parts.some(([, v]) => v === undefined || v === null)) continue;
        const label = parts.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(',');
        if (!groups.has(label)) groups.set(label, new Map());
        groups.get(label)!.set(item.id, byItem.get(item.id) ?? []);
      }
      for (const [label, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) rows.push(...metricRows(metrics, group, label));
    }
  }
  await store.replaceMetrics(runId, rows);
  return rows;
}

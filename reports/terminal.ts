/**
 * The terminal summary of a run (`dseval show`, and the end of `dseval run`): metrics with their
 * intervals and n, the outcome breakdown, tokens, speed and the judge's self-check.
 */
import { OUTCOMES } from '../harness/types.js';
import type { Store, StoredRun } from './store.js';
import { judgeSelfCheck, outcomeCounts, speedStats } from './queries.js';

/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const isNum = (s: string) => /^[-+]?[\d.,%]+( ?[a-z/%]*)?$/.test(s.trim()) && s.trim() !== '';
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
    out.push('');
    const rows = metrics.map((m) => [
      m.breakdown || 'all',
      m.metric,
      pct(m.value),
      `[${pct(m.ciLow)}, ${pct(m.ciHigh)}]`,
      String(m.nItems),
    ]);
    out.push(textTable(['slice', 'metric', 'value', '95% CI (bootstrap)', 'items'], rows));
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
  const sc = await judgeSelfCheck(store, run.runId);
  if (sc.checked) {
    out.push(`  judge self-check: ${sc.disagreements} disagreements in ${sc.checked} grades (${pct(sc.rate ?? 0)})`);
  }
  return out.join('\n');
}

/**
 * Constructed runs written straight into a real DuckDB store through Store, with planted effects: the
 * outcome of every attempt is given, so a test knows the exact accuracy, flips and rates to expect.
 */
import type { JsonObject, Metric, Outcome, Suite } from '../../harness/types.js';
import { standardMetrics } from '../../harness/metrics.js';
import { computeRunMetrics } from '../../harness/summary.js';
import type { Store } from '../../reports/store.js';
import { shortHash } from '../../harness/hash.js';

export interface PlantedItem {
  id: string;
  /** One outcome per attempt. */
  outcomes: Outcome[];
  metadata?: JsonObject;
  /** Scores per attempt (default 1 for correct, else 0). */
  scores?: number[];
  problem?: string;
  /** Judge self-check disagreement per attempt (graded attempts only). */
  disagree?: boolean[];
}

export interface PlantedRun {
  runId: string;
  suite?: string;
  model?: string;
  items: PlantedItem[];
  fingerprintParts?: Record<string, string>;
  config?: JsonObject;
  /** Per attempt timings and tokens; default: deterministic, mildly varying. */
  speed?: (itemIndex: number, attempt: number) => { latencyMs: number; ttftMs: number | null; tps: number | null; completionTokens: number };
  breakdowns?: string[];
  /** The suite's metric set (default: the standard one), e.g. lcbMetrics for a LiveCodeBench-like run. */
  metrics?: (n: number) => Metric[];
}

/** Default fingerprint parts: what a real run of the same data and prompts would have. */
export function defaultParts(suite: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    suite: `${suite}@1`,
    suiteOptions: shortHash({}),
    data: 'data-hash-0001',
    prompts: 'prompt-hash-0001',
    sampling: 'sampling-0001',
    judge: 'boxed@1',
    model: 'openai:planted',
    chatFormat: 'server',
    api: 'chat',
    ...extra,
  };
}

export async function plantRun(store: Store, spec: PlantedRun): Promise<void> {
  const suite = spec.suite ?? 'aime25';
  const n = Math.max(...spec.items.map((i) => i.outcomes.length));
  const parts = spec.fingerprintParts ?? defaultParts(suite);
  await store.insertRun({
    runId: spec.runId,
    fingerprint: shortHash(parts),
    fingerprintParts: parts,
    suite,
    model: spec.model ?? 'openai:http://127.0.0.1:1/v1#planted',
    n,
    config: spec.config ?? { suite, model: 'openai:http://127.0.0.1:1/v1', n, seed: 0 },
    versions: { dseval: 'test', judge: parts.judge ?? 'boxed@1' },
    status: 'running',
    createdAt: new Date(),
    finishedAt: null,
  });
  await store.insertItems(
    spec.runId,
    spec.items.map((it, position) => {
      const problem = it.problem ?? `Planted problem ${it.id}: what is 6 times 7?`;
      const prompt = { kind: 'chat' as const, messages: [{ role: 'user' as const, content: `${problem}\nPlease reason step by step, and put your final answer within \\boxed{}.` }] };
      return {
        item: { id: it.id, fields: { problem }, target: '42', metadata: it.metadata ?? {} },
        position,
        dataHash: shortHash({ id: it.id, problem }),
        promptHash: shortHash(prompt),
        prompt,
      };
    }),
  );
  const speed = spec.speed ?? ((i: number, a: number) => ({ latencyMs: 1000 + 37 * ((i * 7 + a) % 11), ttftMs: 100 + ((i + a) % 5) * 10, tps: 40 + ((i * 3 + a) % 7), completionTokens: 200 + 13 * ((i + 2 * a) % 9) }));
  // One multi-row INSERT per table: the same rows Store.insertAttempt/insertGrade write, much faster.
  const attempts: unknown[][] = [];
  const grades: unknown[][] = [];
  for (const [i, it] of spec.items.entries()) {
    for (const [a, outcome] of it.outcomes.entries()) {
      const s = speed(i, a);
      const answer = outcome === 'correct' ? '42' : outcome === 'wrong' ? String(40 + a) : '';
      const text = outcome === 'no_answer' ? 'I am not sure.' : outcome === 'truncated' ? '' : `So the answer is $\\boxed{${answer}}$.`;
      const finish = outcome === 'truncated' ? 'length' : outcome === 'error' ? 'error' : 'stop';
      attempts.push([
        spec.runId, it.id, a, 1000 * i + a, text, `Reasoning for ${it.id} attempt ${a}: 6 × 7 = 42. `.repeat(2),
        outcome === 'unclosed_thinking', finish, 50, s.completionTokens, s.latencyMs, s.ttftMs, s.tps,
        outcome === 'error' ? 'HTTP 500 after 6 retries' : null,
      ]);
      const score = it.scores?.[a] ?? (outcome === 'correct' ? 1 : 0);
      const disagreement = outcome === 'correct' || outcome === 'wrong' ? (it.disagree?.[a] ?? false) : null;
      grades.push([spec.runId, it.id, a, outcome, score, answer || null, answer || null, disagreement, JSON.stringify({ extraction: 'boxed', planted: true }), 'boxed', '1']);
    }
  }
  const insert = async (table: string, rows: unknown[][], row: string) => {
    for (let k = 0; k < rows.length; k += 500) {
      const chunk = rows.slice(k, k + 500);
      await store.exec(`INSERT INTO ${table} VALUES ${chunk.map(() => row).join(', ')}`, chunk.flat() as never);
    }
  };
  await insert('attempts', attempts, '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)');
  await insert('grades', grades, '(?, ?, ?, ?, ?, ?, ?, ?, ?::JSON, ?, ?, current_timestamp)');
  // The standard metric set, plus the breakdown slices when asked (computeRunMetrics reads only these two fields).
  const suiteLike =
    spec.breakdowns || spec.metrics ? ({ breakdowns: spec.breakdowns ?? [], metrics: spec.metrics ?? ((k: number) => standardMetrics(k)) } as unknown as Suite) : null;
  await computeRunMetrics(store, spec.runId, suiteLike, n);
  await store.setRunStatus(spec.runId, 'finished');
}

/** Items with a given number correct out of n attempts each. */
export function itemsWithCorrect(prefix: string, correctCounts: number[], n: number, metadata?: (i: number) => JsonObject): PlantedItem[] {
  return correctCounts.map((c, i) => ({
    id: `${prefix}${String(i + 1).padStart(3, '0')}`,
    outcomes: Array.from({ length: n }, (_, a) => (a < c ? 'correct' : 'wrong') as Outcome),
    metadata: metadata?.(i),
  }));
}

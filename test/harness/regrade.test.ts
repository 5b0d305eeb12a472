/**
 * A new judge version is a new run, but not new generations: the attempts of the run with the same
 * generation fingerprint are reused and only re-graded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../reports/store.js';
import { createOpenAIBackend } from '../../harness/backends/openai.js';
import { resolveRunConfig } from '../../harness/config.js';
import { planRun } from '../../harness/plan.js';
import { executeRun } from '../../harness/runner.js';
import { createProgress } from '../../harness/progress.js';
import { standardMetrics } from '../../harness/metrics.js';
import type { Judge, Suite } from '../../harness/types.js';
import { tempDir } from '../helpers/cli.js';
import { startFakeServer, type FakeServer } from '../helpers/openai-server.js';

/** A judge whose verdict depends on its version: v1 wants the answer "7", v2 wants "8". */
const judgeV = (version: string): Judge => ({
  name: 'toy',
  version,
  async grade(item, attempt) {
    const got = /\\boxed\{(\d+)\}/.exec(attempt.text)?.[1] ?? null;
    const want = version === '1' ? '7' : '8';
    const ok = got === want;
    return { outcome: ok ? 'correct' : 'wrong', score: ok ? 1 : 0, extracted: got, answerKey: got, judgeDisagreement: null, details: {} };
  },
});

const suiteWith = (version: string): Suite => ({
  name: 'toy',
  description: 'toy',
  version: '1',
  defaults: { n: 2 },
  load: async () => [0, 1, 2].map((i) => ({ id: `q${i}`, fields: { i }, target: null, metadata: {} })),
  render: (item) => ({ kind: 'chat', messages: [{ role: 'user', content: `question ${item.id}` }] }),
  judge: () => judgeV(version),
  metrics: (n) => standardMetrics(n),
});

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer({ respond: (req) => ({ content: `\\boxed{${req.prompt.endsWith('q0') ? 7 : 8}}` }) });
});
afterAll(() => server.close());

async function runOnce(db: string, judgeVersion: string, fresh = false) {
  const config = resolveRunConfig({}, { suite: 'toy', model: `openai:${server.url}`, db, progress: 'none', fresh }, 'test');
  const backend = await createOpenAIBackend({
    baseUrl: server.url, api: 'chat', apiKey: null, apiKeyEnv: 'X', timeoutMs: 10_000,
    retry: { retries: 0, baseMs: 1, maxMs: 1 }, serverN: false, stream: true, log: () => {},
  });
  const suite = suiteWith(judgeVersion);
  const judge = suite.judge({});
  const plan = await planRun(suite, config, backend, judge, null);
  const store = await Store.open(db);
  const logs: string[] = [];
  const progress = { ...createProgress('none', 'toy'), log: (m: string) => logs.push(m) };
  try {
    const result = await executeRun(plan, config, { store, backend, judge, progress, versions: {}, signal: new AbortController().signal });
    const metrics = await store.getMetrics(result.run.runId);
    return { result, logs, avg: metrics.find((m) => m.metric === 'avg@2')!.value, plan };
  } finally {
    await store.close();
  }
}

describe('re-grading with a new judge', () => {
  it('reuses the attempts of the same generation settings and grades them anew', async () => {
    const db = join(tempDir(), 'regrade.duckdb');
    const first = await runOnce(db, '1');
    expect(first.avg).toBeCloseTo(1 / 3, 12);
    const before = server.requests.length;

    const second = await runOnce(db, '2');
    expect(server.requests.length).toBe(before); // nothing generated again
    expect(second.result.run.runId).not.toBe(first.result.run.runId);
    expect(second.plan.fingerprintParts.generation).toBe(first.plan.fingerprintParts.generation);
    expect(second.logs.join('\n')).toMatch(/reusing 6 attempts of run toy-\w+ \(same generation settings, judge toy@1 → toy@2\)/);
    expect(second.avg).toBeCloseTo(2 / 3, 12);

    const third = await runOnce(db, '2', true); // --fresh generates anew
    expect(server.requests.length).toBe(before + 6);
    expect(third.avg).toBeCloseTo(2 / 3, 12);
  });
});

/**
 * A new judge version is a new run, but not new generations: the attempts of the run with the same
 * generation fingerprint are reused and only re-graded. So is a different n: a larger n generates only the
 * attempts it adds (attempt i's seed does not depend on n), a smaller one takes a prefix — except with
 * --server-n, where the server draws all n together.
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

async function runOnce(db: string, judgeVersion: string, fresh = false, extra: { n?: number; serverN?: boolean } = {}) {
  const config = resolveRunConfig({}, { suite: 'toy', model: `openai:${server.url}`, db, progress: 'none', fresh, ...extra }, 'test');
  const backend = await createOpenAIBackend({
    baseUrl: server.url, api: 'chat', apiKey: null, apiKeyEnv: 'X', timeoutMs: 10_000,
    retry: { retries: 0, baseMs: 1, maxMs: 1 }, serverN: extra.serverN ?? false, stream: true, log: () => {},
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
    const texts = (await store.getAttempts(result.run.runId)).map((a) => `${a.itemId}/${a.index}/${a.seed}/${a.text}`).sort();
    return { result, logs, avg: metrics.find((m) => m.metric === `avg@${plan.n}`)!.value, plan, texts };
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

describe('changing n', () => {
  it('a larger n generates only the added attempts; a smaller n takes a prefix of the largest run', async () => {
    const db = join(tempDir(), 'more-n.duckdb');
    const two = await runOnce(db, '1', false, { n: 2 });
    let before = server.requests.length;
    const four = await runOnce(db, '1', false, { n: 4 });
    expect(server.requests.length - before).toBe(3 * 2); // 3 items × 2 new attempts
    expect(four.plan.fingerprint).not.toBe(two.plan.fingerprint);
    expect(four.plan.fingerprintParts.generation).toBe(two.plan.fingerprintParts.generation);
    expect(four.logs.join('\n')).toMatch(/reusing 6 attempts of run toy-\w+ \(same generation settings, n 2 → 4\)/);
    // Exactly what a run of n = 4 from scratch stores: the same seeds and texts per attempt, the same metrics.
    const fresh = await runOnce(db, '1', true, { n: 4 });
    expect(four.texts).toEqual(fresh.texts);
    expect(four.avg).toBe(fresh.avg);

    before = server.requests.length;
    const three = await runOnce(db, '1', false, { n: 3 });
    expect(server.requests.length).toBe(before); // attempts 0..2 of a 4-attempt run
    expect(three.texts).toEqual(fresh.texts.filter((t) => !/\/3\//.test(t)));
  });

  it('with --server-n (all n in one request) n stays part of the generation settings', async () => {
    const db = join(tempDir(), 'server-n.duckdb');
    const two = await runOnce(db, '1', false, { n: 2, serverN: true });
    const before = server.requests.length;
    const four = await runOnce(db, '1', false, { n: 4, serverN: true });
    expect(four.plan.fingerprintParts.generation).not.toBe(two.plan.fingerprintParts.generation);
    expect(server.requests.length - before).toBe(3); // one request per item, all 4 drawn anew
    expect(four.logs.join('\n')).not.toMatch(/reusing/);
  });
});

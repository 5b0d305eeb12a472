/**
 * Faults between dseval and the server: every injected fault is retried and the stored result equals a
 * clean run's; retries honour Retry-After; exhausted retries end the attempt in `error`, and a rerun
 * retries exactly those.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../reports/store.js';
import { dseval, tempDir, writeMathFixture } from '../helpers/cli.js';
import { mathResponder, startFakeServer, type FakeServer, type Fault } from '../helpers/openai-server.js';

const dir = tempDir();
const { path, answers } = writeMathFixture(dir, 4);
let servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(fault?: (n: number) => Fault | null, extra: Partial<Parameters<typeof startFakeServer>[0]> = {}) {
  const s = await startFakeServer({ respond: mathResponder(answers), fault: fault && ((n) => fault(n)), ...extra });
  servers.push(s);
  return s;
}

async function rows(db: string) {
  const store = await Store.open(db);
  try {
    const [run] = await store.listRuns();
    const attempts = (await store.getAttempts(run.runId)).map((a) => ({ item: a.itemId, i: a.index, text: a.text, reasoning: a.reasoning, finish: a.finish, error: a.error }));
    const grades = (await store.getGrades(run.runId)).map((g) => ({ item: g.itemId, i: g.attempt, outcome: g.outcome }));
    return { run, attempts, grades, metrics: await store.getMetrics(run.runId) };
  } finally {
    await store.close();
  }
}

const runArgs = (server: FakeServer, db: string, extra: string[] = []) => [
  'run', '--suite', 'aime25', '--data', path, '--model', `openai:${server.url}`, '-n', '2', '--db', db,
  '--progress', 'none', '--retry-base-ms', '5', '--concurrency', '2', ...extra,
];

describe('fault injection', () => {
  let clean: Awaited<ReturnType<typeof rows>>;

  it('a clean run (the baseline)', async () => {
    const s = await serve();
    const db = join(dir, 'clean.duckdb');
    expect((await dseval(runArgs(s, db))).exitCode).toBe(0);
    clean = await rows(db);
    expect(clean.attempts).toHaveLength(8);
  });

  const faults: Array<[string, Fault, string[]]> = [
    ['HTTP 500', { kind: 'status', status: 500 }, []],
    ['HTTP 503 with a body that is not JSON', { kind: 'status', status: 503, body: '<html>bad gateway</html>' }, []],
    ['a dropped connection', { kind: 'drop' }, []],
    ['malformed JSON (not streamed)', { kind: 'malformed' }, ['--no-stream']],
    ['malformed JSON in the stream', { kind: 'malformed' }, []],
    ['a stream cut in the middle', { kind: 'cut' }, []],
    ['a response slower than the timeout', { kind: 'slow', ms: 3000 }, ['--timeout', '0.5']],
  ];
  for (const [name, fault, extra] of faults) {
    it(`recovers from ${name} and stores what a clean run stores`, async () => {
      // Every third request fails once.
      const failed = new Set<number>();
      const s = await serve((n) => (n % 3 === 0 && !failed.has(n) ? (failed.add(n), fault) : null));
      const db = join(dir, `fault-${name.replace(/\W+/g, '-')}.duckdb`);
      const r = await dseval(runArgs(s, db, extra));
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/retry 1\/6/);
      const got = await rows(db);
      expect(got.attempts).toEqual(clean.attempts);
      expect(got.grades).toEqual(clean.grades);
      expect(got.metrics).toEqual(clean.metrics);
      expect(s.requests.length).toBeGreaterThan(8);
    });
  }

  it('honours Retry-After on 429', async () => {
    let limited = -1;
    const s = await serve((n) => (n === 0 ? ((limited = n), { kind: 'status', status: 429, retryAfter: '1' }) : null));
    const db = join(dir, 'retry-after.duckdb');
    const r = await dseval(runArgs(s, db, ['--concurrency', '1', '--limit', '1', '-n', '1']));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(limited).toBe(0);
    const gap = s.requests[1].at - s.requests[0].at;
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(r.stderr).toMatch(/retry 1\/6 for item fx-1 in 1\.0s: HTTP 429/);
  });

  it('ends attempts in error when retries run out, exits 3, and a rerun retries exactly those', async () => {
    const s = await serve((n) => (n < 100 ? { kind: 'status', status: 500 } : null));
    const db = join(dir, 'exhausted.duckdb');
    const r = await dseval(runArgs(s, db, ['--retries', '1', '--limit', '2']));
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/4 attempts failed after retries/);
    let got = await rows(db);
    expect(got.attempts.every((a) => a.finish === 'error' && /HTTP 500/.test(a.error ?? ''))).toBe(true);
    expect(got.grades.every((g) => g.outcome === 'error')).toBe(true);

    const s2 = await serve();
    const again = await dseval(runArgs(s2, db, ['--retries', '1', '--limit', '2']));
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('retrying 4 attempts that failed last time');
    expect(s2.requests).toHaveLength(4);
    got = await rows(db);
    expect(got.attempts.every((a) => a.finish === 'stop')).toBe(true);
    expect(got.attempts).toEqual(clean.attempts.filter((a) => a.item === 'fx-1' || a.item === 'fx-2'));
  });

  it('reads reasoning from <think> tags in the content as well', async () => {
    const s = await serve(undefined, { reasoning: 'tags' });
    const db = join(dir, 'tags.duckdb');
    expect((await dseval(runArgs(s, db))).exitCode).toBe(0);
    const got = await rows(db);
    expect(got.attempts).toEqual(clean.attempts);
  });

  it('needs the API key from the named variable, and never stores or prints it', async () => {
    const secret = 'sk-test-0123456789abcdef';
    const s = await serve(undefined, { apiKey: secret });
    const db = join(dir, 'key.duckdb');
    const denied = await dseval(runArgs(s, db), { env: { OPENAI_API_KEY: 'wrong-key' } });
    expect(denied.exitCode).toBe(1);
    expect(denied.stderr).toMatch(/refused the credentials \(HTTP 401\); check \$OPENAI_API_KEY/);
    expect(denied.stderr).not.toContain('wrong-key');
    const ok = await dseval(runArgs(s, db, ['--api-key-env', 'MY_KEY']), { env: { MY_KEY: secret } });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain(secret);
    const store = await Store.open(db);
    const dump = JSON.stringify(await store.all(`SELECT * FROM runs`), (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    await store.close();
    expect(dump).not.toContain(secret);
    expect(dump).toContain('MY_KEY');
  });
});

/**
 * Killing the CLI mid-run (SIGKILL: no cleanup at all) and running it again: every attempt is stored
 * exactly once, nothing finished is lost, and the final metrics equal an uninterrupted run's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../reports/store.js';
import { dseval, spawnDseval, tempDir, writeMathFixture } from '../helpers/cli.js';
import { mathResponder, startFakeServer, type FakeServer } from '../helpers/openai-server.js';

const dir = tempDir();
const { path, answers } = writeMathFixture(dir, 10);
let server: FakeServer;
beforeAll(async () => {
  // Slow enough that the run is still going when it is killed (~10 chunks × 15 ms per attempt).
  server = await startFakeServer({ respond: mathResponder(answers), chunkDelayMs: 15 });
});
afterAll(() => server.close());

const args = (db: string) => ['run', '--suite', 'aime25', '--data', path, '--model', `openai:${server.url}`, '-n', '4', '--db', db, '--progress', 'lines', '--concurrency', '3'];

async function snapshot(db: string) {
  const store = await Store.open(db);
  try {
    const runs = await store.listRuns();
    const run = runs[0];
    const attempts = await store.all(`SELECT item_id, attempt, count(*) AS c FROM attempts WHERE run_id = ? GROUP BY ALL ORDER BY ALL`, [run.runId]);
    const grades = (await store.getGrades(run.runId)).map((g) => [g.itemId, g.attempt, g.outcome, g.extracted]);
    return { runs, run, attempts, grades, metrics: await store.getMetrics(run.runId) };
  } finally {
    await store.close();
  }
}

async function waitFor(cond: () => boolean, ms = 30_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('kill and resume', () => {
  it('SIGKILL in the middle, then the same command: exactly once, nothing lost, same metrics', async () => {
    const reference = join(dir, 'reference.duckdb');
    expect((await dseval(args(reference))).exitCode).toBe(0);
    const expected = await snapshot(reference);

    const db = join(dir, 'killed.duckdb');
    const before = server.served;
    const child = spawnDseval(args(db));
    await waitFor(() => server.served - before >= 12);
    child.kill('SIGKILL');
    const killed = await child;
    expect(killed.signal).toBe('SIGKILL');
    const servedBeforeKill = server.served - before;
    expect(servedBeforeKill).toBeLessThan(40);

    const start = server.requests.length;
    const again = await dseval(args(db));
    expect(again.exitCode, again.stderr).toBe(0);
    const resumedFrom = Number(/resuming run \S+: (\d+) of 40 attempts already stored/.exec(again.stderr)?.[1]);
    expect(resumedFrom).toBeGreaterThanOrEqual(8); // what had arrived before the kill was kept
    expect(server.requests.length - start).toBe(40 - resumedFrom); // only the missing ones were asked for

    const got = await snapshot(db);
    expect(got.runs).toHaveLength(1);
    expect(got.run.status).toBe('finished');
    expect(got.attempts).toHaveLength(40);
    expect(got.attempts.every((a) => Number(a.c) === 1)).toBe(true);
    expect(got.grades).toEqual(expected.grades);
    expect(got.metrics).toEqual(expected.metrics);
  });

  it('SIGINT stops cleanly: the run is marked interrupted, exit 130, and resumes', async () => {
    const db = join(dir, 'sigint.duckdb');
    const before = server.served;
    const child = spawnDseval(args(db));
    await waitFor(() => server.served - before >= 6);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(String(r.stderr)).toMatch(/interrupted; run the same command again to resume/);
    const mid = await snapshot(db);
    expect(mid.run.status).toBe('interrupted');
    const again = await dseval(args(db));
    expect(again.exitCode).toBe(0);
    const got = await snapshot(db);
    expect(got.run.status).toBe('finished');
    expect(got.attempts).toHaveLength(40);
  });
});

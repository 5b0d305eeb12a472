/**
 * Bad input gets a clear error naming what and where, a non-zero exit, and leaves the store intact:
 * malformed dataset lines, missing fields, unknown suites, unreachable servers, bad configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { Store } from '../../reports/store.js';
import { dseval, tempDir, writeMathFixture } from '../helpers/cli.js';
import { mathResponder, startFakeServer, type FakeServer } from '../helpers/openai-server.js';

const dir = tempDir();
const { path, answers } = writeMathFixture(dir, 3);
const db = join(dir, 'store.duckdb');
let server: FakeServer;

async function storeState() {
  const store = await Store.open(db);
  try {
    const runs = await store.listRuns();
    return { runs: runs.map((r) => [r.runId, r.status]), metrics: await store.getMetrics(runs[0].runId), attempts: (await store.getAttempts(runs[0].runId)).length };
  } finally {
    await store.close();
  }
}

let intact: Awaited<ReturnType<typeof storeState>>;
beforeAll(async () => {
  server = await startFakeServer({ respond: mathResponder(answers) });
  const r = await dseval(['run', '--suite', 'aime25', '--data', path, '--model', `openai:${server.url}`, '-n', '2', '--db', db, '--progress', 'none']);
  expect(r.exitCode).toBe(0);
  intact = await storeState();
});
afterAll(() => server.close());

const run = (extra: string[]) =>
  dseval(['run', '--suite', 'aime25', '--model', `openai:${server.url}`, '-n', '2', '--db', db, '--progress', 'none', ...extra]);

describe('bad input', () => {
  it('a malformed dataset line: names the file and line', async () => {
    const bad = join(dir, 'malformed.jsonl');
    writeFileSync(bad, '{"id":"a","problem":"p1","answer":"1"}\n\n{"id":"b","problem":"p2","answer":"2"\n{"id":"c","problem":"p3","answer":"3"}\n');
    const r = await run(['--data', bad]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.]/g, '\\.')}:3: malformed JSON`));
    expect(await storeState()).toEqual(intact);
  });

  it('a missing field: names the file, line and field', async () => {
    const bad = join(dir, 'missing.jsonl');
    writeFileSync(bad, '{"id":"a","problem":"p1","answer":"1"}\n{"id":"b","problem":"p2"}\n');
    const r = await run(['--data', bad]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${bad}:2: missing field "answer"`);
    expect(await storeState()).toEqual(intact);
  });

  it('a field of the wrong type: names it', async () => {
    const bad = join(dir, 'type.jsonl');
    writeFileSync(bad, '{"id":"a","problem":{"text":"p1"},"answer":"1"}\n');
    const r = await run(['--data', bad]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${bad}:1: field "problem" must be a string or a number`);
  });

  it('a dataset path that does not exist, and a missing data directory', async () => {
    const r = await run(['--data', join(dir, 'nope.jsonl')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`dataset not found: ${join(dir, 'nope.jsonl')}`);
    const r2 = await run([]);
    expect(r2.exitCode).toBe(1);
    expect(r2.stderr).toMatch(/suite aime25 needs its dataset: pass --data <file>.*DSEVAL_DATA_DIR/);
  });

  it('an unknown suite', async () => {
    const r = await dseval(['run', '--suite', 'aime26', '--model', `openai:${server.url}`, '--db', db]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/unknown suite "aime26"; known suites: .*aime25/);
    expect(await storeState()).toEqual(intact);
  });

  it('an unreachable server', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const r = await dseval(['run', '--suite', 'aime25', '--data', path, '--model', `openai:http://127.0.0.1:${port}/v1`, '--db', db, '--progress', 'none']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`cannot reach the server at http://127.0.0.1:${port}/v1: fetch failed (ECONNREFUSED)`);
    expect(await storeState()).toEqual(intact);
  });

  it('bad flags and config-file fields are named', async () => {
    const r = await run(['--data', path, '--temperature', '-1']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/temperature: Too small/);
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'suite: aime25\nmodel: openai:http://x\nn: 0\nengine:\n  dsa: maybe\ncolour: red\n');
    const r2 = await dseval(['run', '--config', cfg, '--db', db]);
    expect(r2.exitCode).toBe(1);
    expect(r2.stderr).toContain(`invalid run configuration (${cfg} and flags)`);
    expect(r2.stderr).toMatch(/n: Too small/);
    expect(r2.stderr).toMatch(/engine\.dsa: Invalid input: expected boolean/);
    expect(r2.stderr).toMatch(/Unrecognized key: "colour"/);
    const r3 = await dseval(['run', '--suite', 'aime25', '--model', 'http://x', '--db', db]);
    expect(r3.stderr).toMatch(/model: must be openai:<base-url> or bundled:<model-dir>/);
  });

  it('a config file supplies options; flags override it', async () => {
    const cfg = join(dir, 'good.yaml');
    writeFileSync(cfg, `suite: aime25\nmodel: openai:${server.url}\nn: 2\ndata: ${path}\nprogress: none\ntemperature: 0.25\n`);
    const start = server.requests.length;
    const r = await dseval(['run', '--config', cfg, '--db', join(dir, 'cfg.duckdb'), '--temperature', '0.5', '--limit', '1']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(server.requests.slice(start).map((q) => q.body.temperature)).toEqual([0.5, 0.5]);
  });
});

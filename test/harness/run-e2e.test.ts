/**
 * `dseval run` end to end: the real CLI against a real loopback server speaking the OpenAI API, writing the
 * real DuckDB store. Checks the exact stored rows and metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withStore } from '../../harness/commands/inspect.js';
import { seedFor } from '../../harness/backends/backend.js';
import { dseval, tempDir, writeMathFixture } from '../helpers/cli.js';
import { hash01, mathResponder, startFakeServer, type FakeServer } from '../helpers/openai-server.js';

const dataDir = process.env.DSEVAL_DATA_DIR;

/** The number of correct attempts mathResponder gives for these items and seeds. */
function expectedCorrect(answers: Map<string, string>, ids: Map<string, string>, n: number, runSeed: number, render: (p: string) => string, p = 0.6): number {
  let correct = 0;
  for (const [problem, id] of ids) {
    for (let i = 0; i < n; i++) {
      const seed = seedFor(runSeed, id, i);
      if (hash01(`${render(problem)}|${seed}`) < p && answers.has(problem)) correct++;
    }
  }
  return correct;
}

const renderMath = (problem: string) => `${problem}\nPlease reason step by step, and put your final answer within \\boxed{}.`;

describe.skipIf(!dataDir)('aime25 against a loopback server (real data)', () => {
  let server: FakeServer;
  let answers: Map<string, string>;
  let ids: Map<string, string>;
  beforeAll(async () => {
    const rows = readFileSync(join(dataDir!, 'aime2025', 'aime2025.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    answers = new Map(rows.map((r) => [r.problem, String(r.answer)]));
    ids = new Map(rows.map((r) => [r.problem, r.id]));
    server = await startFakeServer({ respond: mathResponder(answers) });
  });
  afterAll(() => server.close());

  it('stores 120 graded attempts and prints accuracy with its interval', async () => {
    const db = join(tempDir(), 'runs.duckdb');
    const r = await dseval(['run', '--suite', 'aime25', '--model', `openai:${server.url}`, '-n', '4', '--db', db, '--progress', 'lines'], {
      env: { DSEVAL_DATA_DIR: dataDir! },
    });
    expect(r.stderr).not.toMatch(/Error:/);
    expect(r.exitCode).toBe(0);
    const correct = expectedCorrect(answers, ids, 4, 0, renderMath);
    await withStore(db, async (store) => {
      const [run] = await store.listRuns();
      expect(run.status).toBe('finished');
      const attempts = await store.getAttempts(run.runId);
      expect(attempts).toHaveLength(120);
      for (const a of attempts) {
        expect(a.finish).toBe('stop');
        expect(a.reasoning).toMatch(/Let me think/);
        expect(a.text).toMatch(/\\boxed\{/);
        expect(a.seed).toBe(seedFor(0, a.itemId, a.index));
        expect(a.completionTokens).toBeGreaterThan(0);
        expect(a.timings.ttftMs).not.toBeNull();
      }
      const grades = await store.getGrades(run.runId);
      expect(grades).toHaveLength(120);
      expect(grades.filter((g) => g.outcome === 'correct')).toHaveLength(correct);
      const metrics = await store.getMetrics(run.runId);
      const avg = metrics.find((m) => m.metric === 'avg@4' && m.breakdown === '')!;
      expect(avg.value).toBeCloseTo(correct / 120, 12);
      expect(avg.ciLow).toBeLessThan(avg.value);
      expect(avg.ciHigh).toBeGreaterThan(avg.value);
      expect(avg.nItems).toBe(30);
      expect(metrics.map((m) => m.metric)).toEqual(expect.arrayContaining(['pass@1', 'pass@2', 'pass@4', 'maj@4']));
      const pass1 = metrics.find((m) => m.metric === 'pass@1')!;
      expect(pass1.value).toBeCloseTo(avg.value, 12);
    });
    expect(r.stdout).toContain('avg@4');
    expect(r.stdout).toMatch(new RegExp(`${((100 * correct) / 120).toFixed(1)}%\\s+\\[\\d+\\.\\d%, \\d+\\.\\d%\\]`));
  });
});

describe('dseval run on a fixture', () => {
  const dir = tempDir();
  const { path, answers } = writeMathFixture(dir, 6);
  const ids = new Map([...answers.keys()].map((p, i) => [p, `fx-${i + 1}`]));
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer({ respond: mathResponder(answers) });
  });
  afterAll(() => server.close());

  const run = (db: string, extra: string[] = []) =>
    dseval(['run', '--suite', 'aime25', '--data', path, '--model', `openai:${server.url}`, '-n', '3', '--db', db, '--progress', 'none', ...extra]);

  it('resumes: the same command again does nothing new; --fresh starts a new run', async () => {
    const db = join(dir, 'resume.duckdb');
    expect((await run(db)).exitCode).toBe(0);
    const before = server.requests.length;
    const again = await run(db);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('18 of 18 attempts already stored');
    expect(server.requests.length).toBe(before);
    const fresh = await run(db, ['--fresh']);
    expect(fresh.exitCode).toBe(0);
    expect(server.requests.length).toBe(before + 18);
    await withStore(db, async (store) => {
      const runs = await store.listRuns();
      expect(runs).toHaveLength(2);
      expect(runs[0].fingerprint).toBe(runs[1].fingerprint);
      expect(runs[1].runId).toBe(`${runs[0].runId}-2`);
      const [m0, m1] = await Promise.all(runs.map((r) => store.getMetrics(r.runId)));
      expect(m1).toEqual(m0);
    });
  });

  it('a change of sampling is a different run', async () => {
    const db = join(dir, 'fp.duckdb');
    await run(db);
    await run(db, ['--temperature', '0.3']);
    await withStore(db, async (store) => {
      const runs = await store.listRuns();
      expect(runs).toHaveLength(2);
      expect(runs[0].fingerprintParts.sampling).not.toBe(runs[1].fingerprintParts.sampling);
      expect(runs[0].fingerprintParts.data).toBe(runs[1].fingerprintParts.data);
    });
    const body = server.requests.at(-1)!.body;
    expect(body.temperature).toBe(0.3);
  });

  it('sends the sampling settings, seeds and the DeepSeek recipe prompt', async () => {
    const db = join(dir, 'body.duckdb');
    const start = server.requests.length;
    await run(db, ['--max-tokens', '1234', '--top-p', '0.9', '--stop', '###', '--thinking', '--limit', '2']);
    const bodies = server.requests.slice(start).map((r) => r.body);
    expect(bodies).toHaveLength(6);
    for (const b of bodies) {
      expect(b).toMatchObject({ model: 'fake-model', max_tokens: 1234, top_p: 0.9, stop: ['###'], n: 1, stream: true });
      expect(b.chat_template_kwargs).toEqual({ thinking: true, enable_thinking: true });
      expect(b.messages).toHaveLength(1);
      expect(b.messages[0].content).toMatch(/^Fixture problem \d: compute \d times 7\.\nPlease reason step by step, and put your final answer within \\boxed\{\}\.$/);
    }
    expect(new Set(bodies.map((b) => b.seed)).size).toBe(6);
    const correct = expectedCorrect(new Map([...answers].slice(0, 2)), new Map([...ids].slice(0, 2)), 3, 0, renderMath);
    await withStore(db, async (store) => {
      const [r] = await store.listRuns();
      expect((await store.getGrades(r.runId)).filter((g) => g.outcome === 'correct')).toHaveLength(correct);
    });
  });

  it('--server-n asks for all attempts of an item in one request', async () => {
    const db = join(dir, 'servern.duckdb');
    const start = server.requests.length;
    expect((await run(db, ['--server-n'])).exitCode).toBe(0);
    const bodies = server.requests.slice(start).map((r) => r.body);
    expect(bodies).toHaveLength(6);
    expect(bodies.every((b) => b.n === 3)).toBe(true);
    await withStore(db, async (store) => {
      const [r] = await store.listRuns();
      const attempts = await store.getAttempts(r.runId);
      expect(attempts).toHaveLength(18);
      expect(new Set(attempts.map((a) => `${a.itemId}/${a.index}`)).size).toBe(18);
    });
  });

  it('shows progress as a live bar (TTY) or as plain lines', async () => {
    const bar = await run(join(dir, 'bar.duckdb'), ['--progress', 'bar']);
    expect(bar.stderr).toMatch(/\r\x1b\[2Kaime25 [█░]+ \d+\/18 \d+% [\d.]+\/s ETA [\d:-]+ errors 0/);
    expect(bar.stderr).toMatch(/18\/18 100%/);
    const lines = await run(join(dir, 'lines.duckdb'), ['--progress', 'lines']);
    expect(lines.stderr).toMatch(/^aime25: 0\/18 attempts \(0\.0%\)/m);
    expect(lines.stderr).toMatch(/^aime25: 18\/18 attempts \(100\.0%\), [\d.]+\/s, ETA 0:00, errors 0$/m);
  });

  it('prints the summary with `dseval show` and lists runs', async () => {
    const db = join(dir, 'show.duckdb');
    await run(db);
    const list = await dseval(['list', 'runs', '--db', db]);
    expect(list.exitCode).toBe(0);
    const runId = list.stdout.split('\n')[2].split(/\s+/)[0];
    expect(runId).toMatch(/^aime25-[0-9a-f]{8}$/);
    const show = await dseval(['show', runId.slice(0, 12), '--db', db]);
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toContain(`run ${runId}  (finished)`);
    expect(show.stdout).toMatch(/avg@3\s+\d+\.\d%\s+\[/);
    expect(show.stdout).toMatch(/correct\s+\d+\s+\d+\.\d%/);
    expect(show.stdout).toMatch(/time to first token/);
    const suites = await dseval(['list', 'suites']);
    expect(suites.stdout).toMatch(/aime25\s+AIME 2025/);
    expect(suites.stdout).toMatch(/hmmt_feb25/);
  });
});

describe('formats users have', () => {
  const dir = tempDir();
  let server: FakeServer;
  const answers = new Map([
    ['What is 6 times 7?', '42'],
    ['What is 5 plus 5?', '10'],
  ]);
  beforeAll(async () => {
    server = await startFakeServer({ respond: mathResponder(answers, 1) });
  });
  afterAll(() => server.close());

  it('a Hugging Face Parquet file with question/answer columns (numeric answers), read through DuckDB', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const parquet = join(dir, 'test-00000-of-00001.parquet');
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    await conn.run(
      `COPY (SELECT * FROM (VALUES ('What is 6 times 7?', 42), ('What is 5 plus 5?', 10)) t(question, answer)) TO '${parquet}' (FORMAT parquet)`,
    );
    conn.closeSync();
    inst.closeSync();
    const db = join(dir, 'parquet.duckdb');
    // a directory in HF snapshot layout works as well as the file
    const r = await dseval(['run', '--suite', 'aime24', '--data', dir, '--model', `openai:${server.url}`, '-n', '1', '--db', db, '--progress', 'none']);
    expect(r.exitCode, r.stderr).toBe(0);
    await withStore(db, async (store) => {
      const [run] = await store.listRuns();
      const items = await store.getItems(run.runId);
      expect(items.map((i) => [i.item.id, i.item.target])).toEqual([
        ['1', '42'],
        ['2', '10'],
      ]);
      expect((await store.getGrades(run.runId)).map((g) => g.outcome)).toEqual(['correct', 'correct']);
    });
  });

  it('the completions API with a client-side DeepSeek chat format', async () => {
    const jsonl = join(dir, 'two.jsonl');
    writeFileSync(jsonl, [...answers].map(([problem, answer], i) => JSON.stringify({ id: `q${i}`, problem, answer })).join('\n'));
    const db = join(dir, 'completions.duckdb');
    const start = server.requests.length;
    const r = await dseval([
      'run', '--suite', 'hmmt_feb25', '--data', jsonl, '--model', `openai:${server.url}`, '-n', '1', '--db', db,
      '--api', 'completions', '--chat-format', 'deepseek-v3.2', '--thinking', '--progress', 'none',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const reqs = server.requests.slice(start);
    expect(reqs.map((q) => q.path)).toEqual(['/v1/completions', '/v1/completions']);
    expect(reqs[0].body.prompt).toBe(
      `<｜begin▁of▁sentence｜><｜User｜>What is 6 times 7?\nPlease reason step by step, and put your final answer within \\boxed{}.<｜Assistant｜><think>`,
    );
    await withStore(db, async (store) => {
      const [run] = await store.listRuns();
      expect(run.fingerprintParts.chatFormat).toBe('deepseek-v3.2@1');
      expect((await store.getGrades(run.runId)).every((g) => g.outcome === 'correct')).toBe(true);
    });
  });
});

/**
 * `dseval run --suite lcb` end to end: the real CLI, a real OpenAI-compatible server on loopback serving the
 * answers, the real sandboxed judge and the real DuckDB store; checks the stored grades, verdicts and metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withStore } from '../../../harness/commands/inspect.js';
import { seedFor } from '../../../harness/backends/backend.js';
import { dseval, tempDir } from '../../helpers/cli.js';
import { startFakeServer, type FakeServer } from '../../helpers/openai-server.js';
import { sandboxMissing } from '../../judges/code/helpers.js';
import { REFERENCES } from './reference-solutions.js';

const fence = (code: string) => `Here is the program.\n\n\`\`\`python\n${code}\n\`\`\`\n`;

/** Four problems (two per type) and a right and a wrong program for each. */
const FIXTURE = [
  {
    row: { id: 'fx_double', platform: 'atcoder', difficulty: 'easy', contest_date: '2024-09-01T00:00:00', problem: 'FX-DOUBLE: read n and print 2n.', starter_code: '', func_name: null, tests: [{ input: '3\n', output: '6\n' }, { input: '10\n', output: '20\n' }] },
    right: 'print(2 * int(input()))',
    wrong: 'print(int(input()) + 2)',
  },
  {
    row: { id: 'fx_sum', platform: 'atcoder', difficulty: 'medium', contest_date: '2024-09-02T00:00:00', problem: 'FX-SUM: print the sum of the integers on the line.', starter_code: '', func_name: null, tests: [{ input: '1 2 3\n', output: '6\n' }] },
    right: 'print(sum(map(int, input().split())))',
    wrong: 'print(max(map(int, input().split())))',
  },
  {
    row: { id: '9001', platform: 'leetcode', difficulty: 'easy', contest_date: '2024-09-03T00:00:00', problem: 'FX-ADD: return a + b.', starter_code: 'class Solution:\n    def addTwo(self, a: int, b: int) -> int:\n        ', func_name: 'addTwo', tests: [{ input: '1\n2', output: '3' }, { input: '-5\n5', output: '0' }] },
    right: 'class Solution:\n    def addTwo(self, a: int, b: int) -> int:\n        return a + b',
    wrong: 'class Solution:\n    def addTwo(self, a: int, b: int) -> int:\n        return a - b',
  },
  {
    row: { id: '9002', platform: 'leetcode', difficulty: 'medium', contest_date: '2024-09-04T00:00:00', problem: 'FX-REV: return the list reversed.', starter_code: 'class Solution:\n    def rev(self, xs: List[int]) -> List[int]:\n        ', func_name: 'rev', tests: [{ input: '[1, 2, 3]', output: '[3, 2, 1]' }] },
    right: 'class Solution:\n    def rev(self, xs: List[int]) -> List[int]:\n        return tuple(reversed(xs))',
    wrong: 'class Solution:\n    def rev(self, xs: List[int]) -> List[int]:\n        return xs',
  },
];

/** Attempt behaviour by seed: 0 right, 1 wrong, 2 no code block at all. */
const kind = (seed: number) => seed % 3;

describe.skipIf(sandboxMissing())('dseval run --suite lcb on a fixture', () => {
  const dir = tempDir();
  const data = join(dir, 'lcb-fixture.jsonl');
  writeFileSync(data, FIXTURE.map((f) => JSON.stringify(f.row)).join('\n') + '\n');
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer({
      respond: (req) => {
        const f = FIXTURE.find((x) => req.prompt.includes(x.row.problem));
        const seed = Number(req.body.seed ?? 0);
        if (!f) return { content: 'no idea' };
        const k = kind(seed);
        return { reasoning: 'Thinking about it.', content: k === 0 ? fence(f.right) : k === 1 ? fence(f.wrong) : 'I would loop over the input and print the result.' };
      },
    });
  });
  afterAll(() => server.close());

  it('judges the served answers in the sandbox and stores grades, verdicts and metrics by platform and difficulty', async () => {
    const db = join(dir, 'runs.duckdb');
    const r = await dseval(['run', '--suite', 'lcb', '--data', data, '--model', `openai:${server.url}`, '-n', '3', '--db', db, '--progress', 'none', '--test-timeout', '4']);
    expect(r.stderr).not.toMatch(/Error|WARNING/);
    expect(r.exitCode).toBe(0);
    const expected = new Map<string, number[]>();
    for (const f of FIXTURE) expected.set(f.row.id, [0, 1, 2].map((i) => kind(seedFor(0, f.row.id, i))));
    await withStore(db, async (store) => {
      const [run] = await store.listRuns();
      expect(run.status).toBe('finished');
      const grades = await store.getGrades(run.runId);
      expect(grades).toHaveLength(12);
      for (const g of grades) {
        const k = expected.get(g.itemId)![g.attempt];
        expect(g.outcome, `${g.itemId}/${g.attempt}`).toBe(['correct', 'wrong', 'no_answer'][k]);
        if (k === 2) continue;
        expect(g.details).toMatchObject({ verdict: k === 0 ? 'AC' : 'WA', sandbox: 'bwrap' });
        expect(g.judge).toBe('code-python-lcb');
        const f = FIXTURE.find((x) => x.row.id === g.itemId)!;
        expect(g.extracted).toBe(k === 0 ? f.right : f.wrong);
      }
      const correct = grades.filter((g) => g.outcome === 'correct').length;
      expect(correct).toBe([...expected.values()].flat().filter((k) => k === 0).length);
      const metrics = await store.getMetrics(run.runId);
      const pass1 = metrics.find((m) => m.metric === 'pass@1' && m.breakdown === '')!;
      expect(pass1.value).toBeCloseTo(correct / 12, 12);
      expect(metrics.find((m) => m.metric === 'pass@3' && m.breakdown === '')).toBeDefined();
      const slices = new Set(metrics.filter((m) => m.metric === 'pass@1').map((m) => m.breakdown));
      for (const s of ['platform=atcoder', 'platform=leetcode', 'difficulty=easy', 'difficulty=medium']) expect(slices.has(s), s).toBe(true);
    });
    expect(r.stdout).toMatch(/pass@1/);

    // Judge settings are not generation settings: a new time limit re-grades the stored answers, asks nothing new.
    const before = server.requests.length;
    const again = await dseval(['run', '--suite', 'lcb', '--data', data, '--model', `openai:${server.url}`, '-n', '3', '--db', db, '--progress', 'none', '--test-timeout', '5', '--judge-concurrency', '1']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(/reusing 12 attempts/);
    expect(server.requests.length).toBe(before);
    await withStore(db, async (store) => {
      const runs = await store.listRuns();
      expect(runs).toHaveLength(2);
      expect(runs[1].fingerprintParts.generation).toBe(runs[0].fingerprintParts.generation);
      expect(runs[1].fingerprintParts.judge).toMatch(/timeout=5s/);
      const regraded = await store.getGrades(runs[1].runId);
      expect(regraded.filter((g) => g.outcome === 'correct')).toHaveLength([...expected.values()].flat().filter((k) => k === 0).length);
    });
  }, 180_000);

  it('refuses bad suite options before anything runs', async () => {
    const r = await dseval(['run', '--suite', 'lcb', '--data', data, '--model', `openai:${server.url}`, '--db', join(dir, 'bad.duckdb'), '--release', 'v9']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/--release: expected release_v1/);
  });
});

const dataDir = process.env.DSEVAL_DATA_DIR;

describe.skipIf(!dataDir || sandboxMissing())('dseval run --suite lcb on ../shared/data/livecodebench', () => {
  let server: FakeServer;
  let rows: Array<{ id: string; problem: string; contest_date: string }>;
  const solutions = new Map(REFERENCES.filter((r) => r.verdict === 'AC').map((r) => [r.problem, r.code]));
  beforeAll(async () => {
    rows = readFileSync(join(dataDir!, 'livecodebench', 'livecodebench_2408_2501_public.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    server = await startFakeServer({
      respond: (req) => {
        const row = rows.find((x) => req.prompt.includes(x.problem));
        const code = row && solutions.get(row.id);
        return { content: code ? fence(code) : 'Sorry, I cannot solve this one.' };
      },
    });
  });
  afterAll(() => server?.close());

  it("judges the first contest window's answers end to end", async () => {
    const db = join(tempDir(), 'real.duckdb');
    const data = join(dataDir!, 'livecodebench', 'livecodebench_2408_2501_public.jsonl');
    const r = await dseval(['run', '--suite', 'lcb', '--data', data, '--model', `openai:${server.url}`, '-n', '1', '--db', db, '--progress', 'none', '--start-date', '2024-08-03', '--end-date', '2024-08-04']);
    expect(r.exitCode).toBe(0);
    const inWindow = rows.filter((x) => x.contest_date >= '2024-08-03' && x.contest_date <= '2024-08-04T00:00:00').map((x) => x.id);
    await withStore(db, async (store) => {
      const [run] = await store.listRuns();
      const grades = await store.getGrades(run.runId);
      expect(grades.map((g) => g.itemId).sort()).toEqual([...inWindow].sort());
      const solved = grades.filter((g) => g.outcome === 'correct').map((g) => g.itemId).sort();
      expect(solved).toEqual(inWindow.filter((id) => solutions.has(id)).sort());
      expect(solved.length).toBeGreaterThanOrEqual(3);
      expect(grades.filter((g) => g.outcome === 'no_answer')).toHaveLength(inWindow.length - solved.length);
    });
  }, 120_000);
});

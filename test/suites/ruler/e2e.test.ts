/**
 * `dseval run --suite ruler` end to end: the real CLI against a loopback OpenAI-compatible server whose
 * "model" answers each prompt from its text (the solver), keeping a deterministic share of the answers so
 * partial credit shows; the stored grades, per-item budgets and the task × length table are checked exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../../reports/store.js';
import { rulerCellsFromMetrics, rulerTable } from '../../../suites/ruler/table.js';
import { dseval, tempDir } from '../../helpers/cli.js';
import { hash01, startFakeServer, type CompletionRequest, type FakeServer } from '../../helpers/openai-server.js';
import { solve } from './helpers.js';

/** The answers a request gets: the first k of the solved answers, k fixed by a hash of the prompt. */
function partialAnswer(prompt: string): string {
  const answers = solve(prompt) ?? [];
  const k = Math.floor(hash01(prompt) * (answers.length + 1));
  return k === 0 ? 'I could not find it.' : answers.slice(0, k).join(', ');
}

const expectedScore = (response: string, refs: string[]) => refs.filter((r) => response.toLowerCase().includes(r.toLowerCase())).length / refs.length;

describe('dseval run --suite ruler through a loopback server', () => {
  let server: FakeServer;
  const dir = tempDir();
  const db = join(dir, 'ruler.duckdb');
  beforeAll(async () => {
    server = await startFakeServer({ respond: (req: CompletionRequest) => ({ content: partialAnswer(req.prompt) }) });
  });
  afterAll(() => server.close());

  const run = () =>
    dseval(
      ['run', '--suite', 'ruler', '--tasks', 'no-files', '--lengths', '1024,2048', '--samples', '2', '--tokenizer', 'deepseek-v3', '--model', `openai:${server.url}`, '--db', db, '--progress', 'none'],
      { timeout: 240_000 },
    );

  it('stores exact grades, per-item answer budgets and the task × length table', async () => {
    const r = await run();
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.exitCode).toBe(0);
    expect(server.requests).toHaveLength(24);
    const budgets: Record<string, number> = { niah: 128, vt: 30, cwe: 120, fwe: 50 };
    const store = await Store.open(db);
    try {
      const [run1] = await store.listRuns();
      expect(run1.status).toBe('finished');
      const items = await store.getItems(run1.runId);
      expect(items).toHaveLength(24);
      const grades = new Map((await store.getGrades(run1.runId)).map((g) => [g.itemId, g]));
      let solvedFully = 0;
      for (const { item } of items) {
        const req = server.requests.find((q) => q.prompt.startsWith(String(item.fields.input)))!;
        expect(req, item.id).toBeDefined();
        // The answer prefix closes the user turn on the chat API; the budget is the task's.
        expect(req.prompt).toBe(`${String(item.fields.input)}\n\n${String(item.fields.answer_prefix)}`);
        expect(req.body.max_tokens).toBe(budgets[String(item.metadata.task).split('_')[0]]);
        expect(req.body.temperature).toBe(0);
        const refs = (item.target as { references: string[] }).references;
        const score = expectedScore(partialAnswer(req.prompt), refs);
        const g = grades.get(item.id)!;
        expect(g.score, item.id).toBeCloseTo(score, 12);
        expect(g.outcome).toBe(score === 1 ? 'correct' : 'wrong');
        if (score === 1) solvedFully++;
      }
      expect(solvedFully).toBeGreaterThan(0);
      expect(solvedFully).toBeLessThan(24);

      const metrics = await store.getMetrics(run1.runId);
      const table = rulerTable(rulerCellsFromMetrics(metrics));
      expect(table.tasks).toEqual(['fwe', 'cwe', 'niah_multikey_2', 'niah_multikey_3', 'niah_single_1', 'vt'].sort());
      expect(table.lengths).toEqual([1024, 2048]);
      for (const p of table.perLength) {
        const here = items.filter(({ item }) => item.metadata.length === p.length).map(({ item }) => grades.get(item.id)!.score);
        expect(p.average).toBeCloseTo((100 * here.reduce((s, x) => s + x, 0)) / here.length, 9);
        expect(p.complete).toBe(true);
      }
      expect(metrics.find((m) => m.breakdown === 'task=vt,length=1024' && m.metric === 'avg@1')!.nItems).toBe(2);
    } finally {
      await store.close();
    }
    // The run summary shows the task × length slices (its layout belongs to reports/).
    expect(r.stdout).toMatch(/vt/);
    expect(r.stdout).toMatch(/2048/);
  });

  it('resumes: the same command again generates nothing new', async () => {
    const before = server.requests.length;
    const again = await run();
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('24 of 24 attempts already stored');
    expect(server.requests.length).toBe(before);
  });

  it('names --tokenizer when neither the backend nor the user gives one', async () => {
    const r = await dseval(['run', '--suite', 'ruler', '--tasks', 'vt', '--model', `openai:${server.url}`, '--db', join(dir, 'x.duckdb'), '--progress', 'none']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/suite ruler needs the evaluated model's tokenizer to size prompts: pass --tokenizer/);
  });
});

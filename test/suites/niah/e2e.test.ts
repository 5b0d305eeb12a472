/** `dseval run --suite niah` end to end through a loopback server, with exact grades and the stored heatmap. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../../reports/store.js';
import { niahCellsFromMetrics, niahGrid } from '../../../suites/niah/grid.js';
import { dseval, tempDir } from '../../helpers/cli.js';
import { hash01, startFakeServer, type CompletionRequest, type FakeServer } from '../../helpers/openai-server.js';
import { solve } from '../ruler/helpers.js';
import { writeEssays } from './fixtures.js';

/** Finds the needle(s) in the prompt and reports the first k, k fixed by a hash of the prompt. */
function answer(prompt: string): string {
  const found = solve(prompt) ?? [];
  const k = Math.floor(hash01(prompt) * (found.length + 1));
  return k === 0 ? 'The document does not say.' : `From the document: ${found.slice(0, k).join(', ')}.`;
}

describe('dseval run --suite niah through a loopback server', () => {
  let server: FakeServer;
  const essays = writeEssays();
  const db = join(tempDir(), 'niah.duckdb');
  beforeAll(async () => {
    server = await startFakeServer({ respond: (req: CompletionRequest) => ({ content: answer(req.prompt) }) });
  });
  afterAll(() => server.close());

  it('grades by key phrases and stores the length × depth grid of both variants', async () => {
    const r = await dseval(
      ['run', '--suite', 'niah', '--essays', essays, '--lengths', '1000,2000', '--depths', '0:100:3', '--variant', 'both', '--tokenizer', 'deepseek-v3', '--model', `openai:${server.url}`, '--db', db, '--progress', 'none'],
      { timeout: 240_000 },
    );
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.exitCode).toBe(0);
    expect(server.requests).toHaveLength(12);
    const store = await Store.open(db);
    try {
      const [run] = await store.listRuns();
      const items = await store.getItems(run.runId);
      const grades = new Map((await store.getGrades(run.runId)).map((g) => [g.itemId, g]));
      for (const { item } of items) {
        const req = server.requests.find((q) => q.prompt === item.fields.input)!;
        expect(req.body.messages[0]).toEqual({ role: 'system', content: 'You are a helpful AI bot that answers questions for a user. Keep your response short and direct' });
        expect(req.body.max_tokens).toBe(128);
        const refs = (item.target as { references: string[] }).references;
        const reply = answer(req.prompt).toLowerCase();
        const score = refs.filter((p) => reply.includes(p.toLowerCase())).length / refs.length;
        expect(grades.get(item.id)!.score, item.id).toBeCloseTo(score, 12);
        expect(grades.get(item.id)!.outcome).toBe(score === 1 ? 'correct' : 'wrong');
      }
      const metrics = await store.getMetrics(run.runId);
      for (const task of ['niah', 'niah_multi']) {
        const grid = niahGrid(niahCellsFromMetrics(metrics, task));
        expect(grid.lengths).toEqual([1000, 2000]);
        expect(grid.depths).toEqual([0, 50, 100]);
        for (const [d, depth] of grid.depths.entries()) {
          for (const [l, length] of grid.lengths.entries()) {
            expect(grid.scores[d][l]).toBeCloseTo(100 * grades.get(`${task}/${length}/${depth}`)!.score, 9);
          }
        }
      }
    } finally {
      await store.close();
    }
  });
});

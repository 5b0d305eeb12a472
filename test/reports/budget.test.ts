/**
 * The token-budget curve: hand-made cases for the arithmetic, then the claim itself end to end: against a real
 * loopback server that honours max_tokens the way vLLM does (a deterministic answer per seed, cut off at
 * max_tokens with finish "length"), the curve of a run at 4,096 tokens predicts exactly the avg@4 of the same
 * run made again at 1,024 and at 2,048 tokens. `dseval show` prints it; the HTML report draws it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { budgetCurve, budgetLadder, formatBudget } from '../../reports/budget.js';
import { budgetAttempts } from '../../reports/queries.js';
import { withStore } from '../../harness/commands/inspect.js';
import { dseval, tempDir, writeMathFixture } from '../helpers/cli.js';
import { hash01, startFakeServer, type Completion, type CompletionRequest, type FakeServer } from '../helpers/openai-server.js';

describe('budgetCurve arithmetic', () => {
  it('counts an attempt at budget B only when its whole completion fit in B', () => {
    const items = [
      [{ completionTokens: 100, score: 1 }, { completionTokens: 900, score: 1 }],
      [{ completionTokens: 300, score: 0 }, { completionTokens: 2000, score: 1 }],
    ];
    const c = budgetCurve(items, [256, 1024, 2000]);
    expect(c.points.map((p) => p.value)).toEqual([0.25, 0.5, 0.75]);
    expect(c.points.map((p) => p.n)).toEqual([2, 2, 2]);
    expect(c.tokensPerCorrect).toBeCloseTo(3300 / 3, 12);
    expect(c.scoredWithoutTokens).toBe(0);
    // Without intervals (the terminal summary): the same values, no bootstrap.
    const plain = budgetCurve(items, [256, 1024, 2000], { intervals: false });
    expect(plain.points.map((p) => p.value)).toEqual([0.25, 0.5, 0.75]);
    expect(plain.points.every((p) => Number.isNaN(p.ciLow) && Number.isNaN(p.ciHigh))).toBe(true);
  });

  it('refuses to draw a curve when a scored attempt has no token count, and ladders end at the longest completion', () => {
    const c = budgetCurve([[{ completionTokens: null, score: 1 }, { completionTokens: 50, score: 0 }]]);
    expect(c.points).toEqual([]);
    expect(c.scoredWithoutTokens).toBe(1);
    expect(c.tokensPerCorrect).toBeNull();
    expect(budgetLadder(3000)).toEqual([256, 512, 1024, 2048, 3000]);
    expect(budgetLadder(256)).toEqual([256]);
    expect(budgetLadder(0)).toEqual([]);
    expect([512, 1024, 1536, 32768].map(formatBudget)).toEqual(['512', '1K', '1.5K', '32K']);
  });
});

describe('the curve predicts runs at smaller max_tokens (loopback server)', () => {
  let server: FakeServer;
  let dir: string;
  let db: string;
  let fixture: { path: string; answers: Map<string, string> };

  // Reasoning of 50–3,050 "tokens" (4 characters each, as the server counts), then the boxed answer; right with
  // probability 0.6. Past max_tokens the text is cut at exactly max_tokens tokens and finish is "length".
  const respond = (req: CompletionRequest, index: number): Completion => {
    const gold = [...fixture.answers.entries()].find(([problem]) => req.prompt.includes(problem))![1];
    const seed = Number(req.body.seed ?? 0) + index;
    const right = hash01(`${req.prompt}|${seed}`) < 0.6;
    const reasoning = 'abcd'.repeat(50 + Math.floor(hash01(`len|${req.prompt}|${seed}`) * 3000));
    const content = `The answer is $\\boxed{${right ? gold : Number(gold) + 1}}$.`;
    const max = Number(req.body.max_tokens ?? Infinity);
    if (Math.ceil((reasoning.length + content.length) / 4) <= max) return { reasoning, content };
    const keep = 4 * max;
    return { reasoning: reasoning.slice(0, keep), content: content.slice(0, Math.max(0, keep - reasoning.length)), finish: 'length' };
  };

  beforeAll(async () => {
    dir = tempDir();
    db = join(dir, 'budget.duckdb');
    fixture = writeMathFixture(dir, 24);
    server = await startFakeServer({ respond });
  });
  afterAll(() => server?.close());

  const run = (maxTokens: number) =>
    dseval(['run', '--suite', 'aime25', '--data', fixture.path, '--model', `openai:${server.url}`, '-n', '4', '--max-tokens', String(maxTokens), '--db', db, '--progress', 'none']);
  const runIdOf = (stdout: string) => /run ([0-9a-z-]+)/.exec(stdout)![1];

  it('avg@4 at max_tokens 1,024 and 2,048 equals the 4,096-token run\'s curve at those budgets', async () => {
    const full = await run(4096);
    expect(full.exitCode, full.stderr).toBe(0);
    const fullId = runIdOf(full.stdout);
    const predicted = await withStore(db, async (s) => budgetCurve(await budgetAttempts(s, fullId), [1024, 2048]).points.map((p) => p.value));
    expect(predicted[0]).toBeGreaterThan(0.05);
    expect(predicted[0]).toBeLessThan(predicted[1]);
    for (const [i, budget] of [1024, 2048].entries()) {
      const short = await run(budget);
      expect(short.exitCode, short.stderr).toBe(0);
      const id = runIdOf(short.stdout);
      expect(id).not.toBe(fullId);
      const actual = await withStore(db, async (s) => (await s.getMetrics(id)).find((m) => m.metric === 'avg@4' && m.breakdown === '')!.value);
      expect(actual, `budget ${budget}`).toBeCloseTo(predicted[i], 12);
    }
    const show = await dseval(['show', fullId, '--db', db]);
    expect(show.stdout).toMatch(/completion tokens per correct attempt: \d+/);
    expect(show.stdout).toMatch(/accuracy had max_tokens been B \(attempts finished within B\): 256 [\d.]+% · 512 [\d.]+% · 1K [\d.]+% · 2K [\d.]+% · [\d.]+K [\d.]+%/);
    const html = join(dir, 'r.html');
    const rep = await dseval(['report', fullId, '--db', db, '--out', html]);
    expect(rep.exitCode, rep.stderr).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('Accuracy had max_tokens been B');
  });
});

/**
 * The Judge end to end: real piscina worker threads running the compiled worker (npm run build first),
 * batching, the shared outcome rules, item metadata, bad input, a free event loop, the hard kill of a
 * hung worker, and close().
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attempt, Item } from '../../../harness/types.js';
import { createMathJudge, summarizeSelfCheck } from '../../../judges/math/index.js';
import { MathPool } from '../../../judges/math/pool.js';
import { CASES } from './table.js';

function attempt(text: string, over: Partial<Attempt> = {}): Attempt {
  return {
    itemId: 'i', index: 0, seed: 0, text, reasoning: '', thinkingUnclosed: false, finish: 'stop',
    promptTokens: null, completionTokens: null, timings: { latencyMs: 0, ttftMs: null, tokensPerSecond: null }, error: null, ...over,
  };
}
const item = (id: string, target: unknown, metadata: Record<string, unknown> = {}): Item =>
  ({ id, fields: {}, target: target as Item['target'], metadata: metadata as Item['metadata'] });

describe('createMathJudge (worker pool)', () => {
  const judge = createMathJudge({ strict: false, budgetMs: 3_000 });
  const strictJudge = createMathJudge({ strict: true, threads: 1 });
  afterAll(async () => { await judge.close?.(); await strictJudge.close?.(); });

  it('grades the whole verdict table in workers exactly as the core does', async () => {
    const rows = CASES.filter((c) => !c.strict && !c.answerType && !c.anyVerdict);
    const grades = await judge.gradeMany!(rows.map((c, i) => ({
      item: item(`t${i}`, c.gold, c.listMode ? { answer_kind: 'multiple_values' } : {}),
      attempt: attempt(c.pred),
    })));
    const wrong = grades.map((g, i) => [rows[i]!, g] as const).filter(([c, g]) => g.outcome !== c.expect).map(([c, g]) => `${c.group} ${c.pred.slice(0, 50)} → ${g.outcome}`);
    expect(wrong).toEqual([]);
    const summary = summarizeSelfCheck(grades);
    expect(summary.disagreements).toBe(0);
    expect(summary.checked).toBeGreaterThan(rows.length / 2);
    for (const g of grades) expect(g.details.timings ?? g.details.reason).toBeDefined();
  });

  it('strict integer grading from the item metadata (AIME)', async () => {
    const meta = { answer_type: 'integer' };
    const [a, b, c, d] = await strictJudge.gradeMany!([
      { item: item('2025-I-1', '70', meta), attempt: attempt('so the sum is $\\boxed{070}$') },
      { item: item('2025-I-1', '70', meta), attempt: attempt('The sum is 70.') },
      { item: item('2025-I-1', '70', meta), attempt: attempt('\\boxed{69.99999999999}') },
      { item: item('2025-I-1', '70', meta), attempt: attempt('\\boxed{70^\\circ}') },
    ]);
    expect([a!.outcome, b!.outcome, c!.outcome, d!.outcome]).toEqual(['correct', 'no_answer', 'wrong', 'correct']);
    expect(a!.answerKey).toBe('70');
    expect(a!.details.extraction).toBe('boxed');
    expect(strictJudge.version).toMatch(/\+strict$/);
  });

  it('single grade() calls made together are batched and each resolves', async () => {
    const gold = '\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}';
    const preds = ['\\boxed{\\frac{-1\\pm\\sqrt{17}}{2}}', '\\boxed{\\frac{1\\pm\\sqrt{17}}{2}}', '\\boxed{\\frac{-1-\\sqrt{17}}{2}} and \\boxed{\\frac{-1+\\sqrt{17}}{2}}'];
    const grades = await Promise.all(Array.from({ length: 60 }, (_, i) => judge.grade(item('hmmt-10', gold, { answer_kind: 'multiple_values' }), attempt(preds[i % 3]!))));
    expect(grades.map((g) => g.outcome)).toEqual(Array.from({ length: 60 }, (_, i) => (i % 3 === 1 ? 'wrong' : 'correct')));
    // Equivalent answers vote together.
    expect(new Set(grades.filter((g) => g.outcome === 'correct').map((g) => g.answerKey)).size).toBe(1);
  });

  it('applies the shared outcome rules before any answer checking', async () => {
    const it0 = item('x', '5');
    const [t, u, e] = await judge.gradeMany!([
      { item: it0, attempt: attempt('\\boxed{5}', { finish: 'length' }) },
      { item: it0, attempt: attempt('\\boxed{5}', { thinkingUnclosed: true }) },
      { item: it0, attempt: attempt('', { finish: 'error', error: 'HTTP 500' }) },
    ]);
    expect([t!.outcome, u!.outcome, e!.outcome]).toEqual(['truncated', 'unclosed_thinking', 'error']);
  });

  it('names the item and the problem for bad gold answers and targets', async () => {
    const [bad, notString] = await judge.gradeMany!([
      { item: item('broken-1', '\\frac{1}{'), attempt: attempt('\\boxed{1}') },
      { item: item('broken-2', { tests: [] }), attempt: attempt('\\boxed{1}') },
    ]);
    expect(bad!.outcome).toBe('error');
    expect(bad!.details.itemId).toBe('broken-1');
    expect(String(bad!.details.reason)).toMatch(/gold answer "\\\\frac\{1\}\{" does not parse/);
    expect(notString!.outcome).toBe('error');
    expect(String(notString!.details.reason)).toMatch(/item broken-2: target must be/);
    const [notInt] = await strictJudge.gradeMany!([{ item: item('2025-x', '1/2', { answer_type: 'integer' }), attempt: attempt('\\boxed{1}') }]);
    expect(String(notInt!.details.reason)).toMatch(/not an integer/);
  });

  it('keeps the event loop free while grading', async () => {
    let maxGap = 0;
    let last = performance.now();
    const timer = setInterval(() => { const now = performance.now(); maxGap = Math.max(maxGap, now - last); last = now; }, 5);
    const big = Array.from({ length: 400 }, (_, i) => ({ item: item(`b${i}`, '\\sqrt{23}-2\\sqrt{3}'), attempt: attempt(`Long work... ${'x '.repeat(2_000)} \\boxed{\\sqrt{35 - 4\\sqrt{69}}}`) }));
    const elu0 = performance.eventLoopUtilization();
    const grades = await judge.gradeMany!(big);
    const elu = performance.eventLoopUtilization(elu0);
    clearInterval(timer);
    expect(grades.every((g) => g.outcome === 'correct')).toBe(true);
    // The main thread mostly waits (grading in it would keep it busy all along); no long synchronous stall.
    // Timer gaps also include the OS descheduling us on a loaded 2-core machine, hence the wide bound.
    expect(elu.utilization).toBeLessThan(0.5);
    expect(maxGap).toBeLessThan(1_500);
  });

  it('pathological answers end promptly as verdicts or errors', async () => {
    const quick = createMathJudge({ strict: false, budgetMs: 300, threads: 1 });
    try {
      await quick.grade(item('warm', '1'), attempt('\\boxed{1}')); // worker start-up is not the point here
      const preds = [`\\boxed{${'\\frac{1}{2}+'.repeat(8_000)}1}`, '\\boxed{10^{10^{10}}}', '\\boxed{(10^{10})!}', `\\boxed{${'{'.repeat(10_000)}1${'}'.repeat(10_000)}}`, '\\boxed{33}'];
      const t0 = performance.now();
      const grades = await quick.gradeMany!(preds.map((p, i) => ({ item: item(`p${i}`, '33'), attempt: attempt(p) })));
      // Each grade is bounded by its budget (300 ms) and the hard limit; generous for a loaded 2-core CI box.
      expect(performance.now() - t0).toBeLessThan(20_000);
      expect(grades.map((g) => g.outcome).slice(1)).toEqual(['wrong', 'wrong', 'wrong', 'correct']);
      expect(['wrong', 'error']).toContain(grades[0]!.outcome);
    } finally {
      await quick.close?.();
    }
  });
});

describe('MathPool hard kill', () => {
  let dir = '';
  beforeAll(() => {
    // A worker that hangs (a busy loop no cooperative check can stop) on one marked task.
    dir = mkdtempSync(join(tmpdir(), 'dseval-math-pool-'));
    writeFileSync(join(dir, 'hang-worker.mjs'), `export default function ({ tasks, port }) {
      port.postMessage('started');
      return tasks.map((t) => {
        if (t.response.includes('HANG')) for (;;) {}
        if (t.response.includes('CRASH')) throw new Error('checker crashed');
        return { outcome: 'correct', score: 1, extracted: t.response, answerKey: t.response, judgeDisagreement: null, details: { threadId: 0 } };
      });
    }`);
  });

  it('kills the hung worker, grades the rest of its batch, and keeps serving', async () => {
    const pool = new MathPool({ threads: 2, batchSize: 8, budgetMs: 100, slackMs: 400, workerFile: join(dir, 'hang-worker.mjs') });
    try {
      const tasks = Array.from({ length: 16 }, (_, i) => ({ itemId: `k${i}`, gold: '1', response: i === 5 ? 'HANG' : `r${i}`, options: { strict: false, answerType: 'expression' as const, budgetMs: 100 } }));
      const t0 = performance.now();
      const grades = await pool.gradeAll(tasks);
      const ms = performance.now() - t0;
      expect(grades[5]!.outcome).toBe('error');
      expect(grades[5]!.details.reason).toBe('time budget exceeded');
      expect(String(grades[5]!.details.detail)).toMatch(/worker killed/);
      expect(grades[5]!.details.itemId).toBe('k5');
      const others = grades.filter((_, i) => i !== 5);
      expect(others.every((g) => g.outcome === 'correct')).toBe(true);
      expect(others.map((g) => g.extracted)).toEqual(tasks.filter((_, i) => i !== 5).map((t) => t.response));
      expect(pool.kills).toBe(2); // the batch, then the task alone
      expect(ms).toBeLessThan(10_000);
      const after = await pool.gradeAll([{ ...tasks[0]!, response: 'still alive' }]);
      expect(after[0]!.outcome).toBe('correct');
    } finally {
      await pool.close();
    }
  });

  it('a crashing batch is retried one by one; only the crashing task fails, naming why', async () => {
    const pool = new MathPool({ threads: 1, batchSize: 4, budgetMs: 100, workerFile: join(dir, 'hang-worker.mjs') });
    try {
      const tasks = ['a', 'CRASH', 'c'].map((r, i) => ({ itemId: `c${i}`, gold: '1', response: r, options: { strict: false, answerType: 'expression' as const, budgetMs: 100 } }));
      const grades = await pool.gradeAll(tasks);
      expect(grades.map((g) => g.outcome)).toEqual(['correct', 'error', 'correct']);
      expect(grades[1]!.details.reason).toBe('worker failed');
      expect(String(grades[1]!.details.detail)).toMatch(/checker crashed/);
      expect(pool.kills).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('close() ends the workers; later grades are refused', async () => {
    const pool = new MathPool({ threads: 1, batchSize: 4, budgetMs: 100, workerFile: join(dir, 'hang-worker.mjs') });
    await pool.gradeAll([{ itemId: 'a', gold: '1', response: 'x', options: { strict: false, answerType: 'expression', budgetMs: 100 } }]);
    await pool.close();
    await expect(pool.gradeAll([{ itemId: 'b', gold: '1', response: 'y', options: { strict: false, answerType: 'expression', budgetMs: 100 } }])).rejects.toThrow(/closed/);
  });
});

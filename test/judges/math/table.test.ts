/**
 * The verdict table through the synchronous core: every row gets its expected outcome, the second
 * path never disagrees with the first, and breaker rows return promptly.
 */
import { describe, expect, it } from 'vitest';
import { gradeMathAnswer } from '../../../judges/math/core.js';
import { CASES } from './table.js';

const BUDGET_MS = 3_000;

describe('math judge verdict table', () => {
  it('has at least 400 rows, every HMMT answer with correct and wrong forms', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(400);
    for (let k = 1; k <= 30; k++) {
      const rows = CASES.filter((c) => c.group === `hmmt-${k}`);
      expect(rows.filter((c) => c.expect === 'correct').length, `hmmt-${k}`).toBeGreaterThanOrEqual(4);
      expect(rows.filter((c) => c.expect === 'wrong').length, `hmmt-${k}`).toBeGreaterThanOrEqual(4);
    }
  });

  for (const c of CASES) {
    const label = `${c.group}: ${JSON.stringify(c.gold).slice(0, 40)} ← ${JSON.stringify(c.pred).slice(0, 70)}`;
    it(label, () => {
      const t0 = performance.now();
      const g = gradeMathAnswer(c.gold, c.pred, {
        strict: c.strict ?? false,
        answerType: c.answerType ?? 'expression',
        listMode: c.listMode,
        budgetMs: BUDGET_MS,
      });
      const ms = performance.now() - t0;
      if (c.anyVerdict) {
        expect(['correct', 'wrong', 'no_answer', 'error']).toContain(g.outcome);
      } else {
        expect(g.outcome, JSON.stringify(g.details)).toBe(c.expect);
      }
      expect(g.judgeDisagreement, `self-check: ${JSON.stringify(g.details.selfCheck)}`).not.toBe(true);
      expect(ms).toBeLessThan(BUDGET_MS + 1_500);
    });
  }
});

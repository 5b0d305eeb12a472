/**
 * The real answer keys (read in place from $DSEVAL_DATA_DIR): every gold answer of AIME 2025, AIME
 * 2024 and HMMT February 2025 parses, accepts itself and its boxed forms, rejects a near miss, and
 * the verdict table's HMMT and AIME golds are exactly the data files' answers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Deadline, gradeMathAnswer, parseGold } from '../../../judges/math/core.js';
import { CASES } from './table.js';

const dataDir = process.env.DSEVAL_DATA_DIR;

interface Row { id: string; answer: string; answer_type?: string; answer_kind?: string }
const load = (rel: string): Row[] => readFileSync(join(dataDir!, rel), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);

describe.skipIf(!dataDir)('real answer keys', () => {
  const aime = dataDir ? [...load('aime2025/aime2025.jsonl'), ...load('aime2024/aime2024.jsonl')] : [];
  const hmmt = dataDir ? load('hmmt_feb_2025/hmmt_feb_2025.jsonl') : [];

  it('AIME: 60 integer golds, graded strictly', () => {
    expect(aime.length).toBe(60);
    for (const r of aime) {
      expect(r.answer_type).toBe('integer');
      const opts = { strict: true, answerType: 'integer' as const, budgetMs: 5_000 };
      const n = Number(r.answer);
      expect(gradeMathAnswer(r.answer, `Thus the answer is $\\boxed{${r.answer}}$.`, opts).outcome, r.id).toBe('correct');
      expect(gradeMathAnswer(r.answer, `\\boxed{${String(n).padStart(3, '0')}}`, opts).outcome, r.id).toBe('correct');
      expect(gradeMathAnswer(r.answer, `\\boxed{${n + 1}}`, opts).outcome, r.id).toBe('wrong');
      expect(gradeMathAnswer(r.answer, `The answer is ${r.answer}.`, opts).outcome, r.id).toBe('no_answer');
    }
  });

  it('HMMT: all 30 golds parse, match themselves boxed, and reject a perturbed form', () => {
    expect(hmmt.length).toBe(30);
    for (const r of hmmt) {
      const listMode = r.answer_kind === 'multiple_values';
      const opts = { strict: false, answerType: r.answer_kind === 'integer' ? 'integer' as const : 'expression' as const, listMode, budgetMs: 5_000 };
      const g = parseGold(r.answer, opts, new Deadline(5_000));
      expect(g.ans.k === 'list', r.id).toBe(listMode);
      const self = gradeMathAnswer(r.answer, `so the answer is \\boxed{${r.answer}}`, opts);
      expect(self.outcome, r.id).toBe('correct');
      expect(self.judgeDisagreement, r.id).toBe(false);
      // Add one to the answer: never equal.
      const off = listMode ? `\\boxed{${r.answer.split(',')[0]}}` : `\\boxed{${r.answer} + 1}`;
      expect(gradeMathAnswer(r.answer, off, opts).outcome, r.id).toBe('wrong');
    }
  });

  it('the verdict table uses the data files\' gold answers', () => {
    for (let k = 1; k <= 30; k++) {
      const golds = new Set(CASES.filter((c) => c.group === `hmmt-${k}`).map((c) => c.gold));
      expect([...golds], `hmmt-${k}`).toEqual([hmmt.find((r) => r.id === `hmmt-feb-2025-${k}`)!.answer]);
    }
    const aimeGolds = new Set(aime.map((r) => r.answer));
    for (const c of CASES.filter((x) => x.group === 'aime' && x.gold !== '33' && x.gold !== '1')) expect(aimeGolds.has(c.gold), c.gold).toBe(true);
  });
});

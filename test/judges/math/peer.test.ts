/**
 * Math-Verify's answer-equivalence cases (278, with MathArena and Qwen extras), read in place from
 * $DSEVAL_PEER_TESTS_DIR. Our verdict must match the peer's on every case except the deliberate
 * differences listed below, each with its reason (also in docs/judges-math.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradeMathAnswer } from '../../../judges/math/core.js';

const dir = process.env.DSEVAL_PEER_TESTS_DIR;

/** Cases where we deliberately differ from the peer's expected verdict. */
export const DELIBERATE_DIFFERENCES: Record<string, string> = {
  'mv-all-L070': 'decimal comma: "1000,99" is a list of two numbers in our grammar',
  'mv-all-L071': 'decimal comma: the gold "1,22" is a list of two numbers',
  'mv-all-L072': 'decimal comma inside French prose',
  'mv-all-L087': 'decimal comma: the gold "0,111" is a list',
  'mv-all-L132': 'disputed: the answer 9 is given in inline math spanning lines; we accept it',
  'mv-all-L133': 'disputed: same as L132 with \\( … \\)',
  'mv-all-L452': 'disputed: the synthetic gold "1 = \\zzz = x = 0" contradicts itself and uses an undefined command',
  'mv-all-L554': 'disputed: 0.3333 for 1/3 passes only with 4-digit rounding; we use a 1e-10 relative tolerance',
  'mv-all-L586': 'disputed: 0.33 for 1/3 passes only with 2-digit rounding',
  'mv-all-L605': 'disputed: 2.6667 for 8/3 passes only with 2-digit rounding',
  'mv-numina-L121': '"W(x)=1orW(x)=-1" glues the word "or" to the names; we do not split words',
  'mv-yujianll-L028': 'disputed: 1 - 1/e is not 1 + 1/e',
  'mv-string_extraction-L018': 'multiple-choice letter extraction from prose is out of scope',
  'mv-string_extraction-L023': 'multiple-choice letter extraction from prose is out of scope',
};

interface PeerCase { id: string; gold: string; pred: string; expected: boolean; kind: string; notes: string }

describe.skipIf(!dir)('Math-Verify peer cases (in place)', () => {
  const cases: PeerCase[] = dir
    ? readFileSync(join(dir, 'math-verify-cases.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PeerCase)
    : [];

  it('reads all 278 cases', () => {
    expect(cases.length).toBe(278);
  });

  it('agrees with the peer except for the documented differences, with no self-check disagreement', () => {
    const differ: string[] = [];
    const disagreements: string[] = [];
    for (const c of cases) {
      const g = gradeMathAnswer(c.gold, c.pred, { strict: false, answerType: 'expression', budgetMs: 5_000 });
      if ((g.outcome === 'correct') !== c.expected) differ.push(c.id);
      if (g.judgeDisagreement === true) disagreements.push(c.id);
    }
    const undocumented = differ.filter((id) => !(id in DELIBERATE_DIFFERENCES));
    expect(undocumented, 'verdicts that differ from the peer without a documented reason').toEqual([]);
    expect(disagreements, 'cases where the two paths disagree').toEqual([]);
    // The documented list stays honest: every entry still differs (remove it when fixed).
    expect(Object.keys(DELIBERATE_DIFFERENCES).filter((id) => !differ.includes(id))).toEqual([]);
    expect(cases.length - differ.length).toBeGreaterThanOrEqual(264);
  });
});

/** RULER's scoring rules (scripts/eval) on hand-made cases, and the string-match judge built on them. */
import { describe, expect, it } from 'vitest';
import type { Attempt, Item } from '../../../harness/types.js';
import { postprocessPrediction, rulerTaskScore, stringMatchAll, stringMatchPart } from '../../../judges/string/match.js';
import { createStringMatchJudge } from '../../../judges/string/judge.js';
import { gradeAttempt } from '../../../judges/outcome.js';

const attempt = (text: string, finish: Attempt['finish'] = 'stop'): Attempt => ({
  itemId: 'x',
  index: 0,
  seed: 1,
  text,
  reasoning: '',
  thinkingUnclosed: false,
  finish,
  promptTokens: null,
  completionTokens: null,
  timings: { latencyMs: 1, ttftMs: null, tokensPerSecond: null },
  error: null,
});
const item = (target: unknown): Item => ({ id: 'x', fields: {}, target: target as Item['target'], metadata: {} });

describe('RULER post-processing', () => {
  it('strips, turns control characters into newlines, strips again', () => {
    expect(postprocessPrediction('  \t 1234\x00567\x1f end \n')).toBe('1234\n567\n end');
    expect(postprocessPrediction('\x01\x02')).toBe('');
    expect(postprocessPrediction('a\tb')).toBe('a\nb');
  });
});

describe('string_match_all', () => {
  it('gives the fraction of references found, case-insensitively, as substrings', () => {
    expect(stringMatchAll('The values are 1234567 and 7654321.', ['1234567', '7654321']).score).toBe(1);
    expect(stringMatchAll('only 1234567 here', ['1234567', '7654321', '1111111', '2222222']).score).toBe(0.25);
    expect(stringMatchAll('QEAOK zpnzn', ['QEAOK', 'ZPNZN', 'SFPXQ']).score).toBeCloseTo(2 / 3, 15);
    expect(stringMatchAll('nothing', ['abc']).score).toBe(0);
  });
  it('counts a reference inside a longer word (RULER matches substrings, not words)', () => {
    // "cat" is found inside "category": RULER's rule, kept as it is.
    const r = stringMatchAll('1. category 2. dog', ['cat', 'dog', 'emu']);
    expect(r.found).toEqual(['cat', 'dog']);
    expect(r.missing).toEqual(['emu']);
  });
  it('refuses an empty reference list', () => {
    expect(() => stringMatchAll('x', [])).toThrow(/at least one reference/);
  });
});

describe('string_match_part', () => {
  it('is 1 when any reference occurs, else 0', () => {
    expect(stringMatchPart('Answer: Denver Broncos', ['Denver Broncos', 'The Denver Broncos']).score).toBe(1);
    expect(stringMatchPart('the broncos', ['Denver Broncos', 'Broncos']).score).toBe(1);
    expect(stringMatchPart('Carolina', ['Denver Broncos']).score).toBe(0);
  });
});

describe('RULER task score', () => {
  it('is the mean per-sample score × 100, rounded to two decimals', () => {
    const preds = ['1234567', 'nothing', '1234567 7654321'];
    const refs = [['1234567'], ['1'], ['1234567', '7654321', '5555555']];
    // (1 + 0 + 2/3) / 3 × 100 = 55.555… → 55.56
    expect(rulerTaskScore('all', preds, refs)).toBe(55.56);
    expect(rulerTaskScore('part', ['b', 'x', 'z'], [['a', 'b'], ['c'], ['z']])).toBe(66.67);
  });
});

describe('string-match judge', () => {
  const judge = createStringMatchJudge();
  it('scores with partial credit and calls only a full match correct', async () => {
    const g = await judge.grade(item({ match: 'all', references: ['1234567', '7654321'] }), attempt(' 1234567 and 1111111 '));
    expect(g).toMatchObject({ outcome: 'wrong', score: 0.5, extracted: '1234567 and 1111111', answerKey: null });
    expect(g.details).toEqual({ rule: 'all', found: ['1234567'], missing: ['7654321'] });
    const full = await judge.grade(item({ match: 'all', references: ['1234567', '7654321'] }), attempt('7654321, 1234567'));
    expect(full).toMatchObject({ outcome: 'correct', score: 1 });
  });
  it('uses string_match_part for qa targets', async () => {
    const g = await judge.grade(item({ match: 'part', references: ['Paris', 'City of Paris'] }), attempt('It is paris.'));
    expect(g).toMatchObject({ outcome: 'correct', score: 1 });
  });
  it('calls an empty prediction no_answer, and truncation is decided before the judge', async () => {
    expect(await judge.grade(item({ match: 'all', references: ['a'] }), attempt('  \x00 '))).toMatchObject({ outcome: 'no_answer', score: 0 });
    const t = await gradeAttempt(judge, item({ match: 'all', references: ['1234567'] }), attempt('1234567', 'length'));
    expect(t.outcome).toBe('truncated');
  });
  it('names a malformed target', async () => {
    await expect(judge.grade(item({ match: 'some', references: ['a'] }), attempt('a'))).rejects.toThrow(/item x: target .*match/);
    await expect(judge.grade(item({ match: 'all', references: [] }), attempt('a'))).rejects.toThrow(/references/);
    const g = await gradeAttempt(judge, item('1234567'), attempt('1234567'));
    expect(g.outcome).toBe('error');
  });
});

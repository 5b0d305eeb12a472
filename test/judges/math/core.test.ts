/** Units of the synchronous core: extraction, the grammar, exact arithmetic, vote keys, the self-check. */
import { describe, expect, it } from 'vitest';
import {
  Deadline, answerKey, canonicalAnswer, exactValue, extractAnswer, extractCandidates, parseLatex, prepareResponse, secondOpinion, surdKey, type Ans,
} from '../../../judges/math/core.js';

const P = (s: string, groupDigits = true): Ans => parseLatex(s, { groupDigits, deadline: Deadline.none() });
const C = (s: string, groupDigits = true): string => canonicalAnswer(P(s, groupDigits));
const exactKey = (s: string): string | null => {
  const a = P(s);
  if (a.k !== 'expr') return null;
  const v = exactValue(a.node, Deadline.none());
  return v && surdKey(v);
};

describe('extraction', () => {
  it('takes the last top-level box, with nested braces and nested boxes', () => {
    expect(extractAnswer('\\boxed{1} then \\boxed{\\frac{a}{\\sqrt{b}}}', { strict: true })).toEqual({ text: '\\frac{a}{\\sqrt{b}}', strength: 'boxed' });
    expect(extractAnswer('\\boxed{\\boxed{5}}', { strict: true })!.text).toBe('\\boxed{5}');
    expect(extractAnswer('\\fbox{7}', { strict: true })!.text).toBe('7');
    expect(extractAnswer('\\boxed 5$', { strict: true })!.text).toBe('5');
    expect(extractAnswer('\\boxed{5', { strict: true })).toBeNull();
  });

  it('joins the final group of boxes in list mode only', () => {
    const text = 'roots: \\boxed{1}, \\boxed{2}\n\nso \\boxed{3} \\text{ and } \\boxed{4}';
    expect(extractAnswer(text, { strict: true, listMode: true })).toEqual({ text: '3, 4', strength: 'list' });
    expect(extractAnswer(text, { strict: true, listMode: false })!.text).toBe('4');
    expect(extractAnswer('\\boxed{1}\n\\boxed{2}', { strict: true, listMode: true })!.text).toBe('1, 2');
    expect(extractAnswer('\\boxed{1}.\nNow the second part of the question asks for something else:\n\\boxed{2}', { strict: true, listMode: true })!.text).toBe('2');
  });

  it('strict mode has no fallbacks; other modes record the weaker ones', () => {
    expect(extractAnswer('The answer is 12.', { strict: true })).toBeNull();
    expect(extractCandidates('The answer is 12.', { strict: false, listMode: false }).map((c) => c.strength)).toEqual(['answer-phrase', 'last-number']);
    expect(extractCandidates('we get $x = 3$ in the end', { strict: false, listMode: false })[0]).toEqual({ text: 'x = 3', strength: 'last-math' });
    expect(extractCandidates('x = 3', { strict: false, listMode: false })[0]!.strength).toBe('whole-text');
    // A "final answer is" after the last box is the model correcting itself.
    expect(extractCandidates('\\boxed{[-3,2]} Wait. The final answer is $(-\\infty,-3]$. I hope it is correct.', { strict: false, listMode: false })[0])
      .toEqual({ text: '$(-\\infty,-3]$', strength: 'final-phrase' });
  });

  it('cleans the response: reasoning, hallucinated turns, doubled backslashes', () => {
    expect(prepareResponse('<think>\\boxed{1}</think>\\boxed{2}').text).toBe('\\boxed{2}');
    expect(prepareResponse('\\boxed{2}<|im_start|>user\n\\boxed{3}').text).toBe('\\boxed{2}');
    expect(prepareResponse('so \\\\boxed{\\\\frac{1}{2}}\\n').text).toBe('so \\boxed{\\frac{1}{2}}\n');
    expect(prepareResponse('a \\\\ b \\frac{1}{2}').text).toBe('a \\\\ b \\frac{1}{2}'); // a real line break stays
  });

  it('stays linear on 10,000 boxes and 100 KB of text', () => {
    const t0 = performance.now();
    expect(extractAnswer(`${'\\boxed{1} '.repeat(10_000)}\\boxed{42}`, { strict: true })!.text).toBe('42');
    expect(extractAnswer(`${'word '.repeat(20_000)}\\boxed{43}`, { strict: false })!.text).toBe('43');
    expect(performance.now() - t0).toBeLessThan(2_000);
  });
});

describe('the grammar', () => {
  it('reads fractions, roots, binomials, powers and factorials', () => {
    expect(C('\\frac{1}{2}')).toBe(C('\\dfrac12'));
    expect(C('\\tfrac{a}{b}')).toBe(C('a/b'));
    expect(C('\\sqrt[3]{x}')).toBe('nthRoot(x,3)');
    expect(C('\\sqrt2')).toBe('sqrt(2)');
    expect(C('\\binom{5}{2}')).toBe(C('{5 \\choose 2}'));
    expect(C('2^{25} \\cdot 26!')).toBe('(factorial(26)*pow(2,25))');
    expect(C('x^2')).toBe('pow(x,2)');
    expect(C('\\left( \\frac{1}{3} \\right)')).toBe(C('\\frac{1}{3}'));
  });

  it('reads numbers: grouping, decimals, repeating decimals, mixed numbers, bases', () => {
    expect(C('1,000,000')).toBe('1000000');
    expect(P('1,000', false).k).toBe('list'); // a list when the gold uses commas
    expect(C('14{,}916', false)).toBe('14916');
    expect(C('11,\\!111', false)).toBe('11111');
    expect(C('.5')).toBe('0.5');
    expect(exactKey('0.\\overline{3}')).toBe('1/3');
    expect(exactKey('0.1\\overline{6}')).toBe('1/6');
    expect(exactKey('3\\frac{1}{2}')).toBe('7/2');
    expect(exactKey('3 \\cdot \\frac{1}{2}')).toBe('3/2');
    expect(exactKey('204_5')).toBe('54');
    expect(() => P('29_5')).toThrow(/not a numeral in base 5/);
  });

  it('drops units, degrees, percent signs and annotations', () => {
    for (const s of ['33^\\circ', '33°', '33\\%', '33 \\text{ ways}', '33\\mbox{ cm}^2', '33 cm', '33 miles', '\\$33', '33 \\textbf{units}']) expect(C(s), s).toBe('33');
  });

  it('builds structures: lists, ±, tuples, intervals, sets, unions, relations, records, ratios', () => {
    expect(P('1, 2').k).toBe('list');
    expect(P('3 \\text{ and } 4')).toEqual(P('3, 4'));
    const pm = P('\\frac{-1\\pm\\sqrt{17}}{2}');
    expect(pm.k === 'list' && pm.origin === 'pm' && pm.items.length).toBe(2);
    expect(P('(1, 2)').k).toBe('tuple');
    expect(P('[1, 2)')).toMatchObject({ k: 'interval', loClosed: true, hiClosed: false });
    expect(P('\\{1, 2\\}').k).toBe('set');
    expect(P('\\{\\}').k).toBe('empty');
    expect(P('(0,1) \\cup [2, \\infty)').k).toBe('union');
    expect(P('-2 \\le x < 7')).toMatchObject({ k: 'relation', ops: ['<=', '<'] });
    expect(P('p = 5, q = 2').k).toBe('record');
    expect(P('x = 1, x = 2')).toEqual(P('1, 2'));
    expect(P('n = 1, 2, 3')).toEqual(P('1, 2, 3'));
    expect(P('7:32').k).toBe('ratio');
    expect(P('\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}').k).toBe('expr');
    expect(P('\\text{Evelyn}')).toEqual({ k: 'text', text: 'Evelyn' });
  });

  it('reports what and where on bad input', () => {
    expect(() => P('\\frac{1}{')).toThrow(/at character/);
    expect(() => P('\\foo{1}')).toThrow(/unknown command \\foo \(at character 0\)/);
    expect(() => P(`${'{'.repeat(500)}1${'}'.repeat(500)}`)).toThrow(/nesting deeper than 120 levels/);
    expect(() => P('(1, 2]3')).toThrow(/an interval cannot take part in arithmetic/);
    expect(() => P('1, 2, \\dots')).toThrow(/ellipsis/);
  });

  it('builds long sums as shallow trees (no recursion limits on 50,000 terms)', () => {
    const a = P(`${'x+'.repeat(50_000)}1`);
    expect(a.k).toBe('expr');
  });
});

describe('exact arithmetic', () => {
  it('is exact for factorials and big powers', () => {
    expect(exactKey('2^{25} \\cdot 26!')).toBe('13532215908553332190020108288000000');
    expect(exactKey('\\frac{1}{2004!} \\cdot 2004!')).toBe('1');
  });

  it('gives radicals one canonical form', () => {
    expect(exactKey('\\frac{9}{\\sqrt{23}}')).toBe('9/23*sqrt(23)');
    expect(exactKey('\\sqrt{\\frac{95}{24}}')).toBe('1/12*sqrt(570)');
    expect(exactKey('\\sqrt{35 - 4\\sqrt{69}}')).toBe(exactKey('\\sqrt{23}-2\\sqrt{3}'));
    expect(exactKey('\\frac{11}{\\sqrt{23}+2\\sqrt{3}}')).toBe('-2*sqrt(3)+sqrt(23)');
    expect(exactKey('(1+\\sqrt{2})^{10}')).toBe('3363+2378*sqrt(2)');
    expect(exactKey('\\sqrt{2}\\sqrt{6}')).toBe('2*sqrt(3)');
  });

  it('leaves the rest to the numeric path', () => {
    for (const s of ['\\pi', '\\sqrt[3]{2}', 'x + 1', '10^{10^{10}}', '(10^{10})!', '\\sqrt{-1}']) expect(exactKey(s), s).toBeNull();
  });
});

describe('vote keys', () => {
  const key = (s: string): string => answerKey(P(s), Deadline.none());
  it('equal for equivalent forms', () => {
    expect(key('\\frac{1}{2}')).toBe(key('0.5'));
    expect(key('x = \\frac{-1\\pm\\sqrt{17}}{2}')).toBe(key('\\frac{-1-\\sqrt{17}}{2}, \\frac{-1+\\sqrt{17}}{2}'));
    expect(key('1-\\frac{2}{\\pi}')).toBe(key('\\frac{\\pi-2}{\\pi}'));
    expect(key('(x+1)^2')).toBe(key('x^2+2x+1'));
    expect(key('1-\\frac{2}{\\pi}')).not.toBe(key('1+\\frac{2}{\\pi}'));
  });
});

describe('the second path', () => {
  it('decides numbers, lists and ± on its own', () => {
    expect(secondOpinion('\\frac{9 \\sqrt{23}}{23}', '9/\\sqrt{23}', { integerMode: false }).verdict).toBe('equal');
    expect(secondOpinion('2^{25} \\cdot 26!', '13532215908553332190020108288000000', { integerMode: false }).verdict).toBe('equal');
    expect(secondOpinion('\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}', '\\frac{-1\\pm\\sqrt{17}}{2}', { integerMode: false }).verdict).toBe('equal');
    expect(secondOpinion('1-\\frac{2}{\\pi}', '1+\\frac{2}{\\pi}', { integerMode: false }).verdict).toBe('not_equal');
    expect(secondOpinion('33', '32.99999999999', { integerMode: true }).verdict).toBe('not_equal');
  });

  it('abstains on what it does not cover', () => {
    for (const [g, p] of [['[0,1)', '[0,1)'], ['x > 1', 'x > 1'], ['2x + 3y = 6', 'y = 2'], ['\\begin{pmatrix}1\\end{pmatrix}', '1']]) {
      expect(secondOpinion(g!, p!, { integerMode: false }).verdict, g).toBe('unsupported');
    }
  });
});

describe('the two paths on random expressions (fixed seed)', () => {
  it('agree on 600 pairs, and every value-preserving rewrite is graded correct', async () => {
    const { gradeMathAnswer } = await import('../../../judges/math/core.js');
    let seed = 11;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
    const int = (): string => String(1 + Math.floor(rnd() * 30));
    const gen = (d: number): string => {
      if (d <= 0 || rnd() < 0.25) return pick([int(), int(), '\\pi', `\\sqrt{${int()}}`, `${Math.floor(rnd() * 9)}!`]);
      const a = gen(d - 1);
      const b = gen(d - 1);
      return pick([`${a}+${b}`, `${a}-${b}`, `\\frac{${a}}{${b}}`, `(${a})(${b})`, `${a} \\cdot ${b}`, `\\sqrt{${a}}`, `(${a})^{2}`, `-(${a})`]);
    };
    const rewrite = (e: string): string => pick([`\\frac{2(${e})}{2}`, `${e}+0`, `(${e}) \\cdot 1`, `0+${e}`, `\\frac{${e}}{1}`, `((${e}))`, `\\dfrac{3 \\cdot (${e})}{3}`]);
    const problems: string[] = [];
    for (let k = 0; k < 600; k++) {
      const e = gen(3);
      const same = k % 2 === 0;
      const p = same ? rewrite(e) : gen(3);
      const g = gradeMathAnswer(e, `\\boxed{${p}}`, { strict: false, answerType: 'expression', budgetMs: 3_000 });
      if (g.judgeDisagreement) problems.push(`disagreement: ${e} | ${p}`);
      if (same && g.outcome !== 'correct') problems.push(`missed: ${e} | ${p} → ${g.outcome}`);
    }
    expect(problems).toEqual([]);
  });
});

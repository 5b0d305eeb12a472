/**
 * The project's verdict table: (gold, response, expected outcome). Every HMMT February 2025 gold answer
 * written several correct ways and several near-miss wrong ways, AIME forms under strict integer
 * grading, general answer shapes, and inputs meant to break the checker. The gold strings of the
 * HMMT and AIME rows are the data files' answers; data.test.ts checks they still match.
 */
export type Expect = 'correct' | 'wrong' | 'no_answer' | 'error';

export interface Case {
  gold: string;
  pred: string;
  expect: Expect;
  /** Strict extraction (only \boxed{}), as for AIME. */
  strict?: boolean;
  answerType?: 'integer' | 'expression';
  listMode?: boolean;
  group: string;
  /** For breaker rows: 'prompt' means any verdict is fine as long as it is quick. */
  anyVerdict?: boolean;
}

const box = (s: string): string => `\\boxed{${s}}`;

function rows(group: string, gold: string, correct: string[], wrong: string[], extra: Partial<Case> = {}): Case[] {
  return [
    ...correct.map((pred) => ({ group, gold, pred, expect: 'correct' as const, ...extra })),
    ...wrong.map((pred) => ({ group, gold, pred, expect: 'wrong' as const, ...extra })),
  ];
}

/** An integer answer: typical correct spellings and the near misses a model produces. */
function integerRows(group: string, n: number, extra: Partial<Case> = {}): Case[] {
  const s = String(n);
  return rows(group, s,
    [box(s), `So the final answer is $\\boxed{${s}}$.`, box(`${s}.0`), `\\fbox{${s}}`, `**Answer.** \\[\\boxed{${s}}\\]`],
    [box(String(n + 1)), box(String(n - 1)), box(String(2 * n)), box(String(-n)), box(`${s}.5`)], extra);
}

// ───────────── HMMT February 2025, all 30 answers ─────────────
const HMMT: Case[] = [
  ...integerRows('hmmt-1', 103),
  ...rows('hmmt-1', '103', [box('\\frac{206}{2}'), box('103 \\text{ ways}')], [box('10.3'), box('103, 104')]),
  ...integerRows('hmmt-2', 3375),
  ...rows('hmmt-2', '3375', [box('3,375'), box('15^3'), box('3\\,375'), box('3{,}375')], [box('3, 375'), box('15^2'), box('3374.99')]),
  ...rows('hmmt-3', '\\frac{1}{576}',
    [box('\\frac{1}{576}'), box('1/576'), box('\\dfrac{1}{576}'), box('\\frac{1}{24^2}'), box('576^{-1}'), box('\\frac{2}{1152}'), 'The probability is $\\frac{1}{576}$, i.e. \\boxed{\\tfrac1{576}}'],
    [box('\\frac{1}{575}'), box('576'), box('\\frac{1}{288}'), box('-\\frac{1}{576}'), box('0.0017'), box('\\frac{1}{24}')]),
  ...integerRows('hmmt-4', -984),
  ...rows('hmmt-4', '-984', [box('- 984'), box('−984'), box('-(984)')], [box('984'), box('-98.4'), box('-1968')]),
  ...integerRows('hmmt-5', 890),
  ...rows('hmmt-5', '890', [box('8.9 \\times 10^2'), box('890^\\circ')], [box('89'), box('8.9')]),
  ...rows('hmmt-6', '\\frac{1311}{2017}',
    [box('\\frac{1311}{2017}'), box('1311/2017'), box('\\frac{2622}{4034}'), box('\\tfrac{1311}{2017}'), box('1 - \\frac{706}{2017}')],
    [box('\\frac{1312}{2017}'), box('\\frac{2017}{1311}'), box('\\frac{1311}{2018}'), box('0.65'), box('\\frac{706}{2017}')]),
  ...rows('hmmt-7', '\\frac{9 \\sqrt{23}}{23}',
    [box('\\frac{9\\sqrt{23}}{23}'), box('\\frac{9}{\\sqrt{23}}'), box('9/\\sqrt{23}'), box('\\frac{9}{23}\\sqrt{23}'), box('\\sqrt{\\frac{81}{23}}'), box('\\frac{\\sqrt{1863}}{23}')],
    [box('\\frac{9\\sqrt{23}}{24}'), box('\\frac{9\\sqrt{22}}{23}'), box('\\frac{18\\sqrt{23}}{23}'), box('\\frac{\\sqrt{23}}{9}'), box('9\\sqrt{23}'), box('1.8766')]),
  ...rows('hmmt-8', '1-\\frac{2}{\\pi}',
    [box('1-\\frac{2}{\\pi}'), box('\\frac{\\pi-2}{\\pi}'), box('1 - 2/\\pi'), box('1-2\\pi^{-1}'), box('-\\frac{2}{\\pi}+1'), box('\\dfrac{\\pi - 2}{\\pi}')],
    [box('1+\\frac{2}{\\pi}'), box('1-\\frac{1}{\\pi}'), box('\\frac{2}{\\pi}'), box('1-\\frac{\\pi}{2}'), box('0.3634'), box('\\frac{\\pi-2}{2\\pi}')]),
  ...integerRows('hmmt-9', 1037),
  ...rows('hmmt-10', '\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}',
    [box('\\frac{-1\\pm\\sqrt{17}}{2}'), box('\\frac{-1-\\sqrt{17}}{2}, \\frac{-1+\\sqrt{17}}{2}'), box('-\\frac{1}{2}\\pm\\frac{\\sqrt{17}}{2}'),
      `${box('\\frac{-1+\\sqrt{17}}{2}')} \\text{ and } ${box('\\frac{-1-\\sqrt{17}}{2}')}`, box('\\left\\{\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}\\right\\}'),
      `$${box('\\frac{-1 - \\sqrt{17}}{2}')}$ and $${box('\\frac{-1 + \\sqrt{17}}{2}')}$`, box('x = \\frac{-1 \\pm \\sqrt{17}}{2}'), box('\\frac{\\sqrt{17}-1}{2}, -\\frac{1+\\sqrt{17}}{2}')],
    [box('\\frac{-1+\\sqrt{17}}{2}'), box('\\frac{1\\pm\\sqrt{17}}{2}'), box('\\frac{-1\\pm\\sqrt{13}}{2}'), box('-1\\pm\\sqrt{17}'), box('\\frac{-1\\pm\\sqrt{17}}{4}'),
      box('\\frac{-1+\\sqrt{17}}{2}, \\frac{-1+\\sqrt{17}}{2}'), box('\\frac{-1\\pm\\sqrt{17}}{2}, 0')],
    { listMode: true }),
  ...integerRows('hmmt-11', 56),
  ...integerRows('hmmt-12', 29),
  ...integerRows('hmmt-13', 105),
  ...integerRows('hmmt-14', 2304),
  ...rows('hmmt-14', '2304', [box('48^2'), box('2{,}304')], [box('2, 304'), box('48')]),
  ...integerRows('hmmt-15', 200),
  ...integerRows('hmmt-16', 6300),
  ...rows('hmmt-17', '2^{25} \\cdot 26!',
    [box('2^{25} \\cdot 26!'), box('2^{25}\\times 26!'), box('26! \\cdot 2^{25}'), box('33554432 \\cdot 26!'), box('2^{25}(26!)'), box('13532215908553332190020108288000000'),
      box('2^{24} \\cdot 2 \\cdot 26!'), box('2^{25} \\cdot 26 \\cdot 25!'), box('13{,}532{,}215{,}908{,}553{,}332{,}190{,}020{,}108{,}288{,}000{,}000')],
    [box('2^{24} \\cdot 26!'), box('2^{25} \\cdot 25!'), box('2^{26} \\cdot 26!'), box('2^{25} \\cdot 26'), box('13532215908553332190020108288000001'), box('25^2 \\cdot 26!'), box('2^{25} + 26!')]),
  ...rows('hmmt-18', '\\frac{2025}{101}',
    [box('\\frac{2025}{101}'), box('20\\frac{5}{101}'), box('2025/101'), box('\\frac{4050}{202}'), box('\\frac{45^2}{101}')],
    [box('\\frac{2024}{101}'), box('\\frac{101}{2025}'), box('20.05'), box('\\frac{2025}{100}'), box('20')]),
  ...rows('hmmt-19', '\\frac{4}{9}',
    [box('\\frac{4}{9}'), box('0.\\overline{4}'), box('4/9'), box('\\left(\\frac{2}{3}\\right)^2'), box('\\frac{8}{18}')],
    [box('\\frac{5}{9}'), box('\\frac{4}{9}\\pi'), box('0.444'), box('\\frac{9}{4}'), box('\\frac{2}{3}')]),
  ...rows('hmmt-20', '\\frac{448}{3}',
    [box('\\frac{448}{3}'), box('149\\frac{1}{3}'), box('149.\\overline{3}'), box('448/3'), box('\\frac{896}{6}')],
    [box('149'), box('\\frac{448}{9}'), box('\\frac{449}{3}'), box('149.33'), box('\\frac{3}{448}')]),
  ...integerRows('hmmt-21', 26),
  ...integerRows('hmmt-22', 63),
  ...rows('hmmt-23', '8\\sqrt{10}',
    [box('8\\sqrt{10}'), box('\\sqrt{640}'), box('2\\sqrt{160}'), box('8 \\cdot 10^{1/2}'), box('4\\sqrt{40}'), box('\\frac{80}{\\sqrt{10}}'), box('8\\sqrt{10}\\text{ cm}')],
    [box('8\\sqrt{11}'), box('4\\sqrt{10}'), box('16\\sqrt{10}'), box('\\sqrt{80}'), box('8\\sqrt{10}+1'), box('25.3'), box('8\\sqrt[3]{10}')]),
  ...integerRows('hmmt-24', 20),
  ...rows('hmmt-25', '\\sqrt{23}-2 \\sqrt{3}',
    [box('\\sqrt{23}-2\\sqrt{3}'), box('-2\\sqrt{3}+\\sqrt{23}'), box('\\sqrt{23}-\\sqrt{12}'), box('\\sqrt{35 - 4\\sqrt{69}}'), box('\\frac{11}{\\sqrt{23}+2\\sqrt{3}}'), box('\\sqrt{23} - 2\\sqrt3')],
    [box('\\sqrt{23}+2\\sqrt{3}'), box('2\\sqrt{3}-\\sqrt{23}'), box('\\sqrt{23}-3\\sqrt{2}'), box('\\sqrt{22}-2\\sqrt{3}'), box('\\sqrt{23}-\\sqrt{3}'), box('\\sqrt{11}')]),
  ...rows('hmmt-26', '9\\sqrt{15}',
    [box('9\\sqrt{15}'), box('\\sqrt{1215}'), box('3\\sqrt{135}'), box('9 \\sqrt {15}'), box('\\frac{27\\sqrt{15}}{3}')],
    [box('9\\sqrt{14}'), box('\\frac{9\\sqrt{15}}{2}'), box('18\\sqrt{15}'), box('9\\sqrt{5}'), box('3\\sqrt{15}')]),
  ...rows('hmmt-27', '\\frac{7}{18}',
    [box('\\frac{7}{18}'), box('7/18'), box('0.3\\overline{8}'), box('\\frac{14}{36}'), box('\\frac{7}{2 \\cdot 9}')],
    [box('\\frac{7}{19}'), box('\\frac{11}{18}'), box('\\frac{7}{9}'), box('0.39'), box('\\frac{18}{7}')]),
  ...rows('hmmt-28', '\\sqrt{6}',
    [box('\\sqrt{6}'), box('\\sqrt6'), box('6^{1/2}'), box('\\sqrt{2}\\sqrt{3}'), box('\\sqrt{2}\\cdot\\sqrt{3}'), box('\\frac{6}{\\sqrt{6}}'), box('\\sqrt[4]{36}')],
    [box('\\sqrt{5}'), box('6'), box('\\sqrt{7}'), box('2\\sqrt{6}'), box('\\sqrt[3]{6}'), box('2.449')]),
  ...rows('hmmt-29', '14+4\\sqrt{37}',
    [box('14+4\\sqrt{37}'), box('4\\sqrt{37}+14'), box('2(7+2\\sqrt{37})'), box('14+\\sqrt{592}'), box('14 + 4 \\cdot 37^{1/2}'), box('(2+\\sqrt{37})^2 - 27')],
    [box('14-4\\sqrt{37}'), box('14+4\\sqrt{38}'), box('7+2\\sqrt{37}'), box('14+2\\sqrt{37}'), box('15+4\\sqrt{37}'), box('18\\sqrt{37}')]),
  ...rows('hmmt-30', '\\sqrt{\\frac{95}{24}}',
    [box('\\sqrt{\\frac{95}{24}}'), box('\\frac{\\sqrt{570}}{12}'), box('\\sqrt{95/24}'), box('\\frac{\\sqrt{95}}{\\sqrt{24}}'), box('\\frac{\\sqrt{95}}{2\\sqrt{6}}'), box('\\frac{1}{12}\\sqrt{570}')],
    [box('\\frac{95}{24}'), box('\\sqrt{\\frac{95}{23}}'), box('\\frac{\\sqrt{570}}{24}'), box('\\sqrt{\\frac{24}{95}}'), box('\\frac{\\sqrt{570}}{6}')]),
];

// ───────────── AIME: strict extraction, integer answers graded exactly ─────────────
const aime = (gold: string, pred: string, expect: Expect): Case => ({ group: 'aime', gold, pred, expect, strict: true, answerType: 'integer' });
const AIME: Case[] = [
  aime('33', box('33'), 'correct'),
  aime('33', box('033'), 'correct'),
  aime('33', box('33.0'), 'correct'),
  aime('33', box('33^\\circ'), 'correct'),
  aime('33', box('33^{\\circ}'), 'correct'),
  aime('33', 'Therefore the number of ways is $\\boxed{33}$.', 'correct'),
  aime('33', 'The answer is \\(\\boxed{33}\\).', 'correct'),
  aime('33', box('33 \\text{ ways}'), 'correct'),
  aime('33', box('\\textbf{33}'), 'correct'),
  aime('33', box(' 33 '), 'correct'),
  aime('33', '\\fbox{33}', 'correct'),
  aime('33', box('\\frac{66}{2}'), 'correct'),
  aime('33', `First guess ${box('34')}, but that double counts; corrected: ${box('33')}`, 'correct'),
  aime('33', `${box('33')} and after checking again ${box('32')}`, 'wrong'),
  aime('33', box('32.99999999999'), 'wrong'),
  aime('33', box('33.5'), 'wrong'),
  aime('33', box('34'), 'wrong'),
  aime('33', box('-33'), 'wrong'),
  aime('33', box('33, 34'), 'wrong'),
  aime('33', box('3.3'), 'wrong'),
  aime('33', box('\\sqrt{1089}'), 'correct'),
  aime('33', 'The answer is 33.', 'no_answer'),
  aime('33', '33', 'no_answer'),
  aime('33', 'Final answer: $33$', 'no_answer'),
  aime('33', '\\boxed{33', 'no_answer'),
  aime('70', box('070'), 'correct'),
  aime('70', box('70'), 'correct'),
  aime('70', box('7'), 'wrong'),
  aime('588', box('588'), 'correct'),
  aime('588', box('588 \\text{ square units}'), 'correct'),
  aime('588', box('588\\%'), 'correct'),
  aime('588', box('589'), 'wrong'),
  aime('16', box('16'), 'correct'),
  aime('16', box('2^4'), 'correct'),
  aime('16', box('61'), 'wrong'),
  aime('204', box('204'), 'correct'),
  aime('204', box('204_{10}'), 'correct'),
  aime('204', box('240'), 'wrong'),
  aime('1', box('001'), 'correct'),
  aime('1', box('1.00'), 'correct'),
  aime('1', box('0.999999999999'), 'wrong'),
  aime('821', `<think>maybe \\boxed{820}</think> The answer is ${box('821')}`, 'correct'),
  aime('821', `${box('821')}<|im_start|>user\nAnother question ${box('5')}`, 'correct'),
  // Non-strict grading of the same forms (MathArena's later AIME configs): fallbacks apply.
  { group: 'aime-nonstrict', gold: '33', pred: 'The answer is 33.', expect: 'correct', answerType: 'integer' },
  { group: 'aime-nonstrict', gold: '33', pred: 'so there are 33 ways in total', expect: 'correct', answerType: 'integer' },
  { group: 'aime-nonstrict', gold: '33', pred: 'Final answer: $33$', expect: 'correct', answerType: 'integer' },
  { group: 'aime-nonstrict', gold: '33', pred: 'I could not finish the computation.', expect: 'no_answer', answerType: 'integer' },
];

// ───────────── general answer shapes (beyond the two competitions) ─────────────
const g = (gold: string, pred: string, expect: Expect): Case => ({ group: 'shapes', gold, pred, expect });
const SHAPES: Case[] = [
  g('[0,1)', box('[0, 1)'), 'correct'),
  g('[0,1)', box('(0, 1)'), 'wrong'),
  g('[0,1)', box('[0, 1]'), 'wrong'),
  g('(0,1)', box('(0, 1)'), 'correct'),
  g('(1, \\infty)', box('(1, +\\infty)'), 'correct'),
  g('(1, \\infty)', box('x > 1'), 'correct'),
  g('(1, \\infty)', box('x \\geq 1'), 'wrong'),
  g('[-2, 7]', box('-2 \\le x \\le 7'), 'correct'),
  g('[-2, 7]', box('x \\in [-2, 7]'), 'correct'),
  g('[-2, 7]', box('-2 < x \\le 7'), 'wrong'),
  g('(-\\infty, -3] \\cup [2, \\infty)', box('(-\\infty,-3]\\cup[2,\\infty)'), 'correct'),
  g('(-\\infty, -3] \\cup [2, \\infty)', box('[2,\\infty) \\cup (-\\infty,-3]'), 'correct'),
  g('(-\\infty, -3] \\cup [2, \\infty)', box('(-\\infty,-3)\\cup[2,\\infty)'), 'wrong'),
  g('(3, 4)', box('\\left(3, 4\\right)'), 'correct'),
  g('(3, 4)', box('(4, 3)'), 'wrong'),
  g('(1, 2, 3)', box('(1,2,3)'), 'correct'),
  g('(1, 2, 3)', box('(3,2,1)'), 'wrong'),
  g('\\{1, 2, 3\\}', box('\\{3, 2, 1\\}'), 'correct'),
  g('\\{1, 2, 3\\}', box('\\{1, 2\\}'), 'wrong'),
  g('\\{1, 2, 3\\}', box('(1, 2, 3)'), 'wrong'),
  g('1, 2, 3', box('3, 1, 2'), 'correct'),
  g('1, 2, 3', `${box('1')}, ${box('2')}, ${box('3')}`, 'correct'),
  g('1, 2, 3', box('1, 2, 3, 4'), 'wrong'),
  g('\\pm 3', box('3, -3'), 'correct'),
  g('\\pm 3', box('3'), 'wrong'),
  g('\\emptyset', box('\\varnothing'), 'correct'),
  g('\\emptyset', box('\\{\\}'), 'correct'),
  g('x = 5', box('5'), 'correct'),
  g('5', box('x = 5'), 'correct'),
  g('5', box('x = 2 + 3 = 5'), 'correct'),
  g('2x + 3y = 6', box('y = 2 - \\frac{2}{3}x'), 'correct'),
  g('2x + 3y = 6', box('4x + 6y = 12'), 'correct'),
  g('2x + 3y = 6', box('2x + 3y = 7'), 'wrong'),
  g('2x + 3y = 6', box('6'), 'wrong'),
  g('x^2 - 1', box('(x-1)(x+1)'), 'correct'),
  g('x^2 - 1', box('(x-1)^2'), 'wrong'),
  g('\\frac{x+1}{x-1}', box('1 + \\frac{2}{x-1}'), 'correct'),
  g('\\frac{x+1}{x-1}', box('\\frac{x-1}{x+1}'), 'wrong'),
  g('2\\sin x \\cos x', box('\\sin(2x)'), 'correct'),
  g('2\\sin x \\cos x', box('\\cos(2x)'), 'wrong'),
  g('e^{2}', box('e^2'), 'correct'),
  g('e^{2}', box('\\exp(2)'), 'correct'),
  g('e^{2}', box('7.389'), 'wrong'),
  g('\\ln 2', box('\\log 2'), 'correct'),
  g('\\ln 8', box('3\\ln 2'), 'correct'),
  g('\\log_2 8', box('3'), 'correct'),
  g('\\binom{10}{3}', box('120'), 'correct'),
  g('\\binom{10}{3}', box('{10 \\choose 3}'), 'correct'),
  g('\\binom{10}{3}', box('720'), 'wrong'),
  g('2 + 3i', box('3i + 2'), 'correct'),
  g('2 + 3i', box('2 - 3i'), 'wrong'),
  g('\\sqrt[3]{2}', box('2^{1/3}'), 'correct'),
  g('\\sqrt[3]{2}', box('2^{1/2}'), 'wrong'),
  g('\\frac{\\pi}{6}', box('30^\\circ'), 'wrong'),
  g('3\\frac{1}{2}', box('3.5'), 'correct'),
  g('3\\frac{1}{2}', box('\\frac{7}{2}'), 'correct'),
  g('3\\frac{1}{2}', box('\\frac{3}{2}'), 'wrong'),
  g('25\\%', box('25'), 'correct'),
  g('1000', box('1,000'), 'correct'),
  g('1000', box('1 000'), 'correct'),
  g('\\text{Evelyn}', box('\\text{Evelyn}'), 'correct'),
  g('\\text{Evelyn}', box('\\text{Briana}'), 'wrong'),
  g('p = 5, q = 2', box('q = 2, p = 5'), 'correct'),
  g('p = 5, q = 2', box('p = 2, q = 5'), 'wrong'),
  g('7:32', box('14:64'), 'correct'),
  g('7:32', box('7:31'), 'wrong'),
  g('\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', box('\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}'), 'correct'),
  g('\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', box('\\begin{pmatrix} 1 & 2 \\\\ 4 & 3 \\end{pmatrix}'), 'wrong'),
  g('\\frac{1}{2}', 'The probability is $\\frac{1}{2}$.', 'correct'),
  g('\\frac{1}{2}', 'Final Answer: The final answer is $\\frac12$. I hope it is correct.', 'correct'),
  g('\\frac{1}{2}', 'I computed it and got 0.5 as the probability', 'correct'),
  g('\\frac{1}{2}', 'No idea.', 'no_answer'),
  g('\\frac{1}{3}', box('0.333'), 'wrong'),
  g('\\frac{1}{3}', box('0.3333333333333333'), 'correct'),
  g('\\frac{1}{2004!}', box('\\frac{1}{2006!}'), 'wrong'),
  g('\\frac{1}{2004!}', box('\\frac{2005 \\cdot 2006}{2006!}'), 'correct'),
  g('10^{100}', box('10^{100} + 1'), 'wrong'),
  g('10^{100}', box('100^{50}'), 'correct'),
];

// ───────────── disagreements between the two paths found while building the table ─────────────
// Each was a case where the self-check and the first path first disagreed; each is fixed and kept.
const s2 = (gold: string, pred: string, expect: Expect): Case => ({ group: 'self-check regressions', gold, pred, expect });
const SELF_CHECK: Case[] = [
  s2('11111111100', box('11,\\! 111,\\! 111,\\! 100'), 'correct'), // ,\! digit groups
  s2('28\\%', '28 pct', 'correct'), // unit words
  s2('7 = 11a+c', '$11a+c$', 'wrong'), // an equation is not its left side
  s2('a^2 + b = 0', '$0$', 'wrong'),
  s2('11', '$x\\approx11$', 'correct'), // the value after ≈ when only a name precedes it
  s2('\\frac{1}{3}', '$x = \\frac{1}{3} \\approx 0.33$', 'correct'), // the exact value before ≈
  s2('2x+4y-3=0', '$y=-\\frac{1}{2}x+\\frac{3}{4}$', 'correct'), // equations: the second path abstains
  s2('-\\frac{2(x^2+6)}{9(x^2-2)\\sqrt[3]{x^2-2}^2}', '-\\frac{8x^2}{9(x^2-2)^{5/3}}+\\frac{2}{3(x^2-2)^{2/3}}', 'correct'), // branch of x^{1/3}
  s2('\\frac{1}{2006!}', box('\\frac{1}{2004!}'), 'wrong'), // tiny values: no absolute floor between nonzero values
  s2('20\\frac{5}{101}', box('\\frac{2025}{101}'), 'correct'), // mixed numbers
  s2('p = 5, q = 2', box('p = 2, q = 5'), 'wrong'), // named values compare by name
  s2('10^{100}', box('10^{100} + 1'), 'wrong'), // integers past the second path's 64 digits
  s2('0', box('\\sin(\\pi)'), 'correct'), // evaluation noise against an exact zero
  s2('\\frac{1}{576}', box('\\frac{1}{576} \\approx 0.00174'), 'correct'), // an exact value, then its approximation
];

// ───────────── inputs meant to break it: a prompt verdict or error ─────────────
const br = (gold: string, pred: string, expect: Expect | null, note: string): Case => ({ group: `breaker: ${note}`, gold, pred, expect: expect ?? 'wrong', anyVerdict: expect === null });
const BREAKERS: Case[] = [
  br('33', box('10^{10^{10}}'), 'wrong', 'tower of powers'),
  br('33', box('10^{10^{10^{10}}}'), 'wrong', 'taller tower'),
  br('33', box('(10^{10})!'), 'wrong', 'huge factorial'),
  br('33', box('((10^{10})!)!'), 'wrong', 'factorial of a huge factorial'),
  br('33', box('2^{2^{2^{2^{2^{2}}}}}'), 'wrong', 'power tower overflow'),
  br('33', box(`${'{'.repeat(10_000)}33${'}'.repeat(10_000)}`), null, '10,000 nested braces'),
  br('33', box(`${'('.repeat(5_000)}33${')'.repeat(5_000)}`), null, '5,000 nested parentheses'),
  br('33', box(`${'\\sqrt{'.repeat(3_000)}33${'}'.repeat(3_000)}`), null, '3,000 nested roots'),
  br('33', box(`${'\\frac{1}{2}+'.repeat(8_000)}1`), null, '100 KB of LaTeX in one box'),
  br('33', `${'Let us think about $x^2 + \\frac{1}{2}$ again. '.repeat(2_500)}${box('33')}`, 'correct', '100 KB of prose then the answer'),
  br('33', `${'\\boxed{1} '.repeat(10_000)}${box('33')}`, 'correct', '10,000 boxes'),
  br('33', box('\\frac{1}{2'), null, 'unbalanced braces inside a box'),
  br('33', '}}}{{{\\boxed{', null, 'unbalanced braces around a box'),
  br('33', `\\boxed{33}${'}'.repeat(1000)}`, 'correct', 'trailing closing braces'),
  br('33', box('\\left( 33'), null, 'unclosed \\left'),
  br('33', box(`${'x+'.repeat(20_000)}1`), null, '20,000-term polynomial'),
  br('33', box('x'.repeat(50_000)), null, '50,000-letter product'),
  br('33', box('\\begin{pmatrix} 1 & 2'), null, 'unclosed matrix'),
  br('33', box('\\sqrt{-1}^{\\sqrt{-1}}'), null, 'complex power'),
  br('33', box('0^0'), 'wrong', 'undefined value'),
  br('33', box('\\frac{1}{0}'), 'wrong', 'division by zero'),
  br('\\frac{1}{576}', box('\\frac{1}{\\sqrt{\\sqrt{\\sqrt{\\sqrt{\\sqrt{2}}}}}}'), 'wrong', 'deep radicals'),
  br('33', box('\u0000\u0001\u0002\ud800'), null, 'control characters and a lone surrogate'),
  br('33', box('٣٣'), null, 'Arabic-Indic digits'),
];

export const CASES: Case[] = [...HMMT, ...AIME, ...SHAPES, ...SELF_CHECK, ...BREAKERS];

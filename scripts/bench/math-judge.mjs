// Math judge: grades per second over a realistic mix, on both cores through the worker pool, against the
// synchronous checker on one thread measured in the same run (the baseline). Two mixes: the exact path
// (AIME-style integers and HMMT fractions: extraction, BigInt arithmetic) and the symbolic path (HMMT
// radicals, π, ± lists, radical fractions: surd algebra and 50-digit numerics). Plus the worst single grade,
// over the mixes and over inputs meant to break the checker.
// Run: npm run build && node scripts/bench/math-judge.mjs
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
if (!existsSync(join(root, 'dist/judges/math/index.js'))) {
  console.error('dist/judges/math is missing: run `npm run build` first');
  process.exit(1);
}
const { createMathJudge } = await import(join(root, 'dist/judges/math/index.js'));
const { gradeMathAnswer } = await import(join(root, 'dist/judges/math/core.js'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ROUNDS = 5;
const threads = Math.min(2, availableParallelism());

// ── a realistic answer part: a few paragraphs of summary with inline math, then the boxed answer ──
let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const SENTENCES = [
  'We first reduce the problem modulo $7$, which gives $x \\equiv 3 \\pmod 7$.',
  'Substituting $a = \\frac{p}{q}$ into the equation yields $2a^2 - 3a + 1 = 0$.',
  'By the triangle inequality, $|AB| + |BC| \\ge |AC|$, with equality when $B$ lies on $AC$.',
  'Summing over all $k$ from $1$ to $n$ we obtain $\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$.',
  'The discriminant is $b^2 - 4ac = 17$, so the roots are real and distinct.',
  'Hence the area equals $\\frac{1}{2} \\cdot 8 \\cdot 6 = 24$ square units.',
  'Therefore there are $\\binom{10}{3} = 120$ ways to choose the committee.',
];
const prose = (n) => Array.from({ length: n }, () => SENTENCES[Math.floor(rnd() * SENTENCES.length)]).join(' ');
const response = (answer) => `${prose(6 + Math.floor(rnd() * 10))}\n\nTherefore, the final answer is $\\boxed{${answer}}$.`;

const EXACT = [
  // AIME-style: strict integer grading.
  ...['70', '588', '16', '117', '279', '504', '821', '77', '62', '81'].flatMap((g) => [
    { gold: g, pred: g, strict: true, type: 'integer' }, { gold: g, pred: `0${g}`, strict: true, type: 'integer' },
    { gold: g, pred: String(Number(g) + 3), strict: true, type: 'integer' }, { gold: g, pred: `${g}^\\circ`, strict: true, type: 'integer' },
  ]),
  // HMMT integers and fractions.
  ...[['\\frac{1}{576}', '\\frac{1}{576}'], ['\\frac{1311}{2017}', '\\frac{2622}{4034}'], ['\\frac{2025}{101}', '20\\frac{5}{101}'], ['\\frac{448}{3}', '\\frac{449}{3}'],
    ['2^{25} \\cdot 26!', '26! \\cdot 2^{25}'], ['-984', '984'], ['3375', '15^3'], ['\\frac{4}{9}', '0.\\overline{4}']]
    .map(([gold, pred]) => ({ gold, pred, strict: false, type: 'expression' })),
];
const SYMBOLIC = [
  ['\\frac{9 \\sqrt{23}}{23}', '\\frac{9}{\\sqrt{23}}'], ['\\frac{9 \\sqrt{23}}{23}', '\\frac{9\\sqrt{22}}{23}'], ['1-\\frac{2}{\\pi}', '\\frac{\\pi-2}{\\pi}'],
  ['1-\\frac{2}{\\pi}', '1+\\frac{2}{\\pi}'], ['\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}', '\\frac{-1\\pm\\sqrt{17}}{2}'],
  ['\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}', '\\frac{1\\pm\\sqrt{17}}{2}'], ['8\\sqrt{10}', '\\sqrt{640}'], ['\\sqrt{23}-2 \\sqrt{3}', '\\sqrt{35 - 4\\sqrt{69}}'],
  ['9\\sqrt{15}', '3\\sqrt{135}'], ['\\sqrt{6}', '\\sqrt[4]{36}'], ['14+4\\sqrt{37}', '2(7+2\\sqrt{37})'], ['\\sqrt{\\frac{95}{24}}', '\\frac{\\sqrt{570}}{12}'],
].map(([gold, pred]) => ({ gold, pred, strict: false, type: 'expression' }));
const BREAKERS = [
  '10^{10^{10}}', '(10^{10})!', '2^{2^{2^{2^{2^{2}}}}}', `${'{'.repeat(10_000)}1${'}'.repeat(10_000)}`, `${'\\frac{1}{2}+'.repeat(8_000)}1`,
  `${'x+'.repeat(20_000)}1`, '\\frac{1}{2', `${'\\sqrt{'.repeat(3_000)}2${'}'.repeat(3_000)}`,
];

function workload(mix, copies) {
  const out = [];
  for (let c = 0; c < copies; c++) for (const r of mix) out.push({ ...r, text: response(r.pred) });
  return out;
}
const opts = (r) => ({ strict: r.strict, answerType: r.type, budgetMs: 5_000 });
const item = (r, i) => ({ id: `b${i}`, fields: {}, target: r.gold, metadata: r.type === 'integer' ? { answer_type: 'integer' } : {} });
const attempt = (text) => ({ itemId: 'b', index: 0, seed: 0, text, reasoning: '', thinkingUnclosed: false, finish: 'stop', promptTokens: null, completionTokens: null, timings: { latencyMs: 0, ttftMs: null, tokensPerSecond: null }, error: null });

function baseline(work) {
  const t0 = performance.now();
  for (const r of work) gradeMathAnswer(r.gold, r.text, opts(r));
  return { perSec: work.length / ((performance.now() - t0) / 1000) };
}

async function pooled(judge, work) {
  const pairs = work.map((r, i) => ({ item: item(r, i), attempt: attempt(r.text) }));
  const t0 = performance.now();
  const grades = await judge.gradeMany(pairs);
  const secs = (performance.now() - t0) / 1000;
  const times = grades.map((g) => g.details.timings?.totalMs ?? 0);
  const by = {};
  for (const g of grades) by[g.details.decidedBy ?? g.outcome] = (by[g.details.decidedBy ?? g.outcome] ?? 0) + 1;
  return { perSec: work.length / secs, times, by, errors: grades.filter((g) => g.outcome === 'error').length };
}

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

// One judge grades both mixes: the AIME rows carry answer_type integer (exact integer grading) and every
// response is boxed, so strict and non-strict extraction coincide here.
const judge = createMathJudge({ strict: false, threads });
const single = createMathJudge({ strict: false, threads: 1 });
const mixes = { exact: workload(EXACT, 40), symbolic: workload(SYMBOLIC, 120) };
for (const j of [judge, single]) await j.gradeMany(mixes.symbolic.slice(0, 64).map((r, i) => ({ item: item(r, i), attempt: attempt(r.text) }))); // start + warm
for (const r of mixes.exact.slice(0, 200)) gradeMathAnswer(r.gold, r.text, opts(r)); // warm the baseline

console.log(`math judge, batches of 32. baseline = the same checker synchronously on the main thread; pool = worker threads (grades/s, median of ${ROUNDS})`);
console.log('mix        grades   baseline   pool 1 thread   pool ' + threads + ' threads   vs baseline   per grade in worker p50 / p99 / max   decided by');
for (const name of ['exact', 'symbolic']) {
  const work = mixes[name];
  const base = [];
  const one = [];
  const pool = [];
  let times = [];
  let by = {};
  let errors = 0;
  for (let k = 0; k < ROUNDS; k++) {
    base.push(baseline(work).perSec);
    one.push((await pooled(single, work)).perSec);
    const p = await pooled(judge, work);
    pool.push(p.perSec);
    times = times.concat(p.times);
    by = p.by;
    errors += p.errors;
  }
  const [bm, om, pm] = [median(base), median(one), median(pool)];
  console.log(`${name.padEnd(10)} ${String(work.length).padStart(6)}   ${bm.toFixed(0).padStart(6)}/s   ${om.toFixed(0).padStart(11)}/s   ${pm.toFixed(0).padStart(11)}/s   ${(pm / bm).toFixed(2).padStart(10)}x   ` +
    `${pct(times, 0.5).toFixed(2)} / ${pct(times, 0.99).toFixed(2)} / ${Math.max(...times).toFixed(1)} ms`.padStart(34) + `   ${JSON.stringify(by)}${errors ? `  errors: ${errors}` : ''}`);
}

// ── worst case: inputs meant to break it, one at a time through the pool (wall time, including the round trip) ──
const wall = [];
for (const b of BREAKERS) {
  const t0 = performance.now();
  const [g] = await judge.gradeMany([{ item: { id: 'x', fields: {}, target: '33', metadata: {} }, attempt: attempt(`\\boxed{${b}}`) }]);
  wall.push({ input: b.length > 24 ? `${b.slice(0, 20)}… (${b.length} chars)` : b, ms: performance.now() - t0, outcome: g.outcome });
}
const worstBreaker = wall.reduce((a, b) => (b.ms > a.ms ? b : a));
console.log(`breakers (${BREAKERS.length}, budget 5000 ms): worst ${worstBreaker.ms.toFixed(0)} ms for ${worstBreaker.input} → ${worstBreaker.outcome}; all: ${wall.map((w) => `${w.ms.toFixed(0)}ms/${w.outcome}`).join(', ')}`);
await judge.close();
await single.close();

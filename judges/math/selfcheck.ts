/**
 * The self-check: a second verification path that shares nothing with the first beyond the extracted
 * strings. Where the first path tokenizes, parses with our grammar and computes exactly (BigInt) or
 * with our decimal evaluator, this one rewrites LaTeX into mathjs syntax the way MathArena rewrites it
 * into SymPy syntax, parses with mathjs's own parser and evaluates with mathjs BigNumbers (64 digits).
 * It covers numbers, lists, tuples, sets, ± and labelled values; for anything else (relations,
 * intervals, matrices, text) it answers `unsupported` and no disagreement can be recorded.
 */
import { all, create } from 'mathjs';

export type SecondVerdict = 'equal' | 'not_equal' | 'unsupported';
export interface SecondOpinion { verdict: SecondVerdict; reason?: string }

const big = create(all, { number: 'BigNumber', precision: 64 });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const B = big as any;

class Unsupported extends Error {}

// mathjs computes n! by a loop and a^b of a huge b by brute force: refuse what cannot finish quickly.
const plainFactorial = B.factorial;
const plainPow = B.pow;
big.import({
  factorial: (n: unknown) => {
    if (B.isBigNumber(n) && (n as { gt(x: number): boolean }).gt(100_000)) throw new Unsupported('factorial too large');
    return plainFactorial(n);
  },
  pow: (a: unknown, b: unknown) => {
    if (B.isBigNumber(a) && B.isBigNumber(b)) {
      const x = a as { abs(): { eq(v: number): boolean; log(base: number): { times(y: unknown): { abs(): { gt(v: number): boolean } } } } };
      if (!x.abs().eq(1) && !x.abs().eq(0) && x.abs().log(10).times(b).abs().gt(1e15)) throw new Unsupported('power too large');
    }
    return plainPow(a, b);
  },
}, { override: true });

type Shape = 'bare' | 'tuple' | 'set';
interface Parsed { shape: Shape; elements: string[]; labels: string[] }

/** Index just past the brace group at s[open] === '{'. */
function groupEnd(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '\\') { i++; continue; }
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i + 1;
  }
  throw new Unsupported('unbalanced braces');
}

/** Replaces \name{…} by f(content) for the given commands, innermost handled by recursion in f. */
function rewriteCommand(s: string, name: string, f: (body: string) => string): string {
  const tag = `\\${name}{`;
  for (let at = s.indexOf(tag); at >= 0; at = s.indexOf(tag)) {
    const end = groupEnd(s, at + tag.length - 1);
    s = s.slice(0, at) + f(s.slice(at + tag.length, end - 1)) + s.slice(end);
  }
  return s;
}

/** MathArena-style cleaning: wrappers, spacing, units and text removed; the part after the last '='. */
export function normalizeForCheck(s: string, groupDigits: boolean): string {
  s = s.replace(/,\\!\s*(?=\d{3})/g, '').replace(/[−–]/g, '-').replace(/π/g, '\\pi ').replace(/√/g, '\\sqrt').replace(/[×·]/g, '*').replace(/±/g, '\\pm ');
  s = rewriteCommand(s, 'boxed', (b) => b);
  for (const t of ['text', 'textbf', 'mbox', 'textnormal', 'textrm', 'mathrm', 'mathbf', 'operatorname']) {
    s = rewriteCommand(s, t, (b) => (/^\s*(and|or)\s*$/i.test(b) ? ',' : t.startsWith('math') || t === 'operatorname' ? b : ' '));
  }
  s = s.replace(/\\(?:left|right|displaystyle|big|Big|bigl|bigr)\b\.?/g, '').replace(/\\[,;:! ]/g, '').replace(/\$/g, '');
  s = s.replace(/\^\s*\{?\s*\\circ\s*\}?/g, '').replace(/°|\\%|%|\\\$/g, '').replace(/\\(?:dfrac|tfrac|cfrac)/g, '\\frac');
  s = s.replace(/\{,\}/g, '').replace(/\\quad|\\qquad/g, ',').replace(/\b(?:and|or)\b/g, ',');
  if (groupDigits) s = s.replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
  s = s.replace(/\s+(?:cm|m|km|units?|degrees?|meters?|miles?|percent|percentage|pct|dollars?)\s*$/i, '');
  s = s.trim().replace(/\.$/, '');
  if (s.includes('\\approx')) {
    // "x = 1/3 \approx 0.33" states 1/3; "x \approx 11" states 11.
    const before = s.slice(0, s.indexOf('\\approx')).trim();
    s = /^[a-zA-Z]$/.test(before) ? s.slice(s.indexOf('\\approx') + 7) : before;
  }
  if (/(<|>|\\le|\\ge|\\lt|\\gt|\\neq|\\in\b|\\cup|\\infty|\\begin|\\cap|\\emptyset|\\sum|\\int)/.test(s)) throw new Unsupported('relations, sets and matrices are not checked twice');
  return s.trim();
}

/** Splits at top-level commas/semicolons and notes the bracket shape around the whole. */
function splitTop(s: string): Parsed {
  let shape: Shape = 'bare';
  const wrapped = (open: string, close: string): boolean => s.startsWith(open) && s.endsWith(close) && closesAtEnd(s, open.length);
  if (wrapped('\\{', '\\}')) { shape = 'set'; s = s.slice(2, -2); }
  else if (wrapped('(', ')') && topLevelComma(s.slice(1, -1))) { shape = 'tuple'; s = s.slice(1, -1); }
  else if (s.startsWith('[') || s.endsWith(']')) throw new Unsupported('intervals are not checked twice');
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) { cur += c + s[i + 1]; i++; continue; }
    if ('([{'.includes(c)) depth++;
    if (')]}'.includes(c)) depth--;
    if (depth === 0 && (c === ',' || c === ';')) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  const labels: string[] = [];
  const elements = out.map((e) => e.trim()).filter((e) => e.length > 0).map((e) => {
    if (!e.includes('=')) return e;
    // "x = 5" names a value; "2x + z = 1" is an equation, which this path does not check.
    const lhs = e.slice(0, e.indexOf('='));
    if (/[\d+\-^]/.test(lhs) || /[a-zA-Z]{2,}/.test(lhs.replace(/\\[a-zA-Z]+/g, ''))) throw new Unsupported('equations are not checked twice');
    labels.push(lhs.replace(/[\s{}]/g, ''));
    return e.slice(e.lastIndexOf('=') + 1).trim();
  });
  return { shape, elements, labels };
}

function closesAtEnd(s: string, openLen: number): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && (s[i + 1] === '{' || s[i + 1] === '}')) { depth += s[i + 1] === '{' ? 1 : -1; i++; if (depth === 0 && i < s.length - 1) return false; continue; }
    if ('({['.includes(s[i]!) && openLen === 1) depth++;
    if (')}]'.includes(s[i]!) && openLen === 1) { depth--; if (depth === 0 && i < s.length - 1) return false; }
  }
  return true;
}

function topLevelComma(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && c === ',') return true;
  }
  return false;
}

/** a ± b → [a + b, a − b]; ∓ takes the opposite sign. */
function expandPlusMinus(e: string): string[] {
  if (!/\\pm|\\mp/.test(e)) return [e];
  return [e.replace(/\\pm/g, '+').replace(/\\mp/g, '-'), e.replace(/\\pm/g, '-').replace(/\\mp/g, '+')];
}

const KNOWN_NAMES = new Set(['sqrt', 'nthRoot', 'combinations', 'pi', 'e', 'i', 'sin', 'cos', 'tan', 'log', 'exp', 'abs', 'factorial', 'sec', 'csc', 'cot']);

/** LaTeX element → mathjs expression text. */
export function latexToMathjs(e: string): string {
  let s = e;
  const arg = (t: string, at: number): [string, number] => {
    while (t[at] === ' ') at++;
    if (t[at] === '{') { const end = groupEnd(t, at); return [t.slice(at + 1, end - 1), end]; }
    if (t[at] === '\\') { const m = /^\\[a-zA-Z]+/.exec(t.slice(at)); if (m) return [m[0], at + m[0].length]; }
    if (at >= t.length) throw new Unsupported('missing argument');
    return [t[at]!, at + 1];
  };
  const rewriteArgs = (name: string, n: number, f: (args: string[]) => string): void => {
    for (let at = s.indexOf(`\\${name}`); at >= 0; at = s.indexOf(`\\${name}`)) {
      let pos = at + name.length + 1;
      if (/[a-zA-Z]/.test(s[pos] ?? '')) throw new Unsupported(`\\${name}${s[pos]}`);
      let index: string | null = null;
      if (name === 'sqrt' && s[pos] === '[') { const close = s.indexOf(']', pos); index = s.slice(pos + 1, close); pos = close + 1; }
      const args: string[] = [];
      for (let k = 0; k < n; k++) { const [a, next] = arg(s, pos); args.push(a); pos = next; }
      if (index !== null) args.push(index);
      s = s.slice(0, at) + f(args) + s.slice(pos);
    }
  };
  // Mixed number 3\frac{1}{2} = 3 + 1/2 (an integer directly before a proper fraction of integers).
  s = s.replace(/(\d+)\\frac\{(\d+)\}\{(\d+)\}/g, (m, w: string, n: string, d: string) => (Number(n) < Number(d) ? `(${w} + ${n}/${d})` : m));
  rewriteArgs('frac', 2, ([a, b]) => `((${latexToMathjs(a!)})/(${latexToMathjs(b!)}))`);
  rewriteArgs('binom', 2, ([a, b]) => `combinations(${latexToMathjs(a!)}, ${latexToMathjs(b!)})`);
  rewriteArgs('sqrt', 1, ([a, n]) => (n === undefined ? `sqrt(${latexToMathjs(a!)})` : `nthRoot(${latexToMathjs(a!)}, ${latexToMathjs(n)})`));
  s = s.replace(/\\pi\b/g, ' pi ').replace(/\\(?:cdot|times|ast)\b/g, '*').replace(/\\div\b/g, '/').replace(/\\ln\b/g, 'log').replace(/\\log\b/g, 'log');
  s = s.replace(/\\(sin|cos|tan|sec|csc|cot|exp)\b/g, '$1');
  if (/\\[a-zA-Z]/.test(s)) throw new Unsupported(`command ${/\\[a-zA-Z]+/.exec(s)![0]}`);
  s = s.replace(/\{/g, '(').replace(/\}/g, ')');
  let bar = 0;
  s = s.replace(/\|/g, () => (bar++ % 2 === 0 ? 'abs(' : ')'));
  // Letter runs that are not function names are products of one-letter variables (xy = x*y).
  s = s.replace(/[a-zA-Z]+/g, (w) => (KNOWN_NAMES.has(w) ? w : w.split('').join('*')));
  s = s.replace(/(\d)_(\d+)/g, () => { throw new Unsupported('base subscripts'); });
  return s;
}

type Value = { values: unknown[] };

/** Compiled mathjs expressions by text: an item's gold and the answers its attempts repeat. Bounded. */
const compiled = new Map<string, { evaluate(scope: object): unknown }>();

function compile(text: string): { evaluate(scope: object): unknown } {
  let c = compiled.get(text);
  if (!c) {
    c = B.compile(text) as { evaluate(scope: object): unknown };
    if (compiled.size >= 2048) compiled.clear();
    compiled.set(text, c);
  }
  return c;
}

function evaluateElement(text: string, vars: string[]): Value {
  const node = compile(text);
  const points = vars.length ? [1.7319, 2.4142, 3.2361].map((x, k) => Object.fromEntries(vars.map((v, j) => [v, big.bignumber(x + 0.31 * j + 0.01 * k)]))) : [{}];
  return { values: points.map((scope) => node.evaluate(scope)) };
}

function variablesOf(texts: string[]): string[] {
  const vars = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(/[a-zA-Z]+/g)) if (!KNOWN_NAMES.has(m[0])) vars.add(m[0]);
  return [...vars].sort();
}

function close(a: unknown, b: unknown, integerMode: boolean): boolean {
  if (!B.isBigNumber(a) || !B.isBigNumber(b)) {
    if (B.isComplex(a) || B.isComplex(b)) {
      const d = B.abs(B.subtract(a, b));
      return Number(d) <= 1e-9 * Math.max(1, Number(B.abs(a)));
    }
    throw new Unsupported('a value that is not a number');
  }
  const x = a as { isInteger(): boolean; eq(y: unknown): boolean; minus(y: unknown): { abs(): { lte(y: unknown): boolean } }; abs(): { gt(y: unknown): unknown; times(k: number): unknown }; isFinite(): boolean };
  const y = b as typeof x;
  if (!x.isFinite() || !y.isFinite()) throw new Unsupported('an infinite or undefined value');
  if (x.isInteger() && y.isInteger()) {
    // 64 digits hold integers exactly up to ~60 digits; past that, 10^100 and 10^100 + 1 look alike.
    const digits = (v: unknown): number => (v as { e: number }).e + 1; // decimal.js exponent, no digit string
    if (Math.max(digits(x), digits(y)) > 60) throw new Unsupported('integers beyond 60 digits');
    return x.eq(y);
  }
  if (integerMode) return false;
  const scale = (x.abs().gt(y.abs()) ? x.abs() : y.abs()) as { times(k: number): unknown };
  // Relative tolerance; an absolute floor only against an exact zero (1/2004! is not 1/2006!).
  if ((x as unknown as { isZero(): boolean }).isZero() || (y as unknown as { isZero(): boolean }).isZero()) return x.minus(y).abs().lte(big.bignumber('1e-50'));
  return x.minus(y).abs().lte(scale.times(1e-10));
}

function sortKey(v: Value): number {
  const first = v.values[0];
  return B.isComplex(first) ? (first as { re: number }).re : Number(first);
}

/** The second path's verdict on (gold, prediction) strings. */
/** Longer strings are not checked twice: this path rewrites strings and is quadratic in their length. */
const MAX_CHECK_LENGTH = 4_000;

export function secondOpinion(gold: string, pred: string, opts: { integerMode: boolean }): SecondOpinion {
  if (gold.length > MAX_CHECK_LENGTH || pred.length > MAX_CHECK_LENGTH) return { verdict: 'unsupported', reason: 'answer too long' };
  try {
    const groupDigits = !gold.includes(',');
    const g = splitTop(normalizeForCheck(gold, groupDigits));
    const p = splitTop(normalizeForCheck(pred, groupDigits));
    // Distinct names on every value ("p = 5, q = 2"): values are compared name by name.
    const named = (x: Parsed): boolean => x.labels.length === x.elements.length && x.elements.length > 1 && new Set(x.labels).size === x.labels.length;
    if (named(g) && named(p)) {
      if ([...g.labels].sort().join() !== [...p.labels].sort().join()) return { verdict: 'not_equal', reason: 'different names' };
      const order = (x: Parsed): string[] => x.labels.map((l, k) => [l, x.elements[k]!] as const).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, e]) => e);
      g.elements = order(g);
      p.elements = order(p);
      g.shape = 'tuple';
      p.shape = 'tuple';
    }
    const gx = g.elements.flatMap(expandPlusMinus).map(latexToMathjs);
    const px = p.elements.flatMap(expandPlusMinus).map(latexToMathjs);
    if (!gx.length || !px.length) return { verdict: 'unsupported', reason: 'nothing numeric to compare' };
    const vars = variablesOf([...gx, ...px]);
    if (vars.length > 3) return { verdict: 'unsupported', reason: 'too many variables' };
    const gv = gx.map((t) => evaluateElement(t, vars));
    const pv = px.map((t) => evaluateElement(t, vars));
    const ordered = g.shape === 'tuple' && p.shape !== 'set';
    if (g.shape === 'set' && p.shape === 'tuple') return { verdict: 'not_equal', reason: 'set against tuple' };
    const uniq = (vs: Value[]): Value[] => (ordered ? vs : vs.filter((v, k) => vs.findIndex((w) => same(w, v, opts.integerMode)) === k));
    const [ga, pa] = [uniq(gv), uniq(pv)];
    if (ga.length !== pa.length) return { verdict: 'not_equal', reason: `${ga.length} values against ${pa.length}` };
    const [gs, ps] = ordered ? [ga, pa] : [[...ga].sort((a, b) => sortKey(a) - sortKey(b)), [...pa].sort((a, b) => sortKey(a) - sortKey(b))];
    return { verdict: gs.every((v, k) => same(v, ps[k]!, opts.integerMode)) ? 'equal' : 'not_equal' };
  } catch (e) {
    return { verdict: 'unsupported', reason: e instanceof Unsupported ? e.message : `mathjs: ${(e as Error).message}` };
  }
}

function same(a: Value, b: Value, integerMode: boolean): boolean {
  return a.values.every((x, k) => close(x, b.values[k], integerMode));
}

/**
 * The numeric path: evaluates a tree with 50 significant digits (decimal.js) — or, where the value
 * leaves the reals (i, √−1, logs of negatives), in float64 complex arithmetic — and compares with a
 * relative tolerance of 1e-10. Free variables are sampled at fixed pseudo-random points; functions the
 * answer names but does not define (f(x), W(n)) are deterministic random functions of their arguments,
 * so f(x) = f(x) but f(x) ≠ f(y).
 */
import type { Complex } from 'mathjs';
import type { Deadline } from './deadline.js';
import { Dec, isArr, isConst, isFn, isOp, isSym, literalText, math, type MathNode } from './mathjs.js';
import { mulberry32 } from '../../harness/random.js';

export const REL_TOL = 1e-10;
const ABS_FLOOR = new Dec('1e-40');
const MAX_LOOP = 100_000;

export class NeedsComplex extends Error {}
/** The expression has no value here (division by zero, 0^0, log 0, an index out of range). */
export class Undefined extends Error {}
/** The expression cannot be evaluated numerically at all (unknown construct, symbolic bounds). */
export class Unevaluable extends Error {}

export type Scope = Record<string, number>;
export type Real = Dec | Dec[][];
export type NumValue = { mode: 'real'; v: Real } | { mode: 'complex'; v: number | Complex };

const PI = Dec.acos(-1);
const E = new Dec(1).exp();

/** Evaluates in real mode; falls back to complex mode when the value leaves the reals. */
export function evaluateNumber(node: MathNode, scope: Scope, dl: Deadline): NumValue {
  try {
    return { mode: 'real', v: real(node, scope, dl) };
  } catch (e) {
    if (!(e instanceof NeedsComplex)) throw e;
  }
  return { mode: 'complex', v: cplx(node, scope, dl) };
}

// ───────────── random functions for undefined names ─────────────
function hashString(s: string): number {
  let h = 2166136261;
  for (let k = 0; k < s.length; k++) { h ^= s.charCodeAt(k); h = Math.imul(h, 16777619); }
  return h >>> 0;
}
function oracle(name: string, args: string[]): number {
  return 1 + (hashString(`${name}(${args.join(',')})`) % 1_000_003) / 1_000_003;
}

// ───────────── real mode (decimal.js, 50 digits) ─────────────
function scalar(v: Real): Dec {
  if (Array.isArray(v)) throw new Unevaluable('a matrix where a number is needed');
  return v;
}
function isInt(d: Dec): boolean {
  return d.isFinite() && d.isInteger();
}

function factorial(n: Dec, dl: Deadline): Dec {
  if (!isInt(n) || n.isNeg()) throw new Undefined('factorial of a non-natural number');
  if (n.lte(1000)) {
    let f = new Dec(1);
    for (let k = 2; n.gte(k); k++) { f = f.times(k); dl.check('numeric factorial'); }
    return f;
  }
  return lnGamma(n.plus(1)).exp();
}

/** ln Γ(x) for x > 1000 by Stirling's series (error far below 1e-40 there). */
function lnGamma(x: Dec): Dec {
  const inv = new Dec(1).div(x);
  const inv2 = inv.times(inv);
  const series = inv.times(new Dec(1).div(12).minus(inv2.div(360)).plus(inv2.times(inv2).div(1260)).minus(inv2.times(inv2).times(inv2).div(1680)));
  return x.minus(0.5).times(x.ln()).minus(x).plus(PI.times(2).ln().div(2)).plus(series);
}

function matrixOf(node: MathNode & { items: MathNode[] }, scope: Scope, dl: Deadline): Dec[][] {
  return node.items.map((row) => {
    if (!isArr(row)) throw new Unevaluable('malformed matrix');
    return row.items.map((c) => scalar(real(c, scope, dl)));
  });
}

function matMul(a: Dec[][], b: Dec[][]): Dec[][] {
  if (a[0]!.length !== b.length) throw new Undefined('matrix shapes do not match');
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, k) => s.plus(x.times(b[k]![j]!)), new Dec(0))));
}
function elementwise(a: Real, b: Real, f: (x: Dec, y: Dec) => Dec): Real {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length || a[0]!.length !== b[0]!.length) throw new Undefined('matrix shapes do not match');
    return a.map((row, i) => row.map((x, j) => f(x, b[i]![j]!)));
  }
  if (Array.isArray(a)) return a.map((row) => row.map((x) => f(x, b as Dec)));
  if (Array.isArray(b)) return b.map((row) => row.map((y) => f(a as Dec, y)));
  return f(a, b);
}
function det(m: Dec[][]): Dec {
  const n = m.length;
  if (m.some((r) => r.length !== n)) throw new Undefined('determinant of a non-square matrix');
  const a = m.map((r) => [...r]);
  let d = new Dec(1);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (a[r]![c]!.abs().gt(a[p]![c]!.abs())) p = r;
    if (a[p]![c]!.isZero()) return new Dec(0);
    if (p !== c) { [a[p], a[c]] = [a[c]!, a[p]!]; d = d.neg(); }
    d = d.times(a[c]![c]!);
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]!.div(a[c]![c]!);
      for (let k = c; k < n; k++) a[r]![k] = a[r]![k]!.minus(f.times(a[c]![k]!));
    }
  }
  return d;
}

function power(a: Dec, b: Dec): Dec {
  if (a.isZero()) {
    if (b.gt(0)) return new Dec(0);
    throw new Undefined('0 to a non-positive power');
  }
  if (a.isNeg() && !isInt(b)) throw new NeedsComplex();
  // |a^b| = 10^(b·log10|a|): decide over- and underflow before decimal.js grinds through it.
  if (!a.abs().eq(1) && b.abs().gt(1e6)) {
    const mag = b.times(a.abs().log(10));
    if (mag.gt(9e15)) return new Dec(a.isNeg() && b.mod(2).eq(1) ? -Infinity : Infinity);
    if (mag.lt(-9e15)) return new Dec(0);
  }
  const r = a.pow(b);
  if (r.isNaN()) throw new Undefined('power');
  return r;
}

function real(node: MathNode, scope: Scope, dl: Deadline): Real {
  dl.check('numeric evaluation');
  if (isConst(node)) return new Dec(literalText(node));
  if (isSym(node)) {
    switch (node.name) {
      case 'pi': return PI;
      case 'e': return E;
      case 'i': throw new NeedsComplex();
      case 'Infinity': return new Dec(Infinity);
      default:
        if (node.name in scope) return new Dec(scope[node.name]!);
        throw new Unevaluable(`no value for ${node.name}`);
    }
  }
  if (isArr(node)) return matrixOf(node, scope, dl);
  if (isOp(node)) {
    const args = node.args.map((a) => real(a, scope, dl));
    const [a, b] = args;
    switch (node.fn) {
      case 'add': return elementwise(a!, b!, (x, y) => x.plus(y));
      case 'subtract': return elementwise(a!, b!, (x, y) => x.minus(y));
      case 'multiply':
        if (Array.isArray(a) && Array.isArray(b)) return matMul(a, b);
        return elementwise(a!, b!, (x, y) => x.times(y));
      case 'divide': {
        const d = scalar(b!);
        if (d.isZero()) throw new Undefined('division by zero');
        return elementwise(a!, d, (x, y) => x.div(y));
      }
      case 'unaryMinus': return elementwise(a!, new Dec(0), (x) => x.neg());
      case 'unaryPlus': return a!;
      case 'pow': return power(scalar(a!), scalar(b!));
      case 'factorial': return factorial(scalar(a!), dl);
      default: throw new Unevaluable(`operator ${node.op}`);
    }
  }
  if (isFn(node)) {
    const name = node.fn.name;
    if (name === 'sum' || name === 'prod') return bigOperator(node, scope, dl);
    if (name === 'det') {
      const m = real(node.args[0]!, scope, dl);
      if (!Array.isArray(m)) throw new Unevaluable('det of a number');
      return det(m);
    }
    const xs = node.args.map((a) => scalar(real(a, scope, dl)));
    const [x, y] = xs as [Dec, Dec | undefined];
    switch (name) {
      case 'sqrt': if (x.isNeg()) throw new NeedsComplex(); return x.sqrt();
      case 'nthRoot': {
        if (!y || !isInt(y) || y.lte(0)) throw new Undefined('root index');
        if (x.isZero()) return x;
        if (x.isNeg() && y.mod(2).isZero()) throw new NeedsComplex();
        const r = x.abs().ln().div(y).exp();
        return x.isNeg() ? r.neg() : r;
      }
      case 'abs': return x.abs();
      case 'floor': return x.floor();
      case 'ceil': return x.ceil();
      case 'sign': return new Dec(Dec.sign(x));
      case 'exp': return x.exp();
      case 'log':
      case 'log10': {
        if (x.isZero()) throw new Undefined('log 0');
        if (x.isNeg()) throw new NeedsComplex();
        const base = name === 'log10' ? new Dec(10) : y;
        return base ? x.ln().div(base.ln()) : x.ln();
      }
      case 'sin': return x.sin();
      case 'cos': return x.cos();
      case 'tan': return x.tan();
      case 'sec': return nonZero(x.cos()).pow(-1);
      case 'csc': return nonZero(x.sin()).pow(-1);
      case 'cot': return nonZero(x.tan()).pow(-1);
      case 'asin': if (x.abs().gt(1)) throw new NeedsComplex(); return x.asin();
      case 'acos': if (x.abs().gt(1)) throw new NeedsComplex(); return x.acos();
      case 'atan': return x.atan();
      case 'sinh': return x.sinh();
      case 'cosh': return x.cosh();
      case 'tanh': return x.tanh();
      case 'combinations': {
        if (!y || !isInt(x) || !isInt(y) || x.isNeg() || y.isNeg()) throw new Undefined('binomial of non-naturals');
        if (y.gt(x)) return new Dec(0);
        const k = Dec.min(y, x.minus(y));
        if (k.gt(MAX_LOOP)) return factorial(x, dl).div(factorial(y, dl).times(factorial(x.minus(y), dl)));
        let c = new Dec(1);
        for (let j = 1; k.gte(j); j++) { c = c.times(x.minus(k).plus(j)).div(j); dl.check('numeric binomial'); }
        return c.round();
      }
      case 'max': return Dec.max(...xs);
      case 'min': return Dec.min(...xs);
      case 'gcd':
      case 'lcm': {
        if (!xs.every(isInt)) throw new Undefined(`${name} of non-integers`);
        const g2 = (p: Dec, q: Dec): Dec => { p = p.abs(); q = q.abs(); while (!q.isZero()) { dl.check('gcd'); [p, q] = [q, p.mod(q)]; } return p; };
        return xs.slice(1).reduce((acc, v) => (name === 'gcd' ? g2(acc, v) : acc.times(v).abs().div(g2(acc, v))), xs[0]!);
      }
      default:
        // A function the answer names but does not define: a fixed random function of its arguments.
        return new Dec(oracle(name, xs.map((v) => v.toSignificantDigits(30).toString())));
    }
  }
  throw new Unevaluable(`cannot evaluate ${node.type}`);
}

function nonZero(x: Dec): Dec {
  if (x.abs().lt('1e-40')) throw new Undefined('pole');
  return x;
}

function bigOperator(node: MathNode & { fn: { name: string }; args: MathNode[] }, scope: Scope, dl: Deadline): Dec {
  const [body, index, loN, hiN] = node.args;
  if (!body || !index || !isSym(index) || !loN || !hiN) throw new Unevaluable('malformed sum');
  const lo = scalar(real(loN, scope, dl));
  const hi = scalar(real(hiN, scope, dl));
  if (!isInt(lo) || !isInt(hi)) throw new Unevaluable('sum bounds are not integers');
  if (hi.minus(lo).gt(MAX_LOOP)) throw new Unevaluable('sum too long');
  const isSum = node.fn.name === 'sum';
  let acc = new Dec(isSum ? 0 : 1);
  for (let k = lo.toNumber(); k <= hi.toNumber(); k++) {
    const v = scalar(real(body, { ...scope, [index.name]: k }, dl));
    acc = isSum ? acc.plus(v) : acc.times(v);
  }
  return acc;
}

// ───────────── complex mode (float64) ─────────────
type C = number | Complex;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const M = math as any;

function cplx(node: MathNode, scope: Scope, dl: Deadline): C {
  dl.check('complex evaluation');
  if (isConst(node)) return Number(literalText(node));
  if (isSym(node)) {
    if (node.name === 'pi') return Math.PI;
    if (node.name === 'e') return Math.E;
    if (node.name === 'i') return math.complex(0, 1);
    if (node.name === 'Infinity') return Infinity;
    if (node.name in scope) return scope[node.name]!;
    throw new Unevaluable(`no value for ${node.name}`);
  }
  // Complex matrices are out of scope: such a point is skipped, not the whole comparison.
  if (isArr(node)) throw new Undefined('complex matrix');
  if (isOp(node)) {
    const args = node.args.map((a) => cplx(a, scope, dl));
    switch (node.fn) {
      case 'add': case 'subtract': case 'multiply': case 'divide': case 'unaryMinus': case 'pow': case 'factorial':
        return M[node.fn](...args) as C;
      case 'unaryPlus': return args[0]!;
      default: throw new Unevaluable(`operator ${node.op}`);
    }
  }
  if (isFn(node)) {
    const name = node.fn.name;
    const args = node.args.map((a) => cplx(a, scope, dl));
    if (name === 'nthRoot') return M.pow(args[0], M.divide(1, args[1])) as C;
    if (name === 'log10') return M.log(args[0], 10) as C;
    if (typeof M[name] === 'function' && !['sum', 'prod', 'det'].includes(name)) return M[name](...args) as C;
    const parts = args.flatMap((a) => (typeof a === 'number' ? [a] : [a.re, a.im]));
    return oracle(name, parts.map((p) => p.toPrecision(12)));
  }
  throw new Unevaluable(`cannot evaluate ${node.type}`);
}

// ───────────── comparison ─────────────
/**
 * Relative tolerance. The absolute floor applies only against an exact zero: evaluation noise
 * (sin π ≈ 1e-50) is zero, but two genuinely tiny values (1/2004! and 1/2006!) are not equal.
 */
export function decClose(a: Dec, b: Dec, tol = REL_TOL): boolean {
  if (!a.isFinite() || !b.isFinite()) return a.eq(b);
  const diff = a.minus(b).abs();
  if (a.isZero() || b.isZero()) return diff.lte(ABS_FLOOR);
  return diff.lte(Dec.max(a.abs(), b.abs()).times(tol));
}

function complexParts(v: C): [number, number] {
  return typeof v === 'number' ? [v, 0] : [v.re, v.im];
}

/** Equality of two evaluated values; null when they cannot be compared (real vs complex, shapes). */
export function valuesClose(a: NumValue, b: NumValue): boolean | null {
  if (a.mode === 'real' && b.mode === 'real') {
    if (Array.isArray(a.v) || Array.isArray(b.v)) {
      if (!Array.isArray(a.v) || !Array.isArray(b.v)) return false;
      const [x, y] = [a.v, b.v];
      if (x.length !== y.length || x[0]!.length !== y[0]!.length) return false;
      return x.every((row, i) => row.every((v, j) => decClose(v, y[i]![j]!)));
    }
    return decClose(a.v, b.v);
  }
  if (a.mode !== b.mode) return null;
  const [ar, ai] = complexParts(a.v as C);
  const [br, bi] = complexParts(b.v as C);
  if (![ar, ai, br, bi].every(Number.isFinite)) return null;
  const scale = Math.max(Math.hypot(ar, ai), Math.hypot(br, bi));
  return Math.hypot(ar - br, ai - bi) <= Math.max(1e-12, scale * 1e-9);
}

/** True when the value is a finite real number (matrices and infinities excluded). */
export function isFiniteReal(v: NumValue): v is { mode: 'real'; v: Dec } {
  return v.mode === 'real' && !Array.isArray(v.v) && v.v.isFinite();
}

// ───────────── sampling of free variables ─────────────
/**
 * Sample points for the given variables: seven positive and three negative, the same every run
 * (a verdict must not depend on luck).
 */
export function samplePoints(vars: string[], count = 10): Scope[] {
  const rnd = mulberry32(0x5eed + vars.join(',').length);
  const points: Scope[] = [];
  for (let p = 0; p < count; p++) {
    const s: Scope = {};
    for (const v of vars) s[v] = p < Math.ceil(count * 0.7) ? 0.3 + 3 * rnd() : -(0.3 + 3 * rnd());
    points.push(s);
  }
  return points;
}

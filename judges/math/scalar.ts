/**
 * Equality of two scalar expressions, cheapest decisive check first:
 *   structural (same canonical tree) → exact (rationals and quadratic surds, BigInt) →
 *   numeric (50 digits, tolerance 1e-10, variables sampled) → symbolic (mathjs simplify of the difference).
 * The symbolic step only runs where numbers cannot decide (an expression the evaluator cannot compute):
 * as a confirmation of numeric equality it cost seconds, and mathjs rationalize never returned on
 * (x+1)^12 − (x²+2x+1)^6. The verdict records which check decided.
 */
import { canonical, freeVariables, normalizeLiteral, walk } from './answer.js';
import type { Deadline } from './deadline.js';
import { exactValue, surdEqual, type Surd } from './exact.js';
import { isConst, literalText, type MathNode } from './mathjs.js';
import { NeedsComplex, Undefined, Unevaluable, evaluateNumber, samplePoints, valuesClose, type NumValue, type Scope } from './numeric.js';
import { symbolicZero } from './symbolic.js';

export type Decider = 'structural' | 'exact' | 'numeric' | 'symbolic' | 'text' | 'shape';

export interface Verdict {
  equal: boolean;
  by: Decider;
  /** True when no check could decide and the answer counts as not equal. */
  undecided?: boolean;
  note?: string;
}

export interface CompareContext {
  dl: Deadline;
  /** AIME: the prediction must be exactly the gold integer (no tolerance). */
  integerMode: boolean;
  /** Source text of the prediction (text answers compare against it). */
  predRaw: string;
}

const exactCache = new WeakMap<MathNode, Surd | null>();
const freeCache = new WeakMap<MathNode, string[]>();

export function cachedExact(node: MathNode, dl: Deadline): Surd | null {
  if (!exactCache.has(node)) exactCache.set(node, exactValue(node, dl));
  return exactCache.get(node)!;
}

export function cachedFree(node: MathNode): string[] {
  if (!freeCache.has(node)) freeCache.set(node, freeVariables(node));
  return freeCache.get(node)!;
}

/** A value at a point, or null where the expression is undefined there. Unevaluable propagates. */
export function valueAt(node: MathNode, scope: Scope, dl: Deadline): NumValue | null {
  try {
    return evaluateNumber(node, scope, dl);
  } catch (e) {
    if (e instanceof Undefined || e instanceof NeedsComplex || e instanceof RangeError) return null;
    throw e;
  }
}

export function scalarEqual(a: MathNode, b: MathNode, ctx: CompareContext): Verdict {
  if (canonical(a) === canonical(b)) return { equal: true, by: 'structural' };
  const ea = cachedExact(a, ctx.dl);
  const eb = ea ? cachedExact(b, ctx.dl) : null;
  if (ea && eb) {
    if (surdEqual(ea, eb)) return { equal: true, by: 'exact' };
    // A decimal is an approximation: 0.0833333333333333 stands for 1/12 within the 1e-10 tolerance.
    if (!ctx.integerMode && (hasDecimal(a) || hasDecimal(b)) && numericEqual(a, b, ctx.dl) === true) return { equal: true, by: 'numeric' };
    return { equal: false, by: 'exact' };
  }
  if (ctx.integerMode) return { equal: false, by: 'exact', note: 'not exactly the gold integer' };
  const numeric = numericEqual(a, b, ctx.dl);
  if (numeric !== null) return { equal: numeric, by: 'numeric' };
  // Without variables, simplify would only fold constants in float64, which the 50-digit path did better.
  if (cachedFree(a).length + cachedFree(b).length === 0) {
    return { equal: false, by: 'numeric', undecided: true, note: 'the values could not be computed (overflow or undefined)' };
  }
  const sym = symbolicZero(a, b);
  if (sym === true) return { equal: true, by: 'symbolic' };
  return { equal: false, by: 'symbolic', undecided: true, note: 'neither numbers nor simplification could decide' };
}

const decimalCache = new WeakMap<MathNode, boolean>();
/** Whether a tree contains a literal with decimals (1.5, 0.333), i.e. an approximation. */
function hasDecimal(node: MathNode): boolean {
  if (!decimalCache.has(node)) {
    let found = false;
    walk(node, (n) => { if (isConst(n) && normalizeLiteral(literalText(n)).includes('.')) found = true; return !found; });
    decimalCache.set(node, found);
  }
  return decimalCache.get(node)!;
}

function overflowed(v: NumValue): boolean {
  if (v.mode === 'real') return !Array.isArray(v.v) && !v.v.isFinite();
  return typeof v.v === 'number' ? !Number.isFinite(v.v) : !Number.isFinite(v.v.re) || !Number.isFinite(v.v.im);
}

function mentionsInfinity(node: MathNode): boolean {
  return canonical(node).includes('Infinity');
}

/**
 * true/false when the numeric path decides, null when it cannot (unevaluable constructs, values
 * undefined or of different kinds at too many sample points).
 */
export function numericEqual(a: MathNode, b: MathNode, dl: Deadline): boolean | null {
  const vars = [...new Set([...cachedFree(a), ...cachedFree(b)])].sort();
  const points = vars.length ? samplePoints(vars) : [{}];
  let agree = 0;
  try {
    for (const p of points) {
      const va = valueAt(a, p, dl);
      const vb = valueAt(b, p, dl);
      if (!va || !vb) {
        if (!va !== !vb && vars.length === 0) return false; // defined vs undefined constant
        continue;
      }
      // An overflow is not infinity: 10^(10^20) and 10^(10^20) + 1 both overflow but differ.
      if ((overflowed(va) && !mentionsInfinity(a)) || (overflowed(vb) && !mentionsInfinity(b))) continue;
      const close = valuesClose(va, vb);
      if (close === false) return false;
      if (close === true) agree++;
    }
  } catch (e) {
    if (e instanceof Unevaluable) return null;
    throw e;
  }
  const needed = vars.length ? 3 : 1;
  return agree >= needed ? true : null;
}

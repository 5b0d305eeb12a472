/**
 * The exact path: numbers of the form q₀ + q₁√r₁ + q₂√r₂ + … with rational q (BigInt) and square-free
 * integer radicands r. It covers integers, fractions, decimals, factorials (26! exactly) and the
 * quadratic radicals of competition answers (9√23/23 = 9/√23, √(95/24), 14 + 4√37, (−1 ± √17)/2),
 * and gives each value one canonical form, which is also its vote key. Anything else (π, e, cube
 * roots, nested radicals that do not denest, variables) returns null and goes to the numeric path.
 */
import type { Deadline } from './deadline.js';
import { isArr, isConst, isFn, isOp, isSym, literalText, type MathNode } from './mathjs.js';

/** Largest integer (in bits) the exact path builds; past it the value is left to the numeric path. */
export const MAX_BITS = 200_000;
const MAX_TERMS = 16;
const MAX_FACTORIAL = 5_000;

export interface Rat { n: bigint; d: bigint }

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
function gcd(a: bigint, b: bigint): bigint {
  a = abs(a); b = abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}
function bits(x: bigint): number {
  return abs(x).toString(16).length * 4;
}
class TooBig extends Error {}

export function rat(n: bigint, d = 1n): Rat {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) { n = -n; d = -d; }
  const g = gcd(n, d);
  const r = g > 1n ? { n: n / g, d: d / g } : { n, d };
  if (bits(r.n) > MAX_BITS || bits(r.d) > MAX_BITS) throw new TooBig();
  return r;
}
const radd = (a: Rat, b: Rat): Rat => rat(a.n * b.d + b.n * a.d, a.d * b.d);
const rmul = (a: Rat, b: Rat): Rat => rat(a.n * b.n, a.d * b.d);
const rinv = (a: Rat): Rat => rat(a.d, a.n);
const rneg = (a: Rat): Rat => ({ n: -a.n, d: a.d });
export const ratString = (a: Rat): string => (a.d === 1n ? a.n.toString() : `${a.n}/${a.d}`);

/** Exact decimal text → rational ("0.125" → 1/8, "1e3" is not produced by the lexer). */
export function ratFromDecimal(text: string): Rat {
  const [int = '0', frac = ''] = text.split('.');
  return rat(BigInt(int + frac || '0'), 10n ** BigInt(frac.length));
}

// ───────────── square-free parts ─────────────
const SMALL_PRIMES: bigint[] = (() => {
  const limit = 10_000;
  const sieve = new Uint8Array(limit + 1);
  const out: bigint[] = [];
  for (let p = 2; p <= limit; p++) {
    if (sieve[p]) continue;
    out.push(BigInt(p));
    for (let q = p * p; q <= limit; q += p) sieve[q] = 1;
  }
  return out;
})();

export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bits(n) >> 1) + 1); // ≥ √n; Newton's iteration decreases to ⌊√n⌋
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/**
 * m = s²·r with r square-free. Trial division to 10⁴ and a perfect-square test of the rest; a rest
 * above 10¹² (which might hide a square of a large prime) cannot be certified, so null.
 */
export function squareFree(m: bigint): { s: bigint; r: bigint } | null {
  let s = 1n;
  let r = 1n;
  for (const p of SMALL_PRIMES) {
    if (p * p > m) break;
    let e = 0;
    while (m % p === 0n) { m /= p; e++; }
    for (let k = 0; k < e >> 1; k++) s *= p;
    if (e & 1) r *= p;
  }
  if (m > 1n) {
    const q = isqrt(m);
    if (q * q === m) s *= q;
    else if (m < 10n ** 12n) r *= m;
    else return null;
  }
  return { s, r };
}

// ───────────── quadratic surds ─────────────
/** Σ coefficient·√radicand; radicand 1 holds the rational part. Zero terms are never stored. */
export type Surd = Map<bigint, Rat>;

export const surdOf = (q: Rat): Surd => (q.n === 0n ? new Map() : new Map([[1n, q]]));

export function sadd(a: Surd, b: Surd): Surd {
  const out = new Map(a);
  for (const [r, c] of b) {
    const s = out.has(r) ? radd(out.get(r)!, c) : c;
    if (s.n === 0n) out.delete(r);
    else out.set(r, s);
  }
  return out;
}
export const sneg = (a: Surd): Surd => new Map([...a].map(([r, c]) => [r, rneg(c)]));

export function smul(a: Surd, b: Surd): Surd {
  let out: Surd = new Map();
  for (const [r1, c1] of a) {
    for (const [r2, c2] of b) {
      const g = gcd(r1, r2);
      out = sadd(out, new Map([[(r1 / g) * (r2 / g), rmul(rmul(c1, c2), rat(g))]]));
    }
  }
  if (out.size > MAX_TERMS) throw new TooBig();
  return out;
}

/** The rational value when there are no radicals. */
export function asRational(a: Surd): Rat | null {
  if (a.size === 0) return rat(0n);
  if (a.size === 1 && a.has(1n)) return a.get(1n)!;
  return null;
}

/** 1/x for one term (c√r → √r/(c·r)) and two terms (t₁ + t₂ → (t₁ − t₂)/(t₁² − t₂²)); else null. */
export function sinv(a: Surd): Surd | null {
  if (a.size === 0) throw new RangeError('division by zero');
  if (a.size === 1) {
    const [[r, c]] = [...a];
    return new Map([[r!, rinv(rmul(c!, rat(r!)))]]);
  }
  if (a.size === 2) {
    const [t1, t2] = [...a].map(([r, c]) => new Map([[r, c]]) as Surd);
    const den = asRational(sadd(smul(t1!, t1!), sneg(smul(t2!, t2!))));
    if (!den || den.n === 0n) return null;
    return smul(sadd(t1!, sneg(t2!)), surdOf(rinv(den)));
  }
  return null;
}

/** √x for a rational x ≥ 0, and for a + b√c when it denests (√(3 + 2√2) = 1 + √2); else null. */
export function ssqrt(a: Surd): Surd | null {
  const q = asRational(a);
  if (q) {
    if (q.n < 0n) return null;
    if (q.n === 0n) return new Map();
    const sf = squareFree(q.n * q.d); // √(n/d) = √(n·d)/d
    if (!sf) return null;
    return new Map([[sf.r, rat(sf.s, q.d)]]);
  }
  if (a.size === 2 && a.has(1n)) {
    // √(a + b√c) = √x + √y with x + y = a, 4xy = b²c, when a² − b²c is a rational square.
    const A = a.get(1n)!;
    const [[c, B]] = [...a].filter(([r]) => r !== 1n);
    const disc = radd(rmul(A, A), rneg(rmul(rmul(B!, B!), rat(c!))));
    const root = ssqrt(surdOf(disc));
    const dr = root && asRational(root);
    if (!dr) return null;
    const half = rat(1n, 2n);
    const x = rmul(radd(A, dr), half);
    const y = rmul(radd(A, rneg(dr)), half);
    if (x.n < 0n || y.n < 0n) return null;
    const sx = ssqrt(surdOf(x));
    const sy = ssqrt(surdOf(y));
    if (!sx || !sy) return null;
    return sadd(sx, B!.n > 0n ? sy : sneg(sy));
  }
  return null;
}

function spowInt(a: Surd, e: bigint, deadline: Deadline): Surd | null {
  if (e < 0n) {
    const inv = sinv(a);
    return inv && spowInt(inv, -e, deadline);
  }
  const q = asRational(a);
  if (q && q.d === 1n && (q.n === 0n || q.n === 1n || q.n === -1n)) {
    if (q.n === 0n && e === 0n) throw new RangeError('0^0');
    return surdOf(rat(q.n === -1n && (e & 1n) === 0n ? 1n : e === 0n ? 1n : q.n));
  }
  if (q) {
    // Guard the size before computing: |n|^e has about e·bits(n) bits.
    if (e > 1n && (bits(q.n) + bits(q.d)) * Number(e) > MAX_BITS * 2) throw new TooBig();
    return surdOf(rat(q.n ** e, q.d ** e));
  }
  if (e > 4096n) throw new TooBig();
  let result: Surd = surdOf(rat(1n));
  let base = a;
  for (let k = e; k > 0n; k >>= 1n) {
    deadline.check('exact power');
    if (k & 1n) result = smul(result, base);
    if (k > 1n) base = smul(base, base);
  }
  return result;
}

/** q-th root of a rational that is a perfect q-th power (8^(1/3) = 2); else null. */
function rootRational(q: Rat, k: number): Rat | null {
  if (k === 1) return q;
  if (q.n < 0n && k % 2 === 0) return null;
  const root = (x: bigint): bigint | null => {
    const neg = x < 0n;
    const ax = abs(x);
    let r = BigInt(Math.round(Number(ax) ** (1 / k)));
    for (const cand of [r - 1n, r, r + 1n]) if (cand >= 0n && cand ** BigInt(k) === ax) { r = cand; return neg ? -r : r; }
    return null;
  };
  if (bits(q.n) > 1000 || bits(q.d) > 1000) return null;
  const n = root(q.n);
  const d = root(q.d);
  return n !== null && d !== null ? rat(n, d) : null;
}

// ───────────── evaluation ─────────────
/** The exact value of a tree, or null when it is not a rational/quadratic-surd constant (or too big). */
export function exactValue(node: MathNode, deadline: Deadline): Surd | null {
  try {
    return ev(node, deadline);
  } catch (e) {
    if (e instanceof TooBig || e instanceof RangeError) return null;
    throw e;
  }
}

function integerOf(a: Surd | null): bigint | null {
  const q = a && asRational(a);
  return q && q.d === 1n ? q.n : null;
}

function ev(node: MathNode, dl: Deadline): Surd | null {
  dl.check('exact arithmetic');
  if (isConst(node)) return surdOf(ratFromDecimal(literalText(node)));
  if (isSym(node) || isArr(node)) return null;
  if (isOp(node)) {
    const args = node.args.map((a) => ev(a, dl));
    if (args.some((a) => a === null)) return null;
    const [a, b] = args as Surd[];
    switch (node.fn) {
      case 'add': return sadd(a!, b!);
      case 'subtract': return sadd(a!, sneg(b!));
      case 'multiply': return smul(a!, b!);
      case 'divide': { const inv = sinv(b!); return inv && smul(a!, inv); }
      case 'unaryMinus': return sneg(a!);
      case 'unaryPlus': return a!;
      case 'pow': {
        const e = asRational(b!);
        if (!e) return null;
        if (e.d === 1n) return spowInt(a!, e.n, dl);
        if (e.d === 2n) { const r = ssqrt(a!); return r && spowInt(r, e.n, dl); }
        const q = asRational(a!);
        const root = q && e.d <= 64n ? rootRational(q, Number(e.d)) : null;
        return root && spowInt(surdOf(root), e.n, dl);
      }
      case 'factorial': {
        const n = integerOf(a!);
        if (n === null || n < 0n || n > BigInt(MAX_FACTORIAL)) return null;
        let f = 1n;
        for (let k = 2n; k <= n; k++) { f *= k; if ((k & 63n) === 0n) dl.check('exact factorial'); }
        return surdOf(rat(f));
      }
      default: return null;
    }
  }
  if (isFn(node)) {
    const name = node.fn.name;
    const args = node.args.map((a) => ev(a, dl));
    if (args.some((a) => a === null)) return null;
    const [a, b] = args as Surd[];
    switch (name) {
      case 'sqrt': return ssqrt(a!);
      case 'nthRoot': {
        const k = integerOf(b!);
        if (k === 2n) return ssqrt(a!);
        const q = asRational(a!);
        const r = q && k !== null && k > 0n && k <= 64n ? rootRational(q, Number(k)) : null;
        return r && surdOf(r);
      }
      case 'combinations': {
        const n = integerOf(a!);
        const k = integerOf(b!);
        if (n === null || k === null || n < 0n || k < 0n || n > BigInt(MAX_FACTORIAL)) return null;
        if (k > n) return surdOf(rat(0n));
        let c = 1n;
        for (let j = 1n; j <= k; j++) c = (c * (n - k + j)) / j;
        return surdOf(rat(c));
      }
      case 'abs': {
        const q = asRational(a!);
        if (q) return surdOf(rat(abs(q.n), q.d));
        const s = surdSign(a!);
        return s === 0 ? null : s > 0 ? a! : sneg(a!);
      }
      case 'floor':
      case 'ceil': {
        const q = asRational(a!);
        if (!q) return null;
        let f = q.n / q.d;
        if (q.n < 0n && f * q.d !== q.n) f -= 1n; // BigInt division truncates toward zero
        if (name === 'ceil' && f * q.d !== q.n) f += 1n;
        return surdOf(rat(f));
      }
      case 'gcd':
      case 'lcm': {
        const xs = args.map(integerOf);
        if (xs.some((x) => x === null)) return null;
        let acc = xs[0]!;
        for (const x of xs.slice(1)) acc = name === 'gcd' ? gcd(acc, x!) : abs(acc * x!) / gcd(acc, x!);
        return surdOf(rat(abs(acc)));
      }
      default: return null;
    }
  }
  return null;
}

/** Sign of a surd from a float estimate; 0 when too close to call. */
function surdSign(a: Surd): number {
  let v = 0;
  for (const [r, c] of a) v += (Number(c.n) / Number(c.d)) * Math.sqrt(Number(r));
  return Math.abs(v) < 1e-9 ? 0 : Math.sign(v);
}

export function surdEqual(a: Surd, b: Surd): boolean {
  return sadd(a, sneg(b)).size === 0;
}

/** Canonical text: rational part first, then radicals by radicand: "1/2+1/2*sqrt(17)". */
export function surdKey(a: Surd): string {
  if (a.size === 0) return '0';
  const terms = [...a].sort(([r1], [r2]) => (r1 < r2 ? -1 : r1 > r2 ? 1 : 0));
  return terms
    .map(([r, c], i) => {
      const coef = r === 1n ? ratString(c) : c.n === 1n && c.d === 1n ? '' : c.n === -1n && c.d === 1n ? '-' : `${ratString(c)}*`;
      const body = r === 1n ? coef : `${coef}sqrt(${r})`;
      return i > 0 && !body.startsWith('-') ? `+${body}` : body;
    })
    .join('');
}

/** A float estimate (for sorting and for keys of mixed lists). */
export function surdToNumber(a: Surd): number {
  let v = 0;
  for (const [r, c] of a) v += (Number(c.n) / Number(c.d)) * Math.sqrt(Number(r));
  return v;
}

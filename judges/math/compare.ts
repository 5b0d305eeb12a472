/**
 * Equality of two parsed answers (gold first: the rules are deliberately asymmetric, as in
 * Math-Verify — a gold `x = 3` accepts a bare `3`, a bare gold 3 accepts `x = 3`, but a gold equation
 * `2x + z = 1` does not accept `1`). Structure is matched here; scalars go to scalar.ts.
 */
import { KNOWN_FUNCTIONS, assignmentValue, canonicalAnswer, expr, isLabelNode, normalizeText, relationValue, type Ans, type RelOp } from './answer.js';
import { isFn, isSym, operator, symbol, type MathNode } from './mathjs.js';
import { decClose, isFiniteReal, samplePoints, type Scope } from './numeric.js';
import { cachedFree, scalarEqual, valueAt, type CompareContext, type Decider, type Verdict } from './scalar.js';

export type { CompareContext, Verdict } from './scalar.js';

const no = (by: Decider, note: string): Verdict => ({ equal: false, by, note });
const STRENGTH: Decider[] = ['numeric', 'symbolic', 'text', 'exact', 'structural', 'shape'];

/** All verdicts equal → equal, decided by the weakest evidence used; else the first failing verdict. */
function combine(vs: Verdict[]): Verdict {
  const failed = vs.find((v) => !v.equal);
  if (failed) return failed;
  const by = vs.reduce<Decider>((w, v) => (STRENGTH.indexOf(v.by) < STRENGTH.indexOf(w) ? v.by : w), 'structural');
  return { equal: true, by };
}

export function answersEqual(gold: Ans, pred: Ans, ctx: CompareContext): Verdict {
  ctx.dl.check('comparison');
  if (canonicalAnswer(gold) === canonicalAnswer(pred)) return { equal: true, by: 'structural' };
  return compare(gold, pred, ctx);
}

function compare(g: Ans, p: Ans, ctx: CompareContext): Verdict {
  if (g.k === 'relation') {
    const gv = assignmentValue(g) ?? membershipSet(g);
    if (gv) return answersEqual(gv, predValue(p) ?? p, ctx);
    return compareRelation(g, p, ctx);
  }
  if (p.k === 'relation') {
    const pv = predValue(p);
    return pv ? answersEqual(g, pv, ctx) : no('shape', 'the prediction is a relation, the gold answer a value');
  }
  switch (g.k) {
    case 'expr': {
      if (p.k === 'expr') return scalarEqual(g.node, p.node, ctx);
      const one = singleItem(p);
      if (one) return answersEqual(g, one, ctx);
      if (p.k === 'ratio' && p.parts.length === 2) return scalarEqual(g.node, operator('/', 'divide', p.parts), ctx);
      return no('shape', `a single value against a ${p.k}`);
    }
    case 'list':
    case 'set': {
      if (p.k === 'empty') return { equal: g.items.length === 0, by: 'shape' };
      if (g.k === 'set' && p.k === 'tuple') return no('shape', 'a set against an ordered tuple');
      const items = collectionItems(p);
      if (!items) return g.items.length === 1 ? answersEqual(g.items[0]!, p, ctx) : no('shape', `a list of ${g.items.length} against a single value`);
      return multisetEqual(g.items, items, ctx);
    }
    case 'tuple': {
      if (p.k === 'tuple' || (p.k === 'list' && p.origin !== 'pm')) return orderedEqual(g.items, p.items, ctx);
      if (p.k === 'record') return orderedEqual(g.items, p.entries.map((e) => e.value), ctx);
      if (p.k === 'interval' && g.items.length === 2 && !p.loClosed && !p.hiClosed) return orderedEqual(g.items, [expr(p.lo), expr(p.hi)], ctx);
      return no('shape', `an ordered tuple against a ${p.k}`);
    }
    case 'interval': {
      if (p.k === 'interval') {
        if (g.loClosed !== p.loClosed || g.hiClosed !== p.hiClosed) return no('shape', 'open and closed ends differ');
        return combine([scalarEqual(g.lo, p.lo, ctx), scalarEqual(g.hi, p.hi, ctx)]);
      }
      if (p.k === 'tuple' && p.items.length === 2 && !g.loClosed && !g.hiClosed) return orderedEqual([expr(g.lo), expr(g.hi)], p.items, ctx);
      if (p.k === 'union' && p.parts.length === 1) return answersEqual(g, p.parts[0]!, ctx);
      return no('shape', `an interval against a ${p.k}`);
    }
    case 'union':
      return unionEqual(g, p, ctx);
    case 'record': {
      if (p.k === 'record' && sameLabels(g, p)) {
        return combine(g.entries.map((e) => answersEqual(e.value, p.entries.find((x) => x.label === e.label)!.value, ctx)));
      }
      const values = p.k === 'record' ? p.entries.map((e) => e.value) : p.k === 'tuple' || p.k === 'list' ? p.items : null;
      if (!values) return no('shape', `named values against a ${p.k}`);
      const gv = g.entries.map((e) => e.value);
      // x₁ = …, x₂ = … names roots, not positions: compare as a multiset. Other names (AB, CD) keep order.
      return indexedLabels(g) ? multisetEqual(gv, values, ctx) : orderedEqual(gv, values, ctx);
    }
    case 'ratio': {
      if (p.k !== 'ratio' || p.parts.length !== g.parts.length) {
        return p.k === 'expr' && g.parts.length === 2 ? scalarEqual(operator('/', 'divide', g.parts), p.node, ctx) : no('shape', `a ratio against a ${p.k}`);
      }
      const direct = combine(g.parts.map((x, i) => scalarEqual(x, p.parts[i]!, ctx)));
      if (direct.equal || g.parts.length !== 2) return direct;
      // 7:32 = 14:64 — proportional, unless a part is zero (12:00 is not 1:00).
      const zero = [...g.parts, ...p.parts].some((x) => constValue(x, ctx) === 0);
      if (zero) return direct;
      return scalarEqual(operator('*', 'multiply', [g.parts[0]!, p.parts[1]!]), operator('*', 'multiply', [g.parts[1]!, p.parts[0]!]), ctx);
    }
    case 'text': {
      const pt = p.k === 'text' ? p.text : ctx.predRaw;
      return { equal: normalizeText(g.text) === normalizeText(pt) && normalizeText(pt) !== '', by: 'text' };
    }
    case 'empty':
      return { equal: p.k === 'empty' || ((p.k === 'set' || p.k === 'list') && p.items.length === 0), by: 'shape' };
  }
}

function singleItem(p: Ans): Ans | null {
  if ((p.k === 'list' || p.k === 'set' || p.k === 'tuple') && p.items.length === 1) return p.items[0]!;
  return null;
}

function collectionItems(p: Ans): Ans[] | null {
  if (p.k === 'list' || p.k === 'set' || p.k === 'tuple') return p.items;
  if (p.k === 'record') return p.entries.map((e) => e.value);
  return null;
}

function sameLabels(g: Ans & { k: 'record' }, p: Ans & { k: 'record' }): boolean {
  return g.entries.length === p.entries.length && g.entries.every((e) => p.entries.some((x) => x.label === e.label));
}

function indexedLabels(g: Ans & { k: 'record' }): boolean {
  const bases = g.entries.map((e) => /^([A-Za-z]+)_\w+$/.exec(e.label)?.[1]);
  return bases.every((b) => b !== undefined && b === bases[0]);
}

function orderedEqual(a: Ans[], b: Ans[], ctx: CompareContext): Verdict {
  if (a.length !== b.length) return no('shape', `${a.length} values against ${b.length}`);
  return combine(a.map((x, i) => answersEqual(x, b[i]!, ctx)));
}

/** Unordered comparison; a value repeated on one side counts once (a solution listed twice is one solution). */
function multisetEqual(a: Ans[], b: Ans[], ctx: CompareContext): Verdict {
  const ua = dedupe(a);
  const ub = dedupe(b);
  if (ua.length !== ub.length) return no('shape', `${ua.length} values against ${ub.length}`);
  const used = new Array<boolean>(ub.length).fill(false);
  const found: Verdict[] = [];
  for (const x of ua) {
    let hit: Verdict | null = null;
    for (let j = 0; j < ub.length && !hit; j++) {
      if (used[j]) continue;
      const v = answersEqual(x, ub[j]!, ctx);
      if (v.equal) { used[j] = true; hit = v; }
    }
    if (!hit) return no('shape', `no match for ${canonicalAnswer(x)}`);
    found.push(hit);
  }
  return combine(found);
}

function dedupe(items: Ans[]): Ans[] {
  const seen = new Set<string>();
  return items.filter((x) => {
    const k = canonicalAnswer(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ───────────── relations ─────────────
/** What a predicted relation states as a value: `x = 3` → 3, `a+b = 101` → 101, `x ∈ S` → S, `1 < x < 2` → (1, 2). */
function predValue(p: Ans): Ans | null {
  if (p.k !== 'relation') return p;
  const assigned = assignmentValue(p);
  if (assigned) return assigned;
  if (p.ops.every((o) => o === '=' || o === '≈')) return relationValue(p);
  return membershipSet(p) ?? asInterval(p);
}

function membershipSet(r: Ans & { k: 'relation' }): Ans | null {
  return r.ops.length === 1 && r.ops[0] === 'in' ? r.sides[1]! : null;
}

const isPlainLabel = (n: MathNode): boolean => isSym(n) || (isFn(n) && !KNOWN_FUNCTIONS.has(n.fn.name) && isLabelNode(n));
const constantNode = (n: MathNode): boolean => cachedFree(n).length === 0;
const INF = symbol('Infinity');
const NEG_INF = operator('-', 'unaryMinus', [INF]);

/** `a < x ≤ b`, `x > 5`, `5 ≥ x` as intervals (the variable alone on one side, constants elsewhere). */
function asInterval(r: Ans & { k: 'relation' }): (Ans & { k: 'interval' }) | null {
  const sides = r.sides.map((s) => (s.k === 'expr' ? s.node : null));
  if (sides.some((s) => s === null)) return null;
  const [a, b, c] = sides as MathNode[];
  const up = (o: RelOp): boolean => o === '<' || o === '<=';
  const down = (o: RelOp): boolean => o === '>' || o === '>=';
  const closed = (o: RelOp): boolean => o === '<=' || o === '>=';
  if (r.ops.length === 2 && isPlainLabel(b!) && constantNode(a!) && constantNode(c!)) {
    const [o1, o2] = r.ops as [RelOp, RelOp];
    if (up(o1) && up(o2)) return { k: 'interval', lo: a!, hi: c!, loClosed: closed(o1), hiClosed: closed(o2) };
    if (down(o1) && down(o2)) return { k: 'interval', lo: c!, hi: a!, loClosed: closed(o2), hiClosed: closed(o1) };
    return null;
  }
  if (r.ops.length === 1) {
    const o = r.ops[0]!;
    if (!up(o) && !down(o)) return null;
    const [v, k, varFirst] = isPlainLabel(a!) && constantNode(b!) ? [a, b, true] : isPlainLabel(b!) && constantNode(a!) ? [b, a, false] : [null, null, false];
    if (!v || !k) return null;
    const lessThan = varFirst ? up(o) : down(o); // x < k  or  k > x
    return lessThan
      ? { k: 'interval', lo: NEG_INF, hi: k, loClosed: false, hiClosed: closed(o) }
      : { k: 'interval', lo: k, hi: INF, loClosed: closed(o), hiClosed: false };
  }
  return null;
}

type Form = { kind: 'eq' | 'ne' | 'lt' | 'le'; f: MathNode };
/** One relation as f ⋈ 0: `a < b` → b − a > 0, `a = b` → a − b = 0. */
function relationForm(r: Ans & { k: 'relation' }): Form | null {
  if (r.ops.length !== 1 || r.sides.some((s) => s.k !== 'expr')) return null;
  const [l, rt] = r.sides.map((s) => (s as Ans & { k: 'expr' }).node) as [MathNode, MathNode];
  const minus = (x: MathNode, y: MathNode): MathNode => operator('-', 'subtract', [x, y]);
  switch (r.ops[0]) {
    case '=': case '≈': return { kind: 'eq', f: minus(l, rt) };
    case '!=': return { kind: 'ne', f: minus(l, rt) };
    case '<': return { kind: 'lt', f: minus(rt, l) };
    case '<=': return { kind: 'le', f: minus(rt, l) };
    case '>': return { kind: 'lt', f: minus(l, rt) };
    case '>=': return { kind: 'le', f: minus(l, rt) };
    default: return null;
  }
}

/** f/g is one constant at every sample point (positive for inequalities): the same relation rescaled. */
function proportional(f: MathNode, g: MathNode, positive: boolean, ctx: CompareContext): Verdict {
  const vars = [...new Set([...cachedFree(f), ...cachedFree(g)])].sort();
  if (!vars.length) return no('numeric', 'relations between constants');
  let ratio: number | null = null;
  let valid = 0;
  for (const p of samplePoints(vars)) {
    const a = valueAt(f, p, ctx.dl);
    const b = valueAt(g, p, ctx.dl);
    if (!a || !b || !isFiniteReal(a) || !isFiniteReal(b)) continue;
    const za = a.v.abs().lt('1e-20');
    const zb = b.v.abs().lt('1e-20');
    if (za && zb) continue;
    if (za !== zb) return no('numeric', 'the relations hold at different points');
    const r = a.v.div(b.v).toNumber();
    if (ratio === null) ratio = r;
    else if (Math.abs(r - ratio) > 1e-9 * Math.max(1, Math.abs(ratio))) return no('numeric', 'not the same relation');
    valid++;
  }
  if (valid < 3 || ratio === null) return { equal: false, by: 'numeric', undecided: true, note: 'too few sample points' };
  if (positive && ratio <= 0) return no('numeric', 'the inequality points the other way');
  return { equal: true, by: 'numeric' };
}

function compareRelation(g: Ans & { k: 'relation' }, p: Ans, ctx: CompareContext): Verdict {
  if (p.k === 'relation') {
    const fg = relationForm(g);
    const fp = relationForm(p);
    if (fg && fp) {
      if (fg.kind !== fp.kind) return no('shape', 'different kinds of relation');
      return proportional(fg.f, fp.f, fg.kind === 'lt' || fg.kind === 'le', ctx);
    }
    const pv = predValue(p);
    if (pv && pv.k !== 'relation') return compareRelation(g, pv, ctx);
    if (g.sides.length === p.sides.length && g.ops.every((o, i) => o === p.ops[i])) {
      return combine(g.sides.map((s, i) => answersEqual(s, p.sides[i]!, ctx)));
    }
    return viaMembership(g, p, ctx);
  }
  if (p.k === 'interval' || p.k === 'union' || p.k === 'set' || p.k === 'tuple' || p.k === 'empty') {
    const gi = asInterval(g);
    if (gi) return answersEqual(gi, p, ctx);
    return viaMembership(g, p, ctx);
  }
  return no('shape', `a relation against a ${p.k}`);
}

// ───────────── sets of real numbers, by membership ─────────────
type Member = (x: number) => boolean | null;

function relationMember(r: Ans & { k: 'relation' }, v: string, ctx: CompareContext): Member | null {
  if (r.sides.some((s) => s.k !== 'expr')) return null;
  const nodes = r.sides.map((s) => (s as Ans & { k: 'expr' }).node);
  return (x) => {
    const vals = nodes.map((n) => valueAt(n, { [v]: x } as Scope, ctx.dl));
    if (vals.some((val) => !val || !isFiniteReal(val))) return null;
    const ds = vals.map((val) => (val as { v: import('./mathjs.js').Dec }).v);
    return r.ops.every((o, i) => {
      const [a, b] = [ds[i]!, ds[i + 1]!];
      const eq = decClose(a, b, 1e-12);
      switch (o) {
        case '<': return a.lt(b) && !eq;
        case '<=': return a.lt(b) || eq;
        case '>': return a.gt(b) && !eq;
        case '>=': return a.gt(b) || eq;
        case '=': return eq;
        case '!=': return !eq;
        default: return false;
      }
    });
  };
}

function constValue(n: MathNode, ctx: CompareContext): number | null {
  const v = valueAt(n, {}, ctx.dl);
  if (v && v.mode === 'real' && !Array.isArray(v.v)) return v.v.toNumber();
  return null;
}

function setMember(s: Ans, ctx: CompareContext, ends: number[]): Member | null {
  if (s.k === 'interval' || (s.k === 'tuple' && s.items.length === 2 && s.items.every((x) => x.k === 'expr'))) {
    const iv = s.k === 'interval' ? s : { lo: (s.items[0] as { node: MathNode }).node, hi: (s.items[1] as { node: MathNode }).node, loClosed: false, hiClosed: false };
    const lo = constValue(iv.lo, ctx);
    const hi = constValue(iv.hi, ctx);
    if (lo === null || hi === null) return null;
    ends.push(lo, hi);
    return (x) => (iv.loClosed ? x >= lo : x > lo) && (iv.hiClosed ? x <= hi : x < hi);
  }
  if (s.k === 'union') {
    const parts = s.parts.map((p) => setMember(p, ctx, ends));
    if (parts.some((p) => !p)) return null;
    return (x) => parts.some((p) => p!(x));
  }
  if (s.k === 'set' || s.k === 'list' || s.k === 'expr') {
    const items = s.k === 'expr' ? [s] : s.items;
    const vals = items.map((it) => (it.k === 'expr' ? constValue(it.node, ctx) : null));
    if (vals.some((v) => v === null)) return null;
    ends.push(...(vals as number[]));
    return (x) => (vals as number[]).some((v) => Math.abs(v - x) <= 1e-12 * Math.max(1, Math.abs(v)));
  }
  if (s.k === 'empty') return () => false;
  return null;
}

/** A relation in one variable against a set (or another relation): the same members at every probe. */
function viaMembership(g: Ans & { k: 'relation' }, p: Ans, ctx: CompareContext): Verdict {
  const vars = [...new Set(g.sides.flatMap((s) => (s.k === 'expr' ? cachedFree(s.node) : ['?'])))];
  if (vars.length !== 1) return no('shape', 'a relation in several variables against a set');
  const v = vars[0]!;
  const inG = relationMember(g, v, ctx);
  const ends: number[] = [];
  for (const s of g.sides) if (s.k === 'expr' && constantNode(s.node)) { const c = constValue(s.node, ctx); if (c !== null) ends.push(c, -c); }
  const inP = p.k === 'relation' ? relationMember(p, v, ctx) : setMember(p, ctx, ends);
  if (!inG || !inP) return no('shape', 'cannot compare these sets');
  const probes = new Set<number>();
  for (const e of ends) if (Number.isFinite(e)) for (const d of [0, 1e-7, -1e-7]) probes.add(e + d * Math.max(1, Math.abs(e)));
  for (const pt of samplePoints([v], 24)) probes.add(pt[v]! * 3);
  let tested = 0;
  for (const x of probes) {
    ctx.dl.check('membership');
    const a = inG(x);
    const b = inP(x);
    if (a === null || b === null) continue;
    if (a !== b) return no('numeric', `they differ at ${v} = ${x}`);
    tested++;
  }
  return tested >= 5 ? { equal: true, by: 'numeric' } : { equal: false, by: 'numeric', undecided: true, note: 'too few probes' };
}

// ───────────── unions ─────────────
function unionEqual(g: Ans & { k: 'union' }, p: Ans, ctx: CompareContext): Verdict {
  const gp = pieces(g);
  const pp = pieces(p.k === 'union' ? p : { k: 'union', parts: [p] });
  if (!gp || !pp) return no('shape', 'not comparable as sets');
  if (gp.intervals.length !== pp.intervals.length) return no('shape', 'different numbers of intervals');
  const byStart = (xs: Array<Ans & { k: 'interval' }>): Array<Ans & { k: 'interval' }> =>
    [...xs].sort((x, y) => (constValue(x.lo, ctx) ?? 0) - (constValue(y.lo, ctx) ?? 0));
  const gi = byStart(gp.intervals);
  const pi = byStart(pp.intervals);
  const vs = gi.map((x, i) => answersEqual(x, pi[i]!, ctx));
  if (gp.points.length || pp.points.length) vs.push(multisetEqual(gp.points, pp.points, ctx));
  return combine(vs);
}

function pieces(u: Ans & { k: 'union' }): { intervals: Array<Ans & { k: 'interval' }>; points: Ans[] } | null {
  const intervals: Array<Ans & { k: 'interval' }> = [];
  const points: Ans[] = [];
  for (const part of u.parts) {
    if (part.k === 'interval') intervals.push(part);
    else if (part.k === 'tuple' && part.items.length === 2 && part.items.every((x) => x.k === 'expr')) {
      intervals.push({ k: 'interval', lo: (part.items[0] as { node: MathNode }).node, hi: (part.items[1] as { node: MathNode }).node, loClosed: false, hiClosed: false });
    } else if (part.k === 'set' || part.k === 'list') points.push(...part.items);
    else if (part.k === 'expr') points.push(part);
    else if (part.k === 'union') { const q = pieces(part); if (!q) return null; intervals.push(...q.intervals); points.push(...q.points); }
    else if (part.k !== 'empty') return null;
  }
  return { intervals, points };
}


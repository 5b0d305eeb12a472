/**
 * Vote keys for maj@k: equivalent answers get equal keys. Exact values use their canonical surd form
 * ("1/2", "-1/2+1/2*sqrt(17)"), other constants their value to 12 digits, expressions with variables
 * their values at three fixed points; collections sort their members' keys.
 */
import { assignmentValue, canonicalAnswer, normalizeText, relationValue, type Ans } from './answer.js';
import type { Deadline } from './deadline.js';
import { surdKey } from './exact.js';
import type { MathNode } from './mathjs.js';
import { samplePoints } from './numeric.js';
import { cachedExact, cachedFree, valueAt } from './scalar.js';

const MAX_KEY = 400;

function numberKey(node: MathNode, dl: Deadline): string {
  const exact = cachedExact(node, dl);
  if (exact) return surdKey(exact);
  const vars = cachedFree(node);
  const points = vars.length ? samplePoints(vars, 3) : [{}];
  const parts: string[] = [];
  for (const p of points) {
    let v;
    try { v = valueAt(node, p, dl); } catch { v = null; }
    if (!v) return `expr:${canonicalAnswer({ k: 'expr', node })}`;
    if (v.mode === 'real') {
      if (Array.isArray(v.v)) parts.push(`[${v.v.map((r) => r.map((x) => x.toSignificantDigits(12).toString()).join(',')).join(';')}]`);
      else parts.push(v.v.toSignificantDigits(12).toString());
    } else {
      const c = typeof v.v === 'number' ? { re: v.v, im: 0 } : v.v;
      parts.push(`${c.re.toPrecision(10)}${c.im >= 0 ? '+' : ''}${c.im.toPrecision(10)}i`);
    }
  }
  return (vars.length ? `f(${vars.join(',')}):` : '≈') + parts.join('|');
}

export function answerKey(a: Ans, dl: Deadline): string {
  const key = keyOf(a, dl);
  return key.length > MAX_KEY ? `${key.slice(0, MAX_KEY)}…` : key;
}

function keyOf(a: Ans, dl: Deadline): string {
  switch (a.k) {
    case 'expr': return numberKey(a.node, dl);
    case 'list':
    case 'set': return `{${[...new Set(a.items.map((x) => keyOf(x, dl)))].sort().join(',')}}`;
    case 'tuple': return `(${a.items.map((x) => keyOf(x, dl)).join(',')})`;
    case 'interval': return `${a.loClosed ? '[' : '('}${numberKey(a.lo, dl)},${numberKey(a.hi, dl)}${a.hiClosed ? ']' : ')'}`;
    case 'union': return a.parts.map((x) => keyOf(x, dl)).sort().join('∪');
    case 'relation': {
      const v = assignmentValue(a) ?? (a.ops.every((o) => o === '=') ? relationValue(a) : null);
      return v ? keyOf(v, dl) : canonicalAnswer(a);
    }
    case 'record': return `{${a.entries.map((e) => `${e.label}=${keyOf(e.value, dl)}`).sort().join(',')}}`;
    case 'ratio': return a.parts.map((x) => numberKey(x, dl)).join(':');
    case 'text': return `text:${normalizeText(a.text)}`;
    case 'empty': return '∅';
  }
}

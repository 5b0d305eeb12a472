/**
 * Lists, relations and arithmetic: everything above a primary in the answer grammar (see parser.ts).
 * Subclasses supply the primaries.
 */
import { assignmentValue, canonicalAnswer, expandPm, expr, freeVariables, hasPm, type Ans, type RelOp } from '../answer.js';
import { operator, type MathNode } from '../mathjs.js';
import type { Tok } from './lexer.js';
import { TokenStream, describe } from './stream.js';
import { FUNCTION_COMMANDS, GREEK, LIST_FUNCTIONS, PLAIN_CONSTANTS, PLAIN_FUNCTIONS, UNIT_WORDS, isSeparatorText } from './vocabulary.js';

/** Sums and products longer than this are built as balanced trees (depth log n, not n). */
export const LONG_CHAIN = 32;
const RELOPS: Record<string, RelOp> = { '=': '=', '<': '<', '>': '>', '<=': '<=', '>=': '>=', '!=': '!=', '≈': '≈' };
export const DECORATIONS = new Set(['overline', 'bar', 'hat', 'vec', 'tilde', 'widehat', 'overrightarrow', 'dot']);
/** Commands that start a factor, so that `2\\sqrt{3}` and `x\\pi` multiply implicitly. */
const FACTOR_CMDS = new Set(['frac', 'sqrt', 'binom', 'pi', 'infty', 'boxed', 'lfloor', 'lceil', 'sum', 'prod',
  ...Object.keys(FUNCTION_COMMANDS), ...Object.keys(LIST_FUNCTIONS), ...GREEK, ...DECORATIONS, 'angle', 'triangle']);

export abstract class Expressions extends TokenStream {
  protected abstract parsePrimary(): Ans;
  protected abstract parseBraced(): Ans;
  protected abstract takeLetter(): MathNode;
  protected abstract numberNode(t: Tok & { t: 'num' }): MathNode;

  parseTop(): Ans {
    while (this.isOp('=') || this.isOp(':')) this.next();
    const a = this.parseList(() => false);
    if (this.peek().t !== 'eof') this.fail(`unexpected ${describe(this.peek())}`);
    return a;
  }

  protected separatorKind(t: Tok): 'inner' | 'outer' | null {
    if (t.t === 'op' && t.v === ',') return 'inner';
    if (t.t === 'op' && (t.v === ';' || t.v === '\\\\')) return 'outer';
    if (t.t === 'word' && !t.font && /^(and|or)$/i.test(t.v)) return 'outer';
    if (t.t === 'text' && isSeparatorText(t.v)) return 'outer';
    if (t.t === 'cmd' && (t.v === 'quad' || t.v === 'and' || t.v === 'or')) return 'outer';
    return null;
  }

  protected parseList(stop: (t: Tok) => boolean): Ans {
    this.enter();
    const groups: Ans[][] = [[]];
    let outer = false;
    for (;;) {
      const t = this.peek();
      if (t.t === 'eof' || stop(t)) break;
      const kind = this.separatorKind(t);
      if (kind) {
        this.next();
        if (kind === 'outer') { outer = true; if (groups[groups.length - 1]!.length) groups.push([]); }
        continue;
      }
      if (t.t === 'op' && t.v === '.' && (this.peek(1).t === 'eof' || stop(this.peek(1)))) { this.next(); continue; }
      if (t.t === 'text' && groups[groups.length - 1]!.length === 0 && t.v.trim() === '') { this.next(); continue; }
      groups[groups.length - 1]!.push(this.parseItem());
      const after = this.peek();
      if (after.t !== 'eof' && !stop(after) && !this.separatorKind(after) && !(after.t === 'op' && after.v === '.')) {
        this.fail(`unexpected ${describe(after)}`, after);
      }
    }
    this.leave();
    const top: Ans[] = [];
    for (const g of groups) {
      if (outer && g.length >= 2) {
        const r = assemble(g);
        if (r.k === 'record') top.push(r);
        else top.push(...flatten([r]));
      } else top.push(...g);
    }
    if (top.length === 0) this.fail('empty answer');
    return assemble(top);
  }

  // ───────────── items: relations, ratios, unions ─────────────
  protected parseItem(): Ans {
    this.enter();
    const sides = [this.parseRatio()];
    const ops: RelOp[] = [];
    for (;;) {
      const t = this.peek();
      let op: RelOp | undefined;
      if (t.t === 'op') op = RELOPS[t.v];
      else if (t.t === 'cmd' && t.v === 'in') op = 'in';
      else if (t.t === 'cmd' && (t.v === 'notin' || t.v === 'to' || t.v === 'implies')) this.fail(`\\${t.v} is not supported in an answer`);
      if (!op) break;
      this.next();
      ops.push(op);
      sides.push(this.parseRatio());
    }
    this.leave();
    return ops.length ? { k: 'relation', sides, ops } : sides[0]!;
  }

  protected parseRatio(): Ans {
    const start = this.peek();
    const parts = [this.parseSetExpr()];
    while (this.isOp(':')) { this.next(); parts.push(this.parseSetExpr()); }
    if (parts.length > 1) return { k: 'ratio', parts: parts.map((p) => this.node(p, start)) };
    const a = parts[0]!;
    if (a.k === 'expr' && hasPm(a.node)) return { k: 'list', origin: 'pm', items: expandPm(a.node).map(expr) };
    return a;
  }

  protected parseSetExpr(): Ans {
    const first = this.parseSum();
    if (!this.isCmd('cup') && !this.isCmd('cap') && !this.isCmd('setminus')) return first;
    const parts = [first];
    while (this.isCmd('cup') || this.isCmd('cap') || this.isCmd('setminus')) {
      if (!this.isCmd('cup')) this.fail(`\\${this.peek().v} is not supported; write the set as a union`);
      this.next();
      parts.push(this.parseSum());
    }
    return { k: 'union', parts };
  }

  // ───────────── arithmetic ─────────────
  protected parseSum(): Ans {
    this.enter();
    const start = this.peek();
    const first = this.parseTerm();
    const terms: MathNode[] = [];
    const ops: Array<[string, string]> = [];
    for (;;) {
      const t = this.peek();
      const op: [string, string] | null = t.t === 'op' && t.v === '+' ? ['+', 'add'] : t.t === 'op' && t.v === '-' ? ['-', 'subtract']
        : t.t === 'cmd' && t.v === 'pm' ? ['±', 'pm'] : t.t === 'cmd' && t.v === 'mp' ? ['∓', 'mp'] : null;
      if (!op) break;
      if (!terms.length) terms.push(this.node(first, start));
      this.next();
      ops.push(op);
      terms.push(this.node(this.parseTerm(), t));
    }
    this.leave();
    if (!terms.length) return first;
    if (terms.length > LONG_CHAIN && ops.every(([, fn]) => fn === 'add' || fn === 'subtract')) {
      // A long flat sum is built as a balanced tree so that no walker recurses thousands of levels.
      return expr(balanced(terms.map((x, i) => (i > 0 && ops[i - 1]![1] === 'subtract' ? operator('-', 'unaryMinus', [x]) : x)), '+', 'add'));
    }
    return expr(terms.reduce((a, b, i) => operator(ops[i - 1]![0], ops[i - 1]![1], [a, b])));
  }

  protected startsImplicitFactor(t: Tok): boolean {
    switch (t.t) {
      case 'num': return true;
      case 'word': return t.font === true || !/^(and|or)$/i.test(t.v);
      case 'begin': return true;
      case 'op': return t.v === '(' || t.v === '{' || (t.v === '|' && this.absDepth === 0);
      case 'cmd': return FACTOR_CMDS.has(t.v);
      default: return false;
    }
  }

  protected parseTerm(): Ans {
    const start = this.peek();
    const first = this.parseUnary();
    const factors: MathNode[] = [];
    const ops: Array<'*' | '/' | ''> = [];
    for (;;) {
      const t = this.peek();
      let op: '*' | '/' | '' | null = null;
      if (t.t === 'op' && (t.v === '*' || t.v === '/')) { this.next(); op = t.v; }
      else if (this.startsImplicitFactor(t)) op = '';
      if (op === null) break;
      if (!factors.length) factors.push(this.node(first, start));
      factors.push(this.node(op === '' ? this.parsePower() : this.parseUnary(), t));
      ops.push(op);
    }
    if (!factors.length) return first;
    if (factors.length > LONG_CHAIN && !ops.includes('/')) return expr(balanced(factors, '*', 'multiply'));
    return expr(factors.reduce((a, b, i) => {
      const op = ops[i - 1]!;
      return op === '/' ? operator('/', 'divide', [a, b]) : operator('*', 'multiply', [a, b], op === '');
    }));
  }

  protected parseUnary(): Ans {
    const t = this.peek();
    const fn = t.t === 'op' && t.v === '-' ? 'unaryMinus' : t.t === 'op' && t.v === '+' ? 'unaryPlus'
      : t.t === 'cmd' && t.v === 'pm' ? 'unaryPm' : t.t === 'cmd' && t.v === 'mp' ? 'unaryMp' : null;
    if (!fn) return this.parsePower();
    this.next();
    this.enter();
    const operand = this.node(this.parseUnary(), t);
    this.leave();
    if (fn === 'unaryPlus') return expr(operand);
    return expr(operator(fn === 'unaryMinus' ? '-' : fn === 'unaryPm' ? '±' : '∓', fn, [operand]));
  }

  protected parsePower(): Ans {
    let base = this.parsePostfix();
    while (this.isOp('^')) {
      const t = this.next();
      if (this.isCmd('circ') || (this.isOp('{') && this.peek(1).t === 'cmd' && this.peek(1).v === 'circ' && this.isOp('}', 2))) {
        this.i += this.isCmd('circ') ? 1 : 3; // degrees: 90^\circ
        base = this.postfix(base);
        continue;
      }
      const exponent = this.parseExponent();
      base = expr(operator('^', 'pow', [this.node(base, t), exponent]));
      base = this.postfix(base);
    }
    return base;
  }

  /** The exponent after ^: a braced group, a signed atom, or one token (the whole number: 2^10 means 2¹⁰). */
  protected parseExponent(): MathNode {
    const t = this.peek();
    let e: MathNode;
    if (t.t === 'op' && t.v === '{') e = this.node(this.parseBraced(), t);
    else if (t.t === 'op' && (t.v === '-' || t.v === '+')) { this.next(); const a = this.parseExponent(); e = t.v === '-' ? operator('-', 'unaryMinus', [a]) : a; return e; }
    else if (t.t === 'num') { this.next(); e = this.numberNode(t); }
    else if (t.t === 'word' && !t.font) { e = this.takeLetter(); }
    else e = this.node(this.parsePrimary(), t);
    if (this.isOp('^')) { this.next(); e = operator('^', 'pow', [e, this.parseExponent()]); }
    return e;
  }

  protected parsePostfix(): Ans {
    return this.postfix(this.parsePrimary());
  }

  /** Factorials, percent and degree signs, and annotations (units, \text{…}) after a value. */
  protected postfix(a: Ans): Ans {
    for (;;) {
      const t = this.peek();
      if (t.t === 'op' && t.v === '!') { this.next(); a = expr(operator('!', 'factorial', [this.node(a, t)])); continue; }
      if ((t.t === 'op' && t.v === '%') || (t.t === 'cmd' && t.v === 'circ')) { this.next(); continue; }
      if (t.t === 'op' && t.v === "'") this.fail('primes (derivatives) are not supported');
      if (t.t === 'text' && !isSeparatorText(t.v) && a.k !== 'text') { this.next(); this.skipUnitPower(); continue; }
      if (t.t === 'word' && a.k === 'expr' && freeVariables(a.node).length === 0 && this.isUnitWord(t)) {
        this.next();
        this.skipUnitPower();
        continue;
      }
      return a;
    }
  }

  protected skipUnitPower(): void {
    if (this.isOp('^') && this.peek(1).t === 'num') this.i += 2;
    else if (this.isOp('^') && this.isOp('{', 1) && this.peek(2).t === 'num' && this.isOp('}', 3)) this.i += 4;
  }

  /** A unit or counting word after a number, at the end of a value ("125 miles", "35 cm", "1 papers"). */
  protected isUnitWord(t: Tok & { t: 'word' }): boolean {
    const w = t.v;
    if (/^(and|or)$/i.test(w) || PLAIN_FUNCTIONS[w.toLowerCase()] || PLAIN_CONSTANTS[w.toLowerCase()]) return false;
    const known = UNIT_WORDS.has(w) || UNIT_WORDS.has(w.toLowerCase());
    const after = this.isOp('^', 1) && this.peek(2).t === 'num' ? this.peek(3) : this.peek(1);
    const atEnd = after.t === 'eof' || this.separatorKind(after) !== null || (after.t === 'op' && [')', ']', '}', '.', '=', '<', '>'].includes(after.v)) || (after.t === 'cmd' && after.v === '}');
    if (!atEnd) return false;
    if (w.length === 1) return known && (t.sp || this.isOp('^', 1));
    return known || (t.sp && w.length >= 3) || t.font === true;
  }

}

/** A balanced tree of one associative operator over many operands. */
export function balanced(xs: MathNode[], op: string, fn: string): MathNode {
  if (xs.length === 1) return xs[0]!;
  const mid = xs.length >> 1;
  return operator(op, fn, [balanced(xs.slice(0, mid), op, fn), balanced(xs.slice(mid), op, fn)]);
}

/** Lists: flattened bare lists and ± expansions; named values become records or plain values. */
function flatten(items: Ans[]): Ans[] {
  const out: Ans[] = [];
  for (const a of items) {
    if (a.k === 'list' && a.origin !== 'braces') out.push(...flatten(a.items));
    else out.push(a);
  }
  return out;
}

function assemble(items: Ans[]): Ans {
  if (items.length === 1) return items[0]!;
  const values = items.map(assignmentValue);
  if (values.every((v) => v !== null)) {
    const labels = items.map((a) => canonicalAnswer((a as Ans & { k: 'relation' }).sides[0]!));
    if (new Set(labels).size === labels.length) {
      return { k: 'record', entries: labels.map((label, i) => ({ label, value: values[i]! })) };
    }
    if (new Set(labels).size === 1) return { k: 'list', origin: 'bare', items: flatten(values as Ans[]) };
  }
  // "n = 1, 2, 3": a name on the first value only names them all.
  if (values[0] && items.slice(1).every((a) => a.k !== 'relation')) {
    return { k: 'list', origin: 'bare', items: flatten([values[0], ...items.slice(1)]) };
  }
  return { k: 'list', origin: 'bare', items: flatten(items) };
}

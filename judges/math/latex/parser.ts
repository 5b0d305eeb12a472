/**
 * The answer grammar: a recursive-descent parser from LaTeX (or plain math text) to an `Ans`, whose
 * scalars are mathjs expression trees. Precedence, lowest first:
 *
 *   list      item ((',' | ';' | 'and' | 'or' | \quad) item)*
 *   item      ratio (relop ratio)*             relop: = < > ≤ ≥ ≠ ≈ \in
 *   ratio     set (':' set)*
 *   set       sum (\cup sum)*
 *   sum       term (('+' | '-' | \pm | \mp) term)*
 *   term      unary (('*' | '/' | implicit) power)*
 *   unary     ('-' | '+' | \pm) unary | power
 *   power     postfix ('^' exponent)*           exponent: {…}, a token, or \circ (degrees)
 *   postfix   primary ('!' | '%' | \circ | unit word | \text{annotation})*
 *   primary   number | letters | \frac | \sqrt | \binom | function | (…) | […) | {…} | \{…\} | |…| | matrix
 */
import { Dec, array, call, constant, isConst, isOp, operator, symbol, type MathNode } from '../mathjs.js';
import { expr, normalizeLiteral, type Ans } from '../answer.js';
import type { Deadline } from '../deadline.js';
import { DECORATIONS, Expressions, LONG_CHAIN, balanced } from './expressions.js';
import { tokenize, type Tok } from './lexer.js';
import { describe } from './stream.js';
import { FUNCTION_COMMANDS, FUNCTION_LETTERS, GREEK, INVERSE, LIST_FUNCTIONS, PLAIN_CONSTANTS, PLAIN_FUNCTIONS } from './vocabulary.js';

export { ParseError } from './stream.js';

export interface ParseOptions {
  /** Read `1,000` as one thousand (on when the gold answer has no comma). */
  groupDigits: boolean;
  deadline: Deadline;
}

const MATRIX_ENVS = new Set(['pmatrix', 'bmatrix', 'Bmatrix', 'vmatrix', 'Vmatrix', 'matrix', 'smallmatrix', 'array']);

/** Parses one answer string. Throws ParseError (or BudgetExceeded) with the position of the problem. */
export function parseLatex(src: string, opts: ParseOptions): Ans {
  const toks = tokenize(src, { groupDigits: opts.groupDigits }, opts.deadline);
  return new Parser(toks, opts.deadline).parseTop();
}

/** A literal as a mathjs constant: a JS number when that is lossless, else an exact Decimal. */
export function literal(v: string): MathNode {
  const n = Number(v);
  if (Number.isFinite(n) && !String(n).includes('e') && normalizeLiteral(String(n)) === normalizeLiteral(v)) return constant(n);
  return constant(new Dec(v));
}

const bigLiteral = (v: bigint): MathNode => literal(v.toString());

/** The primaries: numbers, names, commands, brackets, groups and environments. */
class Parser extends Expressions {
  protected parsePrimary(): Ans {
    this.enter();
    try {
      const t = this.peek();
      switch (t.t) {
        case 'num': this.next(); return this.numberPrimary(t);
        case 'word': return this.parseWord();
        case 'cmd': return this.parseCommand();
        case 'text': {
          this.next();
          const body = t.v.trim();
          if (/^[-+]?\d+(\.\d+)?$/.test(body)) return expr(literal(body));
          return { k: 'text', text: body };
        }
        case 'begin': return this.parseEnvironment();
        case 'op':
          if (t.v === '(' || t.v === '[') return this.parseBracket();
          if (t.v === '{') return this.parseGroup();
          if (t.v === '|') {
            this.next();
            this.absDepth++;
            const inner = this.node(this.parseSum(), t);
            this.absDepth--;
            this.expectOp('|', 'a closing |');
            return expr(call('abs', [inner]));
          }
          break;
        default:
          break;
      }
      return this.fail(t.t === 'eof' ? 'the answer ends too early' : `unexpected ${describe(t)}`);
    } finally {
      this.leave();
    }
  }

  protected numberNode(t: Tok & { t: 'num' }): MathNode {
    if (!t.rep) return literal(t.v);
    // Repeating decimal I.F(R) = (IFR − IF) / ((10^|R| − 1)·10^|F|), exactly.
    const [int, frac = ''] = t.v.split('.');
    const all = BigInt(int! + frac + t.rep);
    const head = BigInt(int! + frac);
    const den = (10n ** BigInt(t.rep.length) - 1n) * 10n ** BigInt(frac.length);
    return operator('/', 'divide', [bigLiteral(all - head), bigLiteral(den)]);
  }

  private numberPrimary(t: Tok & { t: 'num' }): Ans {
    // A numeral with a base: 204_5, 1011_{2}
    if (this.isOp('_') && !t.v.includes('.')) {
      this.next();
      const b = this.peek();
      let base: string | null = null;
      if (b.t === 'num') { this.next(); base = b.v; }
      else if (b.t === 'op' && b.v === '{' && this.peek(1).t === 'num' && this.isOp('}', 2)) { base = this.peek(1).v; this.i += 3; }
      const radix = base === null ? NaN : Number(base);
      if (!(radix >= 2 && radix <= 10) || ![...t.v].every((d) => Number(d) < radix)) this.fail(`${t.v}_${base ?? '?'} is not a numeral in base ${base ?? '?'}`, t);
      let v = 0n;
      for (const d of t.v) v = v * BigInt(radix) + BigInt(d);
      return expr(bigLiteral(v));
    }
    const n = this.numberNode(t);
    // Mixed number 3\frac{1}{2} = 3 + 1/2 (an integer written directly against a proper fraction of integers).
    const f = this.peek();
    if (/^\d+$/.test(t.v) && !t.rep && f.t === 'cmd' && f.v === 'frac' && !f.sp) {
      const save = this.i;
      this.next();
      const p = this.parseArg();
      const q = this.parseArg();
      if (isConst(p) && isConst(q) && Number.isInteger(p.value) && Number.isInteger(q.value) && (p.value as number) < (q.value as number)) {
        return expr(operator('+', 'add', [n, operator('/', 'divide', [p, q])]));
      }
      this.i = save;
    }
    return expr(n);
  }

  /** One letter of a word token (for \frac ab and x^ab), leaving the rest of the word in place. */
  protected takeLetter(): MathNode {
    const t = this.peek() as Tok & { t: 'word' };
    if (t.v.length > 1) this.toks[this.i] = { ...t, v: t.v.slice(1), pos: t.pos + 1, sp: false };
    else this.next();
    return symbol(t.v[0]!);
  }

  private parseWord(): Ans {
    const t = this.next() as Tok & { t: 'word' };
    const lower = t.v.toLowerCase();
    if (PLAIN_CONSTANTS[lower] && (t.font || t.v === lower)) return expr(symbol(PLAIN_CONSTANTS[lower]!));
    const fn = PLAIN_FUNCTIONS[lower] ?? (t.font ? FUNCTION_COMMANDS[lower] ?? LIST_FUNCTIONS[lower] : undefined);
    if (fn && (this.isOp('(') || (fn === 'sqrt' && this.isOp('{')))) {
      const args = this.isOp('(') ? this.parseCallArgs() : [this.node(this.parseBraced(), t)];
      return expr(call(fn === 'cbrt' ? 'nthRoot' : fn, fn === 'cbrt' ? [args[0]!, constant(3)] : args));
    }
    if (t.font && t.v.length > 1) return expr(symbol(t.v));
    const letters = [...t.v];
    const factors: MathNode[] = letters.slice(0, -1).map((l) => symbol(l));
    let name = letters[letters.length - 1]!;
    if (this.isOp('_') && !this.peek().sp) { this.next(); name = `${name}_${this.subscriptText()}`; }
    let last: MathNode = symbol(name);
    if (FUNCTION_LETTERS.has(name[0]!) && this.isOp('(') && !this.peek().sp) last = call(name, this.parseCallArgs());
    factors.push(last);
    if (factors.length > LONG_CHAIN) return expr(balanced(factors, '*', 'multiply'));
    return expr(factors.reduce((a, b) => operator('*', 'multiply', [a, b], true)));
  }

  /** The text of a subscript (a_3, a_{37}, S_{MBCN}), used as part of a variable name. */
  private subscriptText(): string {
    const t = this.peek();
    if (t.t === 'num' || t.t === 'word') { this.next(); return t.v; }
    if (t.t === 'cmd') { this.next(); return t.v; }
    if (t.t === 'op' && t.v === '{') {
      this.next();
      let s = '';
      let depth = 1;
      for (;;) {
        const u = this.next();
        if (u.t === 'eof') this.fail('unclosed subscript', t);
        if (u.t === 'op' && u.v === '{') depth++;
        if (u.t === 'op' && u.v === '}' && --depth === 0) break;
        s += u.v;
      }
      return s.replace(/\s+/g, '');
    }
    return this.fail('expected a subscript');
  }

  private parseCallArgs(): MathNode[] {
    const open = this.next();
    const args: MathNode[] = [];
    for (;;) {
      args.push(this.node(this.parseSum(), open));
      if (this.isOp(',')) { this.next(); continue; }
      this.expectOp(')', 'a closing )');
      return args;
    }
  }

  /** {…} as an expression (the argument of \frac, \sqrt, ^). */
  protected parseBraced(): Ans {
    const open = this.next();
    if (this.isOp('}')) this.fail('empty braces', open);
    const a = this.parseSum();
    if (this.isCmd('choose')) {
      this.next();
      const k = this.parseSum();
      this.expectOp('}', 'a closing }');
      return expr(call('combinations', [this.node(a, open), this.node(k, open)]));
    }
    this.expectOp('}', 'a closing }');
    return a;
  }

  /** A command argument: {…}, or a single token as TeX reads it (\frac12 is 1/2, \sqrt2 is √2). */
  private parseArg(): MathNode {
    const t = this.peek();
    if (t.t === 'op' && t.v === '{') return this.node(this.parseBraced(), t);
    if (t.t === 'num' && /^\d+$/.test(t.v) && !t.rep) {
      if (t.v.length > 1) this.toks[this.i] = { ...t, v: t.v.slice(1), pos: t.pos + 1, sp: false };
      else this.next();
      return constant(Number(t.v[0]));
    }
    if (t.t === 'num') { this.next(); return this.numberNode(t); }
    if (t.t === 'word' && !t.font) return this.takeLetter();
    if (t.t === 'cmd' || t.t === 'word') return this.node(this.parsePrimary(), t);
    return this.fail(`expected an argument, found ${describe(t)}`);
  }

  /** {…}: grouping; with commas inside it is a list written in braces ({1,2,3}); {n \choose k}. */
  private parseGroup(): Ans {
    if (this.groupHasChoose()) return this.parseBraced();
    this.next();
    const a = this.parseList((t) => t.t === 'op' && t.v === '}');
    this.expectOp('}', 'a closing }');
    if (a.k === 'list' && a.origin === 'bare') return { ...a, origin: 'braces' };
    return a;
  }

  private groupHasChoose(): boolean {
    let depth = 0;
    for (let k = this.i; k < this.toks.length; k++) {
      const u = this.toks[k]!;
      if (u.t === 'op' && u.v === '{') depth++;
      else if (u.t === 'op' && u.v === '}') { if (--depth === 0) return false; }
      else if (depth === 1 && u.t === 'cmd' && u.v === 'choose') return true;
    }
    return false;
  }

  /** ( … ), [ … ], ( … ], [ … ): grouping, tuples and intervals. */
  private parseBracket(): Ans {
    const open = this.next();
    const items: Ans[] = [];
    if (this.isOp(')') || this.isOp(']')) this.fail('empty brackets', open);
    let close: string;
    for (;;) {
      items.push(this.parseItem());
      if (this.isOp(',') || this.isOp(';')) { this.next(); continue; }
      if (this.isOp(')') || this.isOp(']')) { close = this.next().v; break; }
      this.fail(`expected , or a closing bracket, found ${describe(this.peek())}`);
    }
    const round = open.v === '(' && close === ')';
    if (items.length === 1) {
      if (round || (open.v === '[' && close === ']')) return items[0]!;
      this.fail('an interval needs two ends', open);
    }
    if (items.length === 2 && !round) {
      return { k: 'interval', lo: this.node(items[0]!, open), hi: this.node(items[1]!, open), loClosed: open.v === '[', hiClosed: close === ']' };
    }
    if (round || (open.v === '[' && close === ']')) return { k: 'tuple', items };
    return this.fail('mismatched brackets', open);
  }

  private parseEnvironment(): Ans {
    const begin = this.next();
    if (!MATRIX_ENVS.has(begin.v)) this.fail(`environment ${begin.v} is not supported in an answer`, begin);
    const rows: MathNode[][] = [[]];
    for (;;) {
      const t = this.peek();
      if (t.t === 'end') {
        if (t.v !== begin.v) this.fail(`\\end{${t.v}} closes \\begin{${begin.v}}`, t);
        this.next();
        break;
      }
      if (t.t === 'eof') this.fail(`\\begin{${begin.v}} is never closed`, begin);
      if (t.t === 'op' && t.v === '&') { this.next(); continue; }
      if (t.t === 'op' && t.v === '\\\\') { this.next(); rows.push([]); continue; }
      rows[rows.length - 1]!.push(this.node(this.parseSum(), t));
    }
    const full = rows.filter((r) => r.length > 0);
    if (full.length === 0) this.fail('empty matrix', begin);
    if (full.some((r) => r.length !== full[0]!.length)) this.fail('matrix rows of different lengths', begin);
    const m = array(full.map((r) => array(r)));
    return expr(begin.v === 'vmatrix' ? call('det', [m]) : m);
  }

  private parseCommand(): Ans {
    const t = this.next() as Tok & { t: 'cmd' };
    const name = t.v;
    switch (name) {
      case 'frac': { const n = this.parseArg(); const d = this.parseArg(); return expr(operator('/', 'divide', [n, d])); }
      case 'sqrt': {
        let index: MathNode | null = null;
        if (this.isOp('[')) {
          this.next();
          index = this.node(this.parseSum(), t);
          this.expectOp(']', 'the closing ] of the root index');
        }
        const arg = this.parseArg();
        return expr(index ? call('nthRoot', [arg, index]) : call('sqrt', [arg]));
      }
      case 'binom': { const n = this.parseArg(); const k = this.parseArg(); return expr(call('combinations', [n, k])); }
      case 'pi': return expr(symbol('pi'));
      case 'infty': return expr(symbol('Infinity'));
      case 'emptyset': return { k: 'empty' };
      case 'boxed': {
        if (!this.isOp('{')) return this.parsePostfix();
        this.next();
        const a = this.parseList((u) => u.t === 'op' && u.v === '}');
        this.expectOp('}', 'the closing } of \\boxed');
        return a;
      }
      case '{': {
        const a = this.isCmd('}') ? null : this.parseList((u) => u.t === 'cmd' && u.v === '}');
        if (!this.isCmd('}')) this.fail('\\{ is never closed', t);
        this.next();
        if (!a) return { k: 'empty' };
        return { k: 'set', items: a.k === 'list' ? a.items : [a] };
      }
      case 'lfloor':
      case 'lceil': {
        const inner = this.node(this.parseSum(), t);
        const close = name === 'lfloor' ? 'rfloor' : 'rceil';
        if (!this.isCmd(close)) this.fail(`expected \\${close}`);
        this.next();
        return expr(call(name === 'lfloor' ? 'floor' : 'ceil', [inner]));
      }
      case 'sum':
      case 'prod': return this.parseBigOperator(t);
      case 'dots': return this.fail('an ellipsis is not a closed-form answer', t);
      case 'angle':
      case 'triangle': {
        const w = this.peek();
        if (w.t !== 'word') this.fail(`expected a name after \\${name}`);
        this.next();
        return expr(symbol(`${name}_${w.v}`));
      }
      default: break;
    }
    if (FUNCTION_COMMANDS[name]) return this.parseFunction(name);
    if (LIST_FUNCTIONS[name]) {
      if (!this.isOp('(')) this.fail(`expected ( after \\${name}`);
      return expr(call(LIST_FUNCTIONS[name]!, this.parseCallArgs()));
    }
    if (GREEK.has(name)) {
      let sym = name;
      if (this.isOp('_') && !this.peek().sp) { this.next(); sym = `${name}_${this.subscriptText()}`; }
      return expr(symbol(sym));
    }
    if (DECORATIONS.has(name)) return expr(symbol(`${name}_${this.subscriptText()}`));
    return this.fail(`unknown command \\${name}`, t);
  }

  /** \sin x, \sin^2(x), \sin^{-1} x, \log_2 8, \ln(x): the argument is a parenthesised group or a product. */
  private parseFunction(name: string): Ans {
    let fn = FUNCTION_COMMANDS[name]!;
    let power: MathNode | null = null;
    let base: MathNode | null = null;
    if (this.isOp('^')) {
      this.next();
      const e = this.parseExponent();
      if (isMinusOne(e) && INVERSE[name]) fn = INVERSE[name]!;
      else power = e;
    }
    if (this.isOp('_') && fn === 'log') { this.next(); base = this.parseArg(); }
    let arg: MathNode;
    const t = this.peek();
    if (t.t === 'op' && t.v === '(') {
      this.next();
      arg = this.node(this.parseSum(), t);
      this.expectOp(')', 'a closing )');
    } else {
      arg = this.node(this.parsePower(), t);
      while (this.startsImplicitFactor(this.peek()) && !(this.peek().t === 'cmd' && (FUNCTION_COMMANDS[this.peek().v] !== undefined)) && !this.isOp('(')) {
        arg = operator('*', 'multiply', [arg, this.node(this.parsePower(), t)], true);
      }
    }
    let node = call(fn, base ? [arg, base] : [arg]);
    if (power) node = operator('^', 'pow', [node, power]);
    return expr(node);
  }

  /** \sum_{k=a}^{b} term, \prod_{k=a}^{b} term */
  private parseBigOperator(t: Tok): Ans {
    if (!this.isOp('_')) this.fail(`\\${t.v} needs bounds`, t);
    this.next();
    this.expectOp('{', `{ after \\${t.v}_`);
    const v = this.peek();
    if (v.t !== 'word' || v.v.length !== 1) this.fail('expected a summation index');
    this.next();
    this.expectOp('=', '= in the lower bound');
    const lo = this.node(this.parseSum(), t);
    this.expectOp('}', 'a closing }');
    this.expectOp('^', `^ after the lower bound of \\${t.v}`);
    const hi = this.parseArg();
    const body = this.node(this.parseTerm(), t);
    return expr(call(t.v, [body, symbol(v.v), lo, hi]));
  }
}

function isMinusOne(e: MathNode): boolean {
  return isOp(e) && e.fn === 'unaryMinus' && isConst(e.args[0]!) && e.args[0].value === 1;
}

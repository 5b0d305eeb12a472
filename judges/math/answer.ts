/**
 * The parsed form of an answer. Scalars are mathjs expression trees; everything with structure
 * (lists, tuples, intervals, relations …) is one of the variants below, because their equality rules
 * differ (order, multiplicity, open/closed ends) and mathjs has no notion of them.
 */
import { isArr, isConst, isFn, isOp, isSym, literalText, operator, type MathNode } from './mathjs.js';

export type RelOp = '=' | '<' | '>' | '<=' | '>=' | '!=' | '≈' | 'in';

export type Ans =
  | { k: 'expr'; node: MathNode }
  /** Unordered values: "1, 2", "3 and 4", `{1,2}` (grouping braces), and the expansion of ±. */
  | { k: 'list'; items: Ans[]; origin: 'bare' | 'braces' | 'pm' }
  /** Ordered values in parentheses or brackets with 3+ entries; a 2-tuple doubles as an open interval. */
  | { k: 'tuple'; items: Ans[] }
  /** `\{ … \}` */
  | { k: 'set'; items: Ans[] }
  | { k: 'interval'; lo: MathNode; hi: MathNode; loClosed: boolean; hiClosed: boolean }
  | { k: 'union'; parts: Ans[] }
  /** a op b op c …: equations, inequalities, chains, membership (x ∈ S). */
  | { k: 'relation'; sides: Ans[]; ops: RelOp[] }
  /** Named values with distinct names: "p = 5, q = 2". */
  | { k: 'record'; entries: Array<{ label: string; value: Ans }> }
  | { k: 'ratio'; parts: MathNode[] }
  | { k: 'text'; text: string }
  | { k: 'empty' };

export const expr = (node: MathNode): Ans => ({ k: 'expr', node });

/** Names that are constants, not variables. */
export const CONSTANT_SYMBOLS = new Set(['pi', 'e', 'i', 'Infinity']);

/** Walks a tree; the visitor returns false to stop descending. */
export function walk(node: MathNode, visit: (n: MathNode) => boolean | void): void {
  if (visit(node) === false) return;
  if (isOp(node) || isFn(node)) for (const a of node.args) walk(a, visit);
  else if (isArr(node)) for (const a of node.items) walk(a, visit);
}

export function nodeSize(node: MathNode): number {
  let n = 0;
  walk(node, () => { n++; });
  return n;
}

/** Free variables of a tree (constants and function names excluded; summation indices excluded). */
export function freeVariables(node: MathNode): string[] {
  const vars = new Set<string>();
  const bound = new Set<string>();
  walk(node, (n) => {
    if (isFn(n) && (n.fn.name === 'sum' || n.fn.name === 'prod') && isSym(n.args[1]!)) bound.add(n.args[1].name);
    if (isSym(n) && !CONSTANT_SYMBOLS.has(n.name)) vars.add(n.name);
  });
  for (const b of bound) vars.delete(b);
  return [...vars].sort();
}

export function hasPm(node: MathNode): boolean {
  let found = false;
  walk(node, (n) => {
    if (isOp(n) && (n.fn === 'pm' || n.fn === 'mp' || n.fn === 'unaryPm' || n.fn === 'unaryMp')) found = true;
    return !found;
  });
  return found;
}

/**
 * Expands ± and ∓ into the values they stand for. Every ± in one expression takes the same sign and
 * every ∓ the opposite one (the textbook reading of `a ± b ∓ c`); so one expression gives two values.
 */
export function expandPm(node: MathNode): MathNode[] {
  const pick = (n: MathNode, sign: 1 | -1): MathNode => {
    if (isOp(n)) {
      const args = n.args.map((a) => pick(a, sign));
      const s = n.fn === 'pm' || n.fn === 'unaryPm' ? sign : n.fn === 'mp' || n.fn === 'unaryMp' ? -sign : 0;
      if (s !== 0) {
        if (args.length === 1) return s > 0 ? args[0]! : operator('-', 'unaryMinus', [args[0]!]);
        return operator(s > 0 ? '+' : '-', s > 0 ? 'add' : 'subtract', args);
      }
      return operator(n.op, n.fn, args, n.implicit);
    }
    if (isFn(n)) return n.map((c: MathNode) => pick(c, sign)) as MathNode;
    if (isArr(n)) return n.map((c: MathNode) => pick(c, sign)) as MathNode;
    return n;
  };
  return [pick(node, 1), pick(node, -1)];
}

/** A decimal literal without meaningless zeros: "033" → "33", "33.0" → "33", "1.50" → "1.5". */
export function normalizeLiteral(text: string): string {
  let [int = '0', frac = ''] = text.split('.');
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

/**
 * A canonical string of a tree: literals normalised, sums and products flattened and sorted, a − b
 * written as a + (−b). Two trees with the same canonical string are equal without any arithmetic.
 */
export function canonical(node: MathNode): string {
  if (isConst(node)) return normalizeLiteral(literalText(node));
  if (isSym(node)) return node.name;
  if (isArr(node)) return `[${node.items.map(canonical).join(';')}]`;
  if (isFn(node)) return `${node.fn.name}(${node.args.map(canonical).join(',')})`;
  if (isOp(node)) {
    const [a, b] = node.args;
    switch (node.fn) {
      case 'add':
      case 'subtract':
      case 'multiply': {
        const terms: string[] = [];
        const flat = (n: MathNode, negate: boolean): void => {
          if (isOp(n) && n.fn === 'add' && node.fn !== 'multiply') { flat(n.args[0]!, negate); flat(n.args[1]!, negate); return; }
          if (isOp(n) && n.fn === 'subtract' && node.fn !== 'multiply') { flat(n.args[0]!, negate); flat(n.args[1]!, !negate); return; }
          if (isOp(n) && n.fn === 'multiply' && node.fn === 'multiply') { flat(n.args[0]!, false); flat(n.args[1]!, false); return; }
          const c = canonical(n);
          terms.push(negate ? (c.startsWith('-') ? c.slice(1) : `-${c}`) : c);
        };
        flat(node, false);
        terms.sort();
        return `(${terms.join(node.fn === 'multiply' ? '*' : '+')})`;
      }
      case 'unaryMinus': {
        const c = canonical(a!);
        return c.startsWith('-') ? c.slice(1) : `-${c}`;
      }
      case 'unaryPlus':
        return canonical(a!);
      default:
        return node.args.length === 1 ? `${node.fn}(${canonical(a!)})` : `${node.fn}(${canonical(a!)},${canonical(b!)})`;
    }
  }
  return node.toString();
}

/** Canonical string of a whole answer (used for structural equality and as a last-resort vote key). */
export function canonicalAnswer(a: Ans): string {
  switch (a.k) {
    case 'expr': return canonical(a.node);
    case 'list': return `{${a.items.map(canonicalAnswer).sort().join(',')}}`;
    case 'set': return `set{${a.items.map(canonicalAnswer).sort().join(',')}}`;
    case 'tuple': return `(${a.items.map(canonicalAnswer).join(',')})`;
    case 'interval': return `${a.loClosed ? '[' : '('}${canonical(a.lo)},${canonical(a.hi)}${a.hiClosed ? ']' : ')'}`;
    case 'union': return a.parts.map(canonicalAnswer).sort().join('∪');
    case 'relation': return a.sides.map((s, i) => (i === 0 ? '' : a.ops[i - 1]) + canonicalAnswer(s)).join('');
    case 'record': return `{${a.entries.map((e) => `${e.label}:${canonicalAnswer(e.value)}`).sort().join(',')}}`;
    case 'ratio': return a.parts.map(canonical).join(':');
    case 'text': return `"${normalizeText(a.text)}"`;
    case 'empty': return '∅';
  }
}

/** Text answers compare case-insensitively with spacing, braces and punctuation removed. */
export function normalizeText(t: string): string {
  return t.toLowerCase().replace(/\\[a-z]+/g, '').replace(/[^a-z0-9]/g, '');
}

/** Function names our grammar produces; any other function name is an undefined function (f, g, W). */
export const KNOWN_FUNCTIONS = new Set(['sqrt', 'nthRoot', 'abs', 'floor', 'ceil', 'sin', 'cos', 'tan', 'sec', 'csc', 'cot',
  'asin', 'acos', 'atan', 'asec', 'acsc', 'acot', 'sinh', 'cosh', 'tanh', 'log', 'log10', 'exp', 'combinations', 'det', 'sum',
  'prod', 'gcd', 'lcm', 'max', 'min', 'sign']);

/** "x", "a_3", "f(x)", "|AB|", "NO/BO", "(p, q)", "A:B" — a name for a value rather than an expression. */
export function isLabelNode(node: MathNode): boolean {
  if (isSym(node)) return !CONSTANT_SYMBOLS.has(node.name) || node.name === 'e';
  if (isFn(node)) return (node.fn.name === 'abs' || !KNOWN_FUNCTIONS.has(node.fn.name)) && node.args.every((x) => isLabelNode(x) || isConst(x));
  if (isOp(node)) return (node.fn === 'multiply' || node.fn === 'divide') && node.args.every(isLabelNode);
  return false;
}

export function isLabel(a: Ans): boolean {
  if (a.k === 'expr') return isLabelNode(a.node);
  if (a.k === 'tuple') return a.items.every(isLabel);
  if (a.k === 'ratio') return a.parts.every(isLabelNode);
  return false;
}

/** `x = 3` or `x = 1 + 2 = 3` (a label, then values): the value is the last side after an `=`. */
export function assignmentValue(a: Ans): Ans | null {
  if (a.k !== 'relation' || !a.ops.every((o) => o === '=' || o === '≈')) return null;
  if (!isLabel(a.sides[0]!)) return null;
  return relationValue(a);
}

/**
 * The value a relation chain states: the last side preceded by `=` (`x = 1 + 2 = 3` states 3). With
 * only ≈, a name is followed by its value (`x ≈ 11`) and an exact value by its approximation
 * (`1/576 ≈ 0.0017`, `x = 1/3 ≈ 0.33`): the approximation is commentary.
 */
export function relationValue(a: Ans & { k: 'relation' }): Ans {
  for (let i = a.ops.length - 1; i >= 0; i--) if (a.ops[i] === '=') return a.sides[i + 1]!;
  return isLabel(a.sides[0]!) ? a.sides[1]! : a.sides[0]!;
}

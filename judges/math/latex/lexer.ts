/**
 * LaTeX answer → tokens. The lexer does the spelling work (command aliases, unicode symbols, digit
 * grouping, `\text{…}` capture, `\left`/`\right` and spacing commands dropped) so the grammar in
 * parser.ts only sees a small alphabet.
 */
import type { Deadline } from '../deadline.js';

export type Tok =
  | { t: 'num'; v: string; rep?: string; pos: number; sp: boolean }
  | { t: 'word'; v: string; pos: number; sp: boolean; font?: boolean }
  | { t: 'cmd'; v: string; pos: number; sp: boolean }
  | { t: 'text'; v: string; pos: number; sp: boolean }
  | { t: 'begin' | 'end'; v: string; pos: number; sp: boolean }
  | { t: 'op'; v: string; pos: number; sp: boolean }
  | { t: 'eof'; v: ''; pos: number; sp: boolean };

export interface LexOptions {
  /** Merge `1,000` and `1 000` into one number. Off when the gold answer itself uses commas (lists). */
  groupDigits: boolean;
}

export class LexError extends Error {
  constructor(message: string, readonly pos: number) {
    super(`${message} at character ${pos}`);
    this.name = 'LexError';
  }
}

/** Commands that are pure spacing or sizing: dropped (they still count as whitespace). */
const DROP = new Set(['left', 'right', 'big', 'Big', 'bigg', 'Bigg', 'bigl', 'bigr', 'Bigl', 'Bigr', 'biggl', 'biggr',
  'Biggl', 'Biggr', 'middle', 'displaystyle', 'textstyle', 'scriptstyle', 'limits', 'nolimits', '!', ',', ';', ':', ' ',
  '>', 'hspace', 'vspace', 'phantom', '$', '#', 'tiny', 'small', 'large', 'Large', 'normalsize', 'hfill', 'relax',
  'nonumber', 'notag', 'label', 'tag', 'mathstrut', 'strut', 'allowbreak', 'newline', 'cr', 'ensuremath', 'noindent',
  'centering', 'color', 'textcolor', 'underbrace']);
/** Commands whose argument is prose: captured raw as a text token. */
const TEXT_CMDS = new Set(['text', 'textbf', 'textit', 'textrm', 'textnormal', 'textsf', 'texttt', 'mbox', 'hbox', 'emph', 'textup']);
/** Font commands around math: dropped, except that a pure word argument (`\mathrm{cm}`) becomes a word. */
const FONT_CMDS = new Set(['mathrm', 'mathbf', 'mathit', 'mathsf', 'mathtt', 'operatorname', 'boldsymbol', 'bm', 'mathbb', 'mathcal', 'mathnormal']);
/** Commands that take one argument we ignore entirely (`\hspace{1em}`, `\label{x}`, `\color{red}`). */
const SKIP_ARG = new Set(['hspace', 'vspace', 'label', 'tag', 'color', 'phantom']);

const ALIAS: Record<string, [Tok['t'], string]> = {
  dfrac: ['cmd', 'frac'], tfrac: ['cmd', 'frac'], cfrac: ['cmd', 'frac'], dbinom: ['cmd', 'binom'], tbinom: ['cmd', 'binom'],
  le: ['op', '<='], leq: ['op', '<='], leqslant: ['op', '<='], ge: ['op', '>='], geq: ['op', '>='], geqslant: ['op', '>='],
  lt: ['op', '<'], gt: ['op', '>'], ne: ['op', '!='], neq: ['op', '!='], approx: ['op', '≈'], simeq: ['op', '≈'],
  thickapprox: ['op', '≈'], doteq: ['op', '≈'], equiv: ['op', '='], times: ['op', '*'], cdot: ['op', '*'], ast: ['op', '*'],
  div: ['op', '/'], colon: ['op', ':'], vert: ['op', '|'], lvert: ['op', '|'], rvert: ['op', '|'], mid: ['op', '|'],
  '|': ['op', '‖'], Vert: ['op', '‖'], lbrace: ['cmd', '{'], rbrace: ['cmd', '}'], langle: ['op', '('], rangle: ['op', ')'],
  lbrack: ['op', '['], rbrack: ['op', ']'], '%': ['op', '%'], '&': ['op', '&'], '_': ['op', '_'],
  rightarrow: ['cmd', 'to'], to: ['cmd', 'to'], longrightarrow: ['cmd', 'to'], Rightarrow: ['cmd', 'implies'],
  implies: ['cmd', 'implies'], Longrightarrow: ['cmd', 'implies'], iff: ['cmd', 'implies'], therefore: ['cmd', 'implies'],
  degree: ['cmd', 'circ'], textdegree: ['cmd', 'circ'], dotsc: ['cmd', 'dots'], dotsb: ['cmd', 'dots'],
  ldots: ['cmd', 'dots'], cdots: ['cmd', 'dots'], varnothing: ['cmd', 'emptyset'],
  land: ['cmd', 'and'], wedge: ['cmd', 'and'], lor: ['cmd', 'or'], vee: ['cmd', 'or'], qquad: ['cmd', 'quad'],
  varpi: ['cmd', 'pi'], fbox: ['cmd', 'boxed'], framebox: ['cmd', 'boxed'], bigcup: ['cmd', 'cup'],
  sqcup: ['cmd', 'cup'], smallsetminus: ['cmd', 'setminus'], backslash: ['cmd', 'setminus'],
};

/** Every command name the grammar understands (aliases included); used to split `\quadx` into `\quad x`. */
export const KNOWN_COMMANDS = new Set<string>([
  ...DROP, ...TEXT_CMDS, ...FONT_CMDS, ...Object.keys(ALIAS), 'frac', 'binom', 'choose', 'sqrt', 'pi', 'infty', 'pm', 'mp',
  'circ', 'cup', 'cap', 'setminus', 'in', 'notin', 'emptyset', 'boxed', 'overline', 'dot', 'dots', 'quad', 'sum', 'prod', 'lfloor',
  'rfloor', 'lceil', 'rceil', 'sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh',
  'log', 'ln', 'lg', 'exp', 'max', 'min', 'gcd', 'lcm', 'det', 'alpha', 'beta', 'gamma', 'delta', 'theta', 'lambda', 'mu',
  'sigma', 'phi', 'varphi', 'omega', 'tau', 'rho', 'epsilon', 'varepsilon', 'eta', 'zeta', 'xi', 'psi', 'chi', 'kappa', 'nu',
  'Delta', 'Gamma', 'Theta', 'Lambda', 'Sigma', 'Phi', 'Omega', 'Psi', 'Pi', 'angle', 'triangle', 'hat', 'vec', 'bar',
  'tilde', 'widehat', 'overrightarrow', 'prime', 'and', 'or', 'x', 'begin', 'end', 'Re', 'Im', 'pmod', 'bmod', 'mod',
]);

const UNICODE: Record<string, [Tok['t'], string] | null> = {
  '−': ['op', '-'], '–': ['op', '-'], '—': ['op', '-'], '×': ['op', '*'], '·': ['op', '*'], '⋅': ['op', '*'], '∙': ['op', '*'],
  '÷': ['op', '/'], '√': ['cmd', 'sqrt'], 'π': ['cmd', 'pi'], '∞': ['cmd', 'infty'], '≤': ['op', '<='], '⩽': ['op', '<='],
  '≥': ['op', '>='], '⩾': ['op', '>='], '≠': ['op', '!='], '≈': ['op', '≈'], '±': ['cmd', 'pm'], '∓': ['cmd', 'mp'],
  '°': ['cmd', 'circ'], '∪': ['cmd', 'cup'], '∩': ['cmd', 'cap'], '∈': ['cmd', 'in'], '…': ['cmd', 'dots'],
  '∅': ['cmd', 'emptyset'], '，': ['op', ','], '；': ['op', ';'], '：': ['op', ':'], '（': ['op', '('], '）': ['op', ')'],
  '€': null, '£': null, '¥': null, '\u00a0': null, '\u2009': null, '\u202f': null, '→': ['cmd', 'to'], '⇒': ['cmd', 'implies'],
  '∣': ['op', '|'], '⟨': ['op', '('], '⟩': ['op', ')'], 'ℝ': ['word', 'R'],
};
const SUPERSCRIPT: Record<string, string> = { '²': '2', '³': '3', '¹': '1', '⁴': '4' };

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));

/** Index just past the brace group opening at `open` (s[open] === '{'), or -1 when it never closes. */
export function matchBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') { i++; continue; }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

export function tokenize(src: string, opts: LexOptions, deadline: Deadline): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let sp = false;
  const push = (t: Tok['t'], v: string, pos: number): void => {
    out.push({ t, v, pos, sp } as Tok);
    sp = false;
  };
  const skipSpaces = (k: number): number => {
    while (k < src.length && (src[k] === ' ' || src[k] === '\t')) k++;
    return k;
  };
  /** If a three-digit group follows a digit separator at k, returns the index after that separator. */
  const groupAfter = (k: number): number => {
    const tryGroup = (j: number): number => (isDigit(src[j]) && isDigit(src[j + 1]) && isDigit(src[j + 2]) && !isDigit(src[j + 3]) ? j : -1);
    if (src.startsWith('{,}', k)) return tryGroup(k + 3);
    if (src.startsWith(',\\!', k)) return tryGroup(skipSpaces(k + 3));
    if (src.startsWith('\\,', k) || src.startsWith('\\!', k)) return tryGroup(k + 2);
    if (opts.groupDigits && src[k] === ',') return tryGroup(k + 1);
    if (opts.groupDigits && src[k] === ' ') return tryGroup(k + 1);
    return -1;
  };

  while (i < src.length) {
    deadline.check('tokenizing');
    const c = src[i]!;
    const pos = i;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '~') { sp = true; i++; continue; }
    if (isDigit(c) || (c === '.' && isDigit(src[i + 1]))) {
      let digits = '';
      while (isDigit(src[i])) digits += src[i++];
      // Digit grouping (1,000 / 1{,}000 / 1\,000) only after a first group of 1–3 digits not starting with 0.
      if (digits.length >= 1 && digits.length <= 3 && !(digits.length > 1 && digits[0] === '0')) {
        for (let j = groupAfter(i); j >= 0; j = groupAfter(i)) {
          digits += src.slice(j, j + 3);
          i = j + 3;
        }
      }
      let frac = '';
      if (src[i] === '.' && isDigit(src[i + 1])) {
        i++;
        while (isDigit(src[i])) frac += src[i++];
      }
      let rep: string | undefined;
      // Repeating decimal: 0.1\overline{6} or 0.\overline{3}
      const after = src[i] === '.' && src.startsWith('\\overline{', i + 1) ? i + 1 : src.startsWith('\\overline{', i) ? i : -1;
      if (after >= 0) {
        const end = matchBrace(src, after + 9);
        const body = end > 0 ? src.slice(after + 10, end - 1).trim() : '';
        if (/^\d+$/.test(body)) { rep = body; i = end; }
      }
      out.push({ t: 'num', v: (digits || '0') + (frac ? `.${frac}` : ''), rep, pos, sp });
      sp = false;
      continue;
    }
    if (isLetter(c)) {
      let w = '';
      while (isLetter(src[i])) w += src[i++];
      push('word', w, pos);
      continue;
    }
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) { i++; continue; }
      if (n === '\\') { push('op', '\\\\', pos); i += 2; continue; }
      if (!isLetter(n)) {
        i += 2;
        if (n === '{' || n === '}') push('cmd', n, pos);
        else if (DROP.has(n)) sp = true;
        else if (ALIAS[n]) push(ALIAS[n]![0], ALIAS[n]![1], pos);
        else if (n === '(' || n === ')' || n === '[' || n === ']') sp = true; // math delimiters inside an answer
        else push('op', n, pos);
        continue;
      }
      let j = i + 1;
      while (isLetter(src[j])) j++;
      let name = src.slice(i + 1, j);
      if (!KNOWN_COMMANDS.has(name)) {
        // `\quadx` → `\quad` + `x`: the longest known command that prefixes the run.
        for (let k = name.length - 1; k > 0; k--) {
          if (KNOWN_COMMANDS.has(name.slice(0, k))) { j = i + 1 + k; name = name.slice(0, k); break; }
        }
      }
      i = j;
      if (name === 'left' || name === 'right' || name.startsWith('big') || name.startsWith('Big')) {
        const k = skipSpaces(i);
        if (src[k] === '.') i = k + 1; // \left. and \right. are invisible
        sp = true;
        continue;
      }
      if (SKIP_ARG.has(name)) {
        const k = skipSpaces(i);
        if (src[k] === '{') { const e = matchBrace(src, k); i = e < 0 ? src.length : e; }
        sp = true;
        continue;
      }
      if (DROP.has(name)) { sp = true; continue; }
      if (TEXT_CMDS.has(name) || FONT_CMDS.has(name)) {
        const k = skipSpaces(i);
        if (src[k] !== '{') { if (TEXT_CMDS.has(name)) sp = true; continue; }
        const e = matchBrace(src, k);
        if (e < 0) throw new LexError(`\\${name}{ is never closed`, pos);
        const body = src.slice(k + 1, e - 1);
        if (TEXT_CMDS.has(name)) { push('text', body, pos); i = e; continue; }
        if (/^\s*[A-Za-z]+\s*$/.test(body)) { out.push({ t: 'word', v: body.trim(), pos, sp, font: true }); sp = false; i = e; continue; }
        continue; // font around math: parse the group normally
      }
      if (name === 'begin' || name === 'end') {
        const k = skipSpaces(i);
        if (src[k] !== '{') throw new LexError(`\\${name} without an environment name`, pos);
        const e = matchBrace(src, k);
        if (e < 0) throw new LexError(`\\${name}{ is never closed`, pos);
        const env = src.slice(k + 1, e - 1).trim();
        i = e;
        if (name === 'begin' && env === 'array') {
          const a = skipSpaces(i);
          if (src[a] === '{') { const ae = matchBrace(src, a); if (ae > 0) i = ae; } // column spec
        }
        push(name, env.replace(/\*$/, ''), pos);
        continue;
      }
      const alias = ALIAS[name];
      if (alias) push(alias[0], alias[1], pos);
      else push('cmd', name, pos);
      continue;
    }
    if (c === '$') { sp = true; i++; continue; }
    const u = UNICODE[c];
    if (u !== undefined) {
      i++;
      if (u === null) sp = true;
      else push(u[0], u[1], pos);
      continue;
    }
    if (SUPERSCRIPT[c]) { push('op', '^', pos); push('num', SUPERSCRIPT[c]!, pos); i++; continue; }
    const two = src.slice(i, i + 2);
    if (two === '<=' || two === '>=' || two === '!=' || two === '==' || two === '->') {
      const v = two === '==' ? '=' : two === '->' ? 'to' : two;
      if (v === 'to') push('cmd', 'to', pos);
      else push('op', v, pos);
      i += 2;
      continue;
    }
    push('op', c, pos);
    i++;
  }
  out.push({ t: 'eof', v: '', pos: src.length, sp });
  return out;
}

/**
 * Finding the answer in a model's response. Strict mode (AIME) accepts only \boxed{} / \fbox{}; outside
 * it, weaker fallbacks apply and the grade records which one was used:
 *
 *   boxed          the last top-level \boxed{…} (or, in list mode, the boxes of the final group joined)
 *   final-phrase   "the final answer is …" when it comes after the last box (the model corrected itself)
 *   whole-text     the whole response, when it is short and is itself an answer ("x = 5", "1 000")
 *   answer-phrase  "answer: …", "the answer is …"
 *   last-math      the last $…$, \(…\), \[…\] environment
 *   last-number    the last number in the text (MathArena's non-strict fallback)
 */

import { matchBrace } from './latex/lexer.js';
import { PLAIN_CONSTANTS, PLAIN_FUNCTIONS, UNIT_WORDS } from './latex/vocabulary.js';

export type Strength = 'boxed' | 'list' | 'final-phrase' | 'whole-text' | 'answer-phrase' | 'last-math' | 'last-number';

export interface Candidate {
  text: string;
  strength: Strength;
}

export interface ExtractOptions {
  strict: boolean;
  /** The gold answer is a list: join the boxes of the final group ("\boxed{1} and \boxed{2}"). */
  listMode: boolean;
}

/** What the judge saw of the response after cleaning, for the grade's details. */
export interface Prepared {
  text: string;
  notes: string[];
}

const CHAT_TOKEN = /<\|(?:im_start|im_end|endoftext|eot_id|end_of_text|start_header_id|end_header_id|user|assistant)\|>|<｜[^｜\n]{0,40}｜>/;
const COMMANDS = 'boxed|frac|dfrac|sqrt|left|right|pi|cdot|times|text|begin|end|le|ge|leq|geq|in|pm|infty';
const DOUBLED = new RegExp(`\\\\\\\\(?:${COMMANDS})\\b`);
const SINGLE = new RegExp(`(?<!\\\\)\\\\(?:${COMMANDS})\\b`);

/** Reasoning removed, hallucinated next turns cut, doubled backslashes (a JSON/raw-string artefact) repaired. */
export function prepareResponse(raw: string): Prepared {
  const notes: string[] = [];
  let text = raw;
  const close = text.lastIndexOf('</think>');
  if (close >= 0) { text = text.slice(close + 8); notes.push('reasoning before </think> ignored'); }
  const chat = CHAT_TOKEN.exec(text);
  if (chat) { text = text.slice(0, chat.index); notes.push(`text after the chat token ${chat[0]} ignored`); }
  if (DOUBLED.test(text) && !SINGLE.test(text.replace(/\\\\/g, ''))) {
    text = text.replace(/(?<!\\)\\n(?![a-zA-Z])/g, '\n').replace(/(?<!\\)\\n(?=[A-Z*])/g, '\n').replace(/\\\\/g, '\\');
    notes.push('doubled backslashes repaired');
  }
  return { text, notes };
}

// ───────────── boxes ─────────────
export interface Box { start: number; end: number; content: string }

const BOX = /\\(?:boxed|fbox|framebox)\s*(\{|\s+(?=[^\s{]))/g;
/** Past this many box commands only the last ones are considered (a 100 KB response of boxes stays linear). */
const MAX_BOXES = 200;

/** Top-level boxes in order (a box inside a box belongs to its parent). Unclosed boxes are skipped. */
export function findBoxes(text: string): Box[] {
  const starts: Array<{ start: number; open: number; braced: boolean }> = [];
  for (const m of text.matchAll(BOX)) {
    starts.push({ start: m.index!, open: m.index! + m[0].length - (m[1] === '{' ? 1 : 0), braced: m[1] === '{' });
  }
  const boxes: Box[] = [];
  for (const s of starts.slice(-MAX_BOXES)) {
    if (boxes.length && s.start < boxes[boxes.length - 1]!.end) continue; // nested in the previous top-level box
    if (s.braced) {
      const end = matchBrace(text, s.open);
      if (end < 0) continue;
      boxes.push({ start: s.start, end, content: text.slice(s.open + 1, end - 1) });
    } else {
      // \boxed 5 — TeX's one-token argument, read up to the next space or $.
      const m = /^[^\s$]+/.exec(text.slice(s.open));
      if (m) boxes.push({ start: s.start, end: s.open + m[0].length, content: m[0] });
    }
  }
  return boxes;
}

/** Text between two boxes that still belongs to one answer: spacing, punctuation, "and", \quad, short \text{}. */
function isConnector(gap: string): boolean {
  const rest = gap
    .replace(/\\text\{[^{}]{0,40}\}/g, ' ')
    .replace(/\\(?:quad|qquad|,|;|:|!|\[|\]|\(|\)|\\)|\$|&|[,;.\s]|\b(?:and|or)\b/g, '');
  return rest === '';
}

function lineOf(text: string, pos: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The last box, or in list mode the boxes of the final group joined with commas. */
function boxedCandidate(text: string, boxes: Box[], listMode: boolean): Candidate | null {
  if (!boxes.length) return null;
  const last = boxes[boxes.length - 1]!;
  if (!listMode) return { text: last.content, strength: 'boxed' };
  const group = [last];
  const lastLine = lineOf(text, last.start);
  for (let k = boxes.length - 2; k >= 0; k--) {
    const b = boxes[k]!;
    const gap = text.slice(b.end, group[0]!.start);
    if (lineOf(text, b.start) === lastLine || isConnector(gap)) group.unshift(b);
    else break;
  }
  if (group.length === 1) return { text: last.content, strength: 'boxed' };
  return { text: group.map((b) => b.content).join(', '), strength: 'list' };
}

// ───────────── phrases, math environments, numbers ─────────────
const FINAL_PHRASE = /final answer is\s*:?\s*/gi;
const ANSWER_PHRASE = /(?:final answer|the answer|answer)\s*(?:is|:|=)\s*:?\s*/gi;

/** The answer text after a phrase: one math environment, or up to the end of the sentence. */
function phraseBody(text: string, from: number): string {
  const s = text.slice(from, from + 2000);
  const env = /^(\$\$?|\\\(|\\\[)/.exec(s);
  if (env) {
    const close = env[1] === '$$' ? '$$' : env[1] === '$' ? '$' : env[1] === '\\(' ? '\\)' : '\\]';
    const end = s.indexOf(close, env[1]!.length);
    if (end > 0) {
      // "$12$ and $13$": environments joined by short connectors belong together.
      const rest = /^((?:\s*(?:,|and|or)\s*\$[^$]{1,200}\$)*)/.exec(s.slice(end + close.length));
      return s.slice(0, end + close.length) + (rest?.[1] ?? '');
    }
  }
  const stop = /\.(?=\s|$)|\n|\bI hope\b/.exec(s);
  return (stop ? s.slice(0, stop.index) : s).replace(/^["'“]|["'”.]+$/g, '').trim();
}

function lastMatchIndex(re: RegExp, text: string): { index: number; end: number } | null {
  let found: { index: number; end: number } | null = null;
  for (const m of text.matchAll(re)) found = { index: m.index!, end: m.index! + m[0].length };
  return found;
}

export interface MathEnv { start: number; end: number; content: string }

/** $…$, $$…$$, \(…\), \[…\] in order; an unpaired $ is a currency sign, not a delimiter. */
export function findMathEnvs(text: string): MathEnv[] {
  const out: MathEnv[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && (text[i + 1] === '(' || text[i + 1] === '[')) {
      const close = text[i + 1] === '(' ? '\\)' : '\\]';
      const end = text.indexOf(close, i + 2);
      if (end < 0) { i += 2; continue; }
      out.push({ start: i, end: end + 2, content: text.slice(i + 2, end) });
      i = end + 2;
      continue;
    }
    if (c === '\\') { i += 2; continue; }
    if (c === '$') {
      const dbl = text[i + 1] === '$';
      const open = dbl ? 2 : 1;
      let j = i + open;
      while (j < text.length && !(text[j] === '$' && text[j - 1] !== '\\')) j++;
      if (j >= text.length) { i += open; continue; }
      out.push({ start: i, end: j + open, content: text.slice(i + open, j) });
      i = j + open;
      continue;
    }
    i++;
  }
  return out;
}

// A number not glued to a word before it ("AZYUK2A" has none); units may follow ("1,000.99m²").
const NUMBER = /(?<![\w.\\^_])-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:\/\d+)?|\.\d+)(?![\d]|[.,/]\d)/g;

/** The last number outside math environments (and after the last one of them). */
function lastNumber(text: string, envs: MathEnv[]): { text: string; index: number } | null {
  let found: { text: string; index: number } | null = null;
  for (const m of text.matchAll(NUMBER)) {
    const at = m.index!;
    if (envs.some((e) => at >= e.start && at < e.end)) continue;
    found = { text: m[0], index: at };
  }
  return found;
}

/** Candidates for the answer, best first. Empty when nothing can be extracted (→ no_answer). */
export function extractCandidates(text: string, opts: ExtractOptions): Candidate[] {
  const boxes = findBoxes(text);
  const boxed = boxedCandidate(text, boxes, opts.listMode);
  if (opts.strict) return boxed ? [boxed] : [];

  const out: Candidate[] = [];
  const lastBoxEnd = boxes.length ? boxes[boxes.length - 1]!.end : -1;
  const final = lastMatchIndex(FINAL_PHRASE, text);
  if (final && final.index > lastBoxEnd) {
    const body = phraseBody(text, final.end);
    if (body) out.push({ text: body, strength: 'final-phrase' });
  }
  if (boxed) out.push(boxed);
  if (out.length) return out;

  const trimmed = text.trim();
  if (trimmed.length > 0 && trimmed.length <= 80 && looksLikeMath(trimmed)) out.push({ text: trimmed, strength: 'whole-text' });
  const phrase = lastMatchIndex(ANSWER_PHRASE, text);
  if (phrase) {
    const body = phraseBody(text, phrase.end);
    if (body) out.push({ text: body, strength: 'answer-phrase' });
  }
  const envs = findMathEnvs(text);
  const env = envs.length ? envs[envs.length - 1]! : null;
  const num = lastNumber(text, envs);
  const envCand: Candidate | null = env && env.content.trim() ? { text: env.content, strength: 'last-math' } : null;
  const numCand: Candidate | null = num ? { text: num.text, strength: 'last-number' } : null;
  // Whichever comes later in the text is the answer the model ended on.
  if (envCand && numCand && num!.index > env!.end) out.push(numCand, envCand);
  else out.push(...([envCand, numCand].filter(Boolean) as Candidate[]));
  return out;
}

/** A short string is "math" when its words are variables, units or function names, not prose. */
export function looksLikeMath(s: string): boolean {
  const stripped = s.replace(/\\(?:begin|end|text|mathrm|textbf|mbox|operatorname)\s*\{[^{}]*\}/g, ' ').replace(/\\[a-zA-Z]+/g, ' ');
  for (const w of stripped.match(/[A-Za-z]{3,}/g) ?? []) {
    const l = w.toLowerCase();
    if (!(l === 'and' || PLAIN_FUNCTIONS[l] || PLAIN_CONSTANTS[l] || UNIT_WORDS.has(l))) return false;
  }
  return true;
}

/** The number a weak candidate ends with ("The volume is 120" → "120"), for prose inside a phrase. */
export function trailingNumber(text: string): string | null {
  const n = lastNumber(text, findMathEnvs(text));
  return n ? n.text : null;
}

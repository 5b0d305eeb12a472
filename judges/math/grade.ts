/**
 * One grade, synchronously: extract → parse both sides → compare → self-check. This is what a pool
 * worker runs for each attempt; tests call it directly. It never throws: a gold answer that does not
 * parse, a spent time budget or a bug in the checker become an `error` grade naming the cause.
 */
import type { Grade, JsonObject } from '../../harness/types.js';
import type { Ans } from './answer.js';
import { answersEqual } from './compare.js';
import { BudgetExceeded, Deadline } from './deadline.js';
import { asRational, exactValue } from './exact.js';
import { extractCandidates, looksLikeMath, prepareResponse, trailingNumber, type Strength } from './extract.js';
import { answerKey } from './keys.js';
import { LexError } from './latex/lexer.js';
import { ParseError, parseLatex } from './latex/parser.js';
import { secondOpinion, type SecondOpinion } from './selfcheck.js';

export interface MathGradeOptions {
  /** Only \boxed{} answers count (AIME). */
  strict: boolean;
  /** 'integer': the gold must be an integer and the prediction exactly equal to it. */
  answerType: 'integer' | 'expression';
  /** Treat the gold as a list even when it has one element (item metadata answer_kind = multiple_values). */
  listMode?: boolean;
  /** Cooperative time budget of one grade, in ms. */
  budgetMs: number;
  /** Run the independent second path (default true). */
  selfCheck?: boolean;
}

const MAX_EXTRACTED = 2_000;

const isCollection = (a: Ans): boolean =>
  ((a.k === 'list' || a.k === 'set') && a.items.length > 1) || a.k === 'record';

function errorGrade(reason: string, details: JsonObject, extracted: string | null = null): Grade {
  return { outcome: 'error', score: 0, extracted, answerKey: null, judgeDisagreement: null, details: { reason, ...details } };
}

export interface ParsedGold { ans: Ans; groupDigits: boolean; integer: bigint | null }

/** Parses the gold answer; throws an Error naming the problem (the caller adds the item id). */
export function parseGold(gold: string, opts: Pick<MathGradeOptions, 'answerType'>, dl: Deadline): ParsedGold {
  const groupDigits = !gold.includes(',') || /\{,\}|,\\!/.test(gold);
  let ans: Ans;
  try {
    ans = parseLatex(gold, { groupDigits, deadline: dl });
  } catch (e) {
    throw new Error(`the gold answer ${JSON.stringify(gold)} does not parse: ${(e as Error).message}`);
  }
  let integer: bigint | null = null;
  if (opts.answerType === 'integer') {
    const q = ans.k === 'expr' ? exactValue(ans.node, dl) : null;
    const r = q && asRational(q);
    if (!r || r.d !== 1n) throw new Error(`the gold answer ${JSON.stringify(gold)} is not an integer, but the item's answer type is integer`);
    integer = r.n;
  }
  return { ans, groupDigits, integer };
}

/**
 * Parsed gold answers by (gold, answer type): the n attempts of an item share one parse, and the exact
 * and numeric caches keyed by its trees. Bounded; a gold that failed to parse is not cached.
 */
const goldCache = new Map<string, ParsedGold>();
const GOLD_CACHE_SIZE = 512;

function cachedGold(gold: string, opts: Pick<MathGradeOptions, 'answerType'>, dl: Deadline): ParsedGold {
  const key = `${opts.answerType}\u0000${gold}`;
  let g = goldCache.get(key);
  if (!g) {
    g = parseGold(gold, opts, dl);
    if (goldCache.size >= GOLD_CACHE_SIZE) goldCache.clear();
    goldCache.set(key, g);
  }
  return g;
}

export function gradeMathAnswer(gold: string, response: string, opts: MathGradeOptions): Grade {
  const t0 = performance.now();
  const dl = new Deadline(opts.budgetMs);
  const timings: JsonObject = {};
  const lap = (name: string, since: number): number => { const now = performance.now(); timings[name] = round(now - since); return now; };
  try {
    const g = cachedGold(gold, opts, dl);
    let t = lap('goldMs', t0);
    const listMode = opts.listMode === true || isCollection(g.ans);
    const prepared = prepareResponse(response);
    const candidates = extractCandidates(prepared.text, { strict: opts.strict, listMode });
    t = lap('extractMs', t);
    const base: JsonObject = { strict: opts.strict, answerType: opts.answerType, listMode, notes: prepared.notes };
    if (!candidates.length) {
      return { outcome: 'no_answer', score: 0, extracted: null, answerKey: null, judgeDisagreement: null, details: { ...base, extraction: 'none', reason: opts.strict ? 'no \\boxed{} answer (strict mode)' : 'no answer found', timings } };
    }
    // The first candidate that parses is the answer; prose in a weak candidate falls back to its last number.
    let pred: Ans | null = null;
    let extracted = candidates[0]!.text;
    let strength: Strength = candidates[0]!.strength;
    let parseError: string | null = null;
    for (const c of candidates) {
      // Math is parsed as written; prose (a phrase like "the volume is 120") gives its last number.
      const prose = (c.strength === 'final-phrase' || c.strength === 'answer-phrase') && !looksLikeMath(c.text);
      const n = prose ? trailingNumber(c.text) : null;
      const tries: Array<[string, Strength]> = prose ? (n ? [[n, 'last-number']] : []) : [[c.text, c.strength]];
      for (const [text, s] of tries) {
        try {
          pred = parseLatex(text, { groupDigits: g.groupDigits, deadline: dl });
          extracted = text;
          strength = s;
          break;
        } catch (e) {
          if (!(e instanceof ParseError || e instanceof LexError)) throw e;
          parseError ??= e.message;
        }
      }
      if (pred) break;
    }
    t = lap('parseMs', t);
    extracted = extracted.trim().slice(0, MAX_EXTRACTED);
    const details: JsonObject = { ...base, extraction: strength };
    let correct: boolean;
    if (!pred) {
      // Unparseable prediction: only a literal match of the text can make it correct.
      correct = squash(extracted) === squash(gold);
      Object.assign(details, { decidedBy: 'text', parseError });
    } else {
      const v = answersEqual(g.ans, pred, { dl, integerMode: g.integer !== null, predRaw: extracted });
      correct = v.equal;
      Object.assign(details, { decidedBy: v.by, ...(v.undecided ? { undecided: true } : {}), ...(v.note ? { note: v.note } : {}) });
    }
    t = lap('compareMs', t);
    let second: SecondOpinion | null = null;
    if (opts.selfCheck !== false) {
      second = secondOpinion(gold, extracted, { integerMode: g.integer !== null });
      lap('selfCheckMs', t);
      details.selfCheck = second.reason ? { verdict: second.verdict, reason: second.reason } : { verdict: second.verdict };
    }
    const disagreement = second && second.verdict !== 'unsupported' ? (second.verdict === 'equal') !== correct : null;
    timings.totalMs = round(performance.now() - t0);
    details.timings = timings;
    return {
      outcome: correct ? 'correct' : 'wrong',
      score: correct ? 1 : 0,
      extracted,
      answerKey: pred ? safeKey(pred, dl) : `text:${squash(extracted)}`,
      judgeDisagreement: disagreement,
      details,
    };
  } catch (e) {
    const ms = round(performance.now() - t0);
    if (e instanceof BudgetExceeded) return errorGrade('time budget exceeded', { stage: e.stage, budgetMs: e.budgetMs, elapsedMs: ms });
    if (e instanceof RangeError && /call stack/i.test(e.message)) return errorGrade('input nested too deeply', { elapsedMs: ms });
    return errorGrade((e as Error).message ?? String(e), { elapsedMs: ms });
  }
}

function safeKey(a: Ans, dl: Deadline): string | null {
  try { return answerKey(a, dl); } catch (e) { if (e instanceof BudgetExceeded) throw e; return null; }
}

const squash = (s: string): string => s.toLowerCase().replace(/\\(text|mathrm|textbf|mbox)\b/g, '').replace(/[\s{}$\\]/g, '');
const round = (ms: number): number => Math.round(ms * 1000) / 1000;

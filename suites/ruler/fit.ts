/**
 * Sizing a haystack to a token length. An item's length is its prompt's tokens (chat format applied,
 * answer prefix included) plus the answer budget; `fitContext` finds the largest haystack (in units:
 * words, lines, documents …) whose length stays within the target, by a bracketed binary search over the
 * unit count. Probes cost additions (chunk prefix sums, see tokens.ts); in exact mode every probe renders
 * and tokenizes the whole prompt instead.
 */
import type { ChatMessage, Prompt } from '../../harness/types.js';
import { joinsAtBoundary, type TokenLengths } from './tokens.js';

/** The fixed parts of a prompt around its context. */
export interface PromptShape {
  system?: string;
  /** User text before the context. */
  head: string;
  /** User text after the context (starts with the whitespace that closes the context). */
  tail: string;
  /** Text the model continues (RULER's answer prefix); '' for none. */
  answerPrefix: string;
  /**
   * Put the answer prefix at the end of the user turn instead of the assistant turn: for thinking mode,
   * where the assistant turn starts with reasoning.
   */
  prefixInUser: boolean;
}

/** Something placed in the context (a needle, a chain line, a gold document), by character offset. */
export interface Mark {
  kind: string;
  text: string;
  offset: number;
  /** Requested depth in percent, where the task has one. */
  depth?: number;
  /** Where it landed: percent of the haystack's tokens before it. */
  tokenDepth?: number;
}

export interface BuiltContext {
  text: string;
  marks: Mark[];
}

/** A haystack of `n` units with something placed in it. */
export interface ContextModel {
  minUnits: number;
  /** Most units available (Infinity for haystacks that repeat). */
  maxUnits: number;
  /** Tokens of the context of n units followed by `trailing` (the whitespace that opens the tail). */
  count(n: number, trailing: string): number;
  build(n: number): BuiltContext;
}

export interface Fitted {
  units: number;
  /** Prompt tokens + budget. */
  tokens: number;
  promptTokens: number;
  user: string;
  /** The answer prefix for the assistant turn; null when it went into the user turn. */
  answerPrefix: string | null;
  /** Marks with offsets into `user`. */
  marks: Mark[];
  /** False when even the smallest haystack exceeds the target (the item is over-length). */
  fits: boolean;
}

export type CountMode = 'auto' | 'exact';

/** The chat prompt of a user message in a shape. */
export function shapePrompt(shape: PromptShape, user: string, answerPrefix: string | null): Prompt {
  const messages: ChatMessage[] = shape.system ? [{ role: 'system', content: shape.system }] : [];
  messages.push({ role: 'user', content: user });
  return answerPrefix ? { kind: 'chat', messages, assistantPrefix: answerPrefix } : { kind: 'chat', messages };
}

/** The user message around a context; with prefixInUser, the answer prefix closes it. */
function userText(shape: PromptShape, context: string): string {
  const u = shape.head + context + shape.tail;
  return shape.prefixInUser && shape.answerPrefix ? `${u}\n\n${shape.answerPrefix}` : u;
}

export function fitContext(model: ContextModel, shape: PromptShape, budget: number, target: number, lengths: TokenLengths, mode: CountMode): Fitted {
  const assistantPrefix = shape.prefixInUser || !shape.answerPrefix ? null : shape.answerPrefix;
  let total: (n: number) => number;
  if (mode === 'exact') {
    total = (n) => lengths.prompt(shapePrompt(shape, userText(shape, model.build(n).text), assistantPrefix)) + budget;
  } else {
    // The user text sits between special tokens, so the prompt's tokens are those of the empty-user prompt
    // plus the user text's, and the user text's are head + context + tail, cut at chunk boundaries.
    const base = lengths.prompt(shapePrompt(shape, '', assistantPrefix));
    const tail = shape.prefixInUser && shape.answerPrefix ? `${shape.tail}\n\n${shape.answerPrefix}` : shape.tail;
    const trailing = /^\s*/.exec(tail)![0];
    const fixed = base + lengths.text(shape.head) + lengths.text(tail.slice(trailing.length)) + budget;
    total = (n) => fixed + model.count(n, trailing);
  }

  const lo = model.minUnits;
  const atLo = total(lo);
  let units = lo;
  if (atLo > target) return finish(model, shape, assistantPrefix, lo, atLo, budget, false);

  // Bracket the answer from an estimate of tokens per unit, then bisect.
  let good = lo;
  let goodTokens = atLo;
  let bad = Infinity;
  const probe = Math.min(model.maxUnits, lo + 64);
  if (probe > lo) {
    const atProbe = total(probe);
    if (atProbe > target) bad = probe;
    else {
      good = probe;
      goodTokens = atProbe;
      const perUnit = Math.max(1e-3, (atProbe - atLo) / (probe - lo));
      let guess = Math.min(model.maxUnits, good + Math.max(1, Math.floor((0.995 * (target - atProbe)) / perUnit)));
      for (let step = 0; bad === Infinity && guess > good; step++) {
        const t = total(guess);
        if (t > target) bad = guess;
        else {
          good = guess;
          goodTokens = t;
          if (guess >= model.maxUnits) break;
          guess = Math.min(model.maxUnits, good + Math.max(8, Math.ceil((good - lo) * 0.02 * (step + 1))));
        }
      }
    }
  }
  while (bad !== Infinity && bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    const t = total(mid);
    if (t > target) bad = mid;
    else {
      good = mid;
      goodTokens = t;
    }
  }
  units = good;
  return finish(model, shape, assistantPrefix, units, goodTokens, budget, true);
}

function finish(model: ContextModel, shape: PromptShape, assistantPrefix: string | null, units: number, tokens: number, budget: number, fits: boolean): Fitted {
  const built = model.build(units);
  if (!joinsAtBoundary(shape.head, built.text) || !joinsAtBoundary(built.text + /^\s*/.exec(shape.tail)![0], shape.tail.trimStart())) {
    // Templates and haystacks are ours: a context that does not meet its template at a chunk boundary is a bug.
    throw new Error(`internal: context does not meet its template at a token boundary (head …${JSON.stringify(shape.head.slice(-10))}, context ${JSON.stringify(built.text.slice(0, 10))}…)`);
  }
  const offset = shape.head.length;
  return {
    units,
    tokens,
    promptTokens: tokens - budget,
    user: userText(shape, built.text),
    answerPrefix: assistantPrefix,
    marks: built.marks.map((m) => ({ ...m, offset: m.offset + offset })),
    fits,
  };
}

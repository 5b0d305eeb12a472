/**
 * Counting tokens of long generated prompts fast, in the evaluated model's tokenizer.
 *
 * Tokenizing a 128K-token prompt takes about a second in JavaScript, and sizing a haystack by binary
 * search would tokenize it a dozen times. Instead, text is cut into *chunks* at places where every
 * pre-tokenizer in use splits anyway — before a space that follows a non-space character, and after a
 * newline that precedes a non-space character — so a text's token count is the sum of its chunks'
 * counts, and each distinct chunk is tokenized once per process. Haystack models keep prefix sums of
 * chunk counts, so a size probe costs a few additions.
 *
 * That additivity is a property of the tokenizer (true for DeepSeek's and other GPT-style byte-level
 * BPE regexes, and for SentencePiece), so it is checked on real prompts each run: generation compares
 * the chunked count of the first item of every task with a full tokenization of the rendered chat prompt,
 * and falls back to exact counting (`countMode: exact`) when they differ.
 */
import type { Prompt, TokenCounter } from '../../harness/types.js';

const UNICODE_SPACE = /\s/;
function isSpaceCode(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return UNICODE_SPACE.test(String.fromCharCode(c));
}

/** True when a chunk boundary lies between `left` and `right` (judged on the two characters that meet). */
export function joinsAtBoundary(left: string, right: string): boolean {
  if (left.length === 0 || right.length === 0) return true;
  const x = left.charCodeAt(left.length - 1);
  const y = right.charCodeAt(0);
  return (y === 32 && !isSpaceCode(x)) || (x === 10 && !isSpaceCode(y));
}

/** The chunks of a text: cut before " " after a non-space, and after "\n" before a non-space. */
export function chunkText(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let x = text.charCodeAt(0);
  for (let i = 1; i < text.length; i++) {
    const y = text.charCodeAt(i);
    if (y === 32 ? !isSpaceCode(x) : x === 10 && !isSpaceCode(y)) {
      out.push(text.slice(start, i));
      start = i;
    }
    x = y;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

export interface CountStats {
  /** Tokenizer calls made for chunk counts. */
  tokenizerCalls: number;
  /** Chunk lookups answered from the cache. */
  cacheHits: number;
  /** Full-prompt tokenizations (exact counts and self-checks). */
  exactCounts: number;
}

/** Token counts in one tokenizer + chat format, with the chunk cache. One per generation run. */
export class TokenLengths {
  private readonly cache = new Map<string, number>();
  readonly stats: CountStats = { tokenizerCalls: 0, cacheHits: 0, exactCounts: 0 };

  constructor(readonly counter: TokenCounter) {}

  get id(): string {
    return this.counter.id;
  }

  /** Tokens of one chunk (a string with no internal chunk boundary), cached. */
  chunk(s: string): number {
    const hit = this.cache.get(s);
    if (hit !== undefined) {
      this.stats.cacheHits++;
      return hit;
    }
    this.stats.tokenizerCalls++;
    const n = this.counter.countText(s);
    this.cache.set(s, n);
    return n;
  }

  /** Tokens of any text, as the sum of its chunks' cached counts. */
  text(s: string): number {
    let total = 0;
    for (const c of chunkText(s)) total += this.chunk(c);
    return total;
  }

  /** Tokens of a rendered prompt with its chat format, by a full tokenization (no additivity assumed). */
  prompt(p: Prompt): number {
    this.stats.exactCounts++;
    return this.counter.countPrompt(p);
  }

  /** Distinct chunks counted so far. */
  get cachedChunks(): number {
    return this.cache.size;
  }
}

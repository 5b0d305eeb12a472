/**
 * A long haystack text cut into chunks (see tokens.ts) with prefix sums of their token counts, grown on
 * demand: the text repeats (`base`, then `joiner + base` …) as far as a probe asks, chunks are counted
 * only when first reached, and "tokens of chunks [a, b)" is a subtraction. Sentence starts are indexed
 * too, so needles can be put at sentence boundaries by chunk index.
 */
import { chunkText } from './tokens.js';
import { isSentenceBreak } from './sentences.js';
import type { TokenLengths } from './tokens.js';

/** Extends a text by whole copies of its base and cuts it into chunks as far as asked. */
export class ChunkedText {
  private text = '';
  /** Char offset where chunk k starts; the last entry is the end of the last complete chunk. */
  private readonly starts: number[] = [0];
  /** cum[k] = tokens of chunks [0, k). */
  private readonly cum: number[] = [0];
  /** Chunk indices k ≥ 1 where a sentence starts (chunk 0 always starts one). */
  private readonly sentenceStarts: number[] = [0];
  private copies = 0;
  private scanned = 0;
  /** Characters scanned per step: chunks are counted only as far as probes reach. */
  private static readonly BLOCK = 16_384;

  constructor(
    private readonly base: string,
    private readonly joiner: string,
    private readonly lengths: TokenLengths,
  ) {
    if (base.trim() === '') throw new Error('the haystack text is empty');
  }

  /** Number of complete chunks available now. */
  get available(): number {
    return this.starts.length - 1;
  }

  /** Makes sure chunks [0, k) exist (repeating the base text as needed). */
  ensure(k: number): void {
    while (this.available < k) this.advance();
  }

  /** Commits the chunks of the next block of text. The block's last piece stays open: more text may extend it. */
  private advance(): void {
    const from = this.starts[this.starts.length - 1];
    for (let to = from + ChunkedText.BLOCK; ; to += ChunkedText.BLOCK) {
      while (this.text.length <= to) {
        this.text += (this.copies === 0 ? '' : this.joiner) + this.base;
        this.copies += 1;
      }
      const pieces = chunkText(this.text.slice(from, to));
      if (pieces.length < 2) continue;
      let offset = from;
      for (let i = 0; i < pieces.length - 1; i++) {
        offset += pieces[i].length;
        this.starts.push(offset);
        this.cum.push(this.cum[this.cum.length - 1] + this.lengths.chunk(pieces[i]));
      }
      this.indexSentences();
      return;
    }
  }

  private indexSentences(): void {
    for (let k = Math.max(1, this.scanned); k < this.available; k++) {
      if (isSentenceBreak(this.chunk(k - 1).trim(), this.chunk(k).trim())) this.sentenceStarts.push(k);
    }
    this.scanned = Math.max(1, this.available);
  }

  chunk(k: number): string {
    this.ensure(k + 1);
    return this.text.slice(this.starts[k], this.starts[k + 1]);
  }

  /** Tokens of chunks [a, b). */
  tokens(a: number, b: number): number {
    this.ensure(b);
    return this.cum[b] - this.cum[a];
  }

  /** The text of chunks [a, b). */
  slice(a: number, b: number): string {
    this.ensure(b);
    return this.text.slice(this.starts[a], this.starts[b]);
  }

  /** Sentence-start chunk indices < n, in order (a shared array: do not modify). */
  sentencesBefore(n: number): { starts: readonly number[]; count: number } {
    this.ensure(n);
    let lo = 0;
    let hi = this.sentenceStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sentenceStarts[mid] < n) lo = mid + 1;
      else hi = mid;
    }
    return { starts: this.sentenceStarts, count: lo };
  }

  /** The largest sentence start ≤ k (0 when none). */
  sentenceStartAtOrBefore(k: number): number {
    const { starts, count } = this.sentencesBefore(k + 1);
    return count > 0 ? starts[count - 1] : 0;
  }

  /** The smallest chunk index b with tokens(0, b) ≥ t (b ≤ limit). */
  chunkAtToken(t: number, limit: number): number {
    this.ensure(limit);
    let lo = 0;
    let hi = limit;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * gkamradt's needle placement over the essay haystack: the context is the haystack's first k chunks; each
 * needle goes at depth% of the context's tokens, moved back to the nearest sentence start (100% puts it
 * at the very end). A needle after a space-separated sentence is joined with a space; after a line break
 * it takes a line of its own — either way it meets the text at chunk boundaries, so counts stay exact.
 */
import type { ChunkedText } from '../ruler/chunked-text.js';
import type { BuiltContext, ContextModel, Mark } from '../ruler/fit.js';
import type { TokenLengths } from '../ruler/tokens.js';

type Piece = { kind: 'range'; a: number; b: number } | { kind: 'needle'; index: number; at: number };

/** Where each needle goes for a context of k chunks: a chunk index in [0, k], non-decreasing. */
function insertionPoints(hay: ChunkedText, k: number, depths: number[]): number[] {
  const total = hay.tokens(0, k);
  return depths.map((d) => {
    if (d >= 100) return k;
    const target = Math.floor((total * d) / 100);
    // The last chunk boundary at or before the target token, then back to a sentence start.
    let b = hay.chunkAtToken(target, k);
    if (b > 0 && hay.tokens(0, b) > target) b -= 1;
    return Math.min(hay.sentenceStartAtOrBefore(b), k);
  });
}

export function niahContext(hay: ChunkedText, needles: string[], depths: number[], lengths: TokenLengths): ContextModel {
  const pieces = (k: number): Piece[] => {
    const at = insertionPoints(hay, k, depths);
    const order = needles.map((_, i) => i).sort((x, y) => at[x] - at[y] || x - y);
    const out: Piece[] = [];
    let cursor = 0;
    for (const i of order) {
      if (at[i] > cursor) out.push({ kind: 'range', a: cursor, b: at[i] });
      out.push({ kind: 'needle', index: i, at: at[i] });
      cursor = Math.max(cursor, at[i]);
    }
    if (k > cursor) out.push({ kind: 'range', a: cursor, b: k });
    return out;
  };
  /** The needle with the whitespace that joins it at chunk boundaries, given what precedes it. */
  const needleText = (i: number, after: string): string => (after === '' || after.endsWith('\n') ? `${needles[i]}\n` : ` ${needles[i]}`);
  const walk = (k: number, emit: (p: Piece, text: () => string, tokens: (trailing: string) => number) => void) => {
    let before = '';
    for (const p of pieces(k)) {
      if (p.kind === 'range') {
        const last = hay.chunk(p.b - 1);
        emit(
          p,
          () => hay.slice(p.a, p.b),
          (trailing) => (trailing ? hay.tokens(p.a, p.b - 1) + lengths.text(last + trailing) : hay.tokens(p.a, p.b)),
        );
        before = last;
      } else {
        const t = needleText(p.index, before);
        emit(p, () => t, (trailing) => lengths.text(t + trailing));
        before = t;
      }
    }
  };
  return {
    minUnits: 1,
    maxUnits: Infinity,
    count(k, trailing) {
      let sum = 0;
      const ps = pieces(k).length;
      let i = 0;
      walk(k, (_p, _text, tokens) => {
        sum += tokens(++i === ps ? trailing : '');
      });
      return sum;
    },
    build(k): BuiltContext {
      let text = '';
      const marks: Mark[] = [];
      const total = hay.tokens(0, k);
      walk(k, (p, piece) => {
        const s = piece();
        if (p.kind === 'needle') {
          const lead = s.startsWith(' ') ? 1 : 0;
          const tokenDepth = total ? Math.round((hay.tokens(0, p.at) / total) * 10000) / 100 : 0;
          marks.push({ kind: 'needle', text: needles[p.index], offset: text.length + lead, depth: depths[p.index], tokenDepth });
        }
        text += s;
      });
      return { text, marks };
    },
  };
}

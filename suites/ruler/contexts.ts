/**
 * The two haystack shapes RULER inserts needles into, as ContextModels (see fit.ts):
 *  - essay: the first n words of the essay text, with inserts placed between sentences at given depths
 *    and everything joined by single spaces (RULER's niah.py, type_haystack=essay);
 *  - lines: n haystack lines (a fixed noise passage, or generated distractor needles) with inserts placed
 *    before chosen lines and everything joined by newlines (type_haystack=noise/needle, and vt).
 * Counts are exact sums of chunk counts (tokens.ts), so every probe is a few additions.
 */
import type { ChunkedText } from './chunked-text.js';
import type { BuiltContext, ContextModel, Mark } from './fit.js';
import type { TokenLengths } from './tokens.js';

type Piece = { kind: 'range'; a: number; b: number } | { kind: 'insert'; index: number };

/**
 * Essay context: inserts[j] goes before the sentence at depth depths[j] (percent; the sentence index is
 * floor(sentences × depth / 100), as RULER computes it). Depths must be sorted ascending.
 */
export function essayContext(hay: ChunkedText, inserts: string[], depths: number[], lengths: TokenLengths, kind: string): ContextModel {
  if (inserts.length !== depths.length) throw new Error('essayContext: one depth per insert');
  const pieces = (n: number): Piece[] => {
    const { starts, count } = hay.sentencesBefore(n);
    const out: Piece[] = [];
    let cursor = 0;
    depths.forEach((d, j) => {
      const s = Math.floor((count * d) / 100);
      const at = s < count ? starts[s] : n;
      if (at > cursor) out.push({ kind: 'range', a: cursor, b: at });
      out.push({ kind: 'insert', index: j });
      cursor = Math.max(cursor, at);
    });
    if (n > cursor) out.push({ kind: 'range', a: cursor, b: n });
    return out;
  };
  // Chunk 0 has no leading space; after an insert it needs one. Other chunks carry their own.
  const rangeTokens = (a: number, b: number, lead: boolean, trailing: string): number => {
    if (b - a === 1) return lead || trailing ? lengths.text((lead ? ' ' : '') + hay.chunk(a) + trailing) : hay.tokens(a, b);
    let t = hay.tokens(a, b);
    if (lead) t += lengths.text(` ${hay.chunk(a)}`) - hay.tokens(a, a + 1);
    if (trailing) t += lengths.text(hay.chunk(b - 1) + trailing) - hay.tokens(b - 1, b);
    return t;
  };
  return {
    minUnits: 1,
    maxUnits: Infinity,
    count(n, trailing) {
      const ps = pieces(n);
      let t = 0;
      ps.forEach((p, i) => {
        const tail = i === ps.length - 1 ? trailing : '';
        if (p.kind === 'range') t += rangeTokens(p.a, p.b, i > 0 && p.a === 0, tail);
        else t += lengths.text((i > 0 ? ' ' : '') + inserts[p.index] + tail);
      });
      return t;
    },
    build(n): BuiltContext {
      let text = '';
      const marks: Mark[] = [];
      pieces(n).forEach((p, i) => {
        if (p.kind === 'range') text += (i > 0 && p.a === 0 ? ' ' : '') + hay.slice(p.a, p.b);
        else {
          if (i > 0) text += ' ';
          marks.push({ kind, text: inserts[p.index], offset: text.length, depth: depths[p.index] });
          text += inserts[p.index];
        }
      });
      return { text, marks };
    },
  };
}

/**
 * Lines context: n haystack lines with inserts[j] placed right before original line positions(n)[j]
 * (ascending, distinct, in [0, n)), all joined by "\n". The last piece is always a haystack line.
 */
export function linesContext(opts: {
  line: (i: number) => string;
  inserts: string[];
  positions: (n: number) => number[];
  lengths: TokenLengths;
  kind: string;
  minUnits?: number;
  maxUnits?: number;
}): ContextModel {
  const { line, inserts, positions, lengths, kind } = opts;
  const cum: number[] = [0];
  // Haystack lines often repeat (the noise passage): remember a few whole-line counts.
  const memo = new Map<string, number>();
  const lineTokens = (s: string): number => {
    let t = memo.get(s);
    if (t === undefined) {
      t = lengths.text(`${s}\n`);
      if (memo.size < 64) memo.set(s, t);
    }
    return t;
  };
  const linesTokens = (n: number): number => {
    for (let i = cum.length - 1; i < n; i++) cum.push(cum[i] + lineTokens(line(i)));
    return cum[n];
  };
  let insertTokens: number | null = null;
  const minUnits = Math.max(1, inserts.length, opts.minUnits ?? 1);
  return {
    minUnits,
    maxUnits: opts.maxUnits ?? Infinity,
    count(n, trailing) {
      insertTokens ??= inserts.reduce((s, x) => s + lengths.text(`${x}\n`), 0);
      let t = linesTokens(n) + insertTokens;
      if (trailing !== '\n') t += lengths.text(line(n - 1) + trailing) - (cum[n] - cum[n - 1]);
      return t;
    },
    build(n): BuiltContext {
      const at = positions(n);
      const out: string[] = [];
      const marks: Mark[] = [];
      let offset = 0;
      let j = 0;
      const push = (s: string) => {
        out.push(s);
        offset += s.length + 1;
      };
      for (let i = 0; i < n; i++) {
        while (j < inserts.length && at[j] === i) {
          marks.push({ kind, text: inserts[j], offset });
          push(inserts[j++]);
        }
        push(line(i));
      }
      if (j !== inserts.length) throw new Error(`internal: ${inserts.length - j} inserts were not placed among ${n} lines`);
      return { text: out.join('\n'), marks };
    },
  };
}

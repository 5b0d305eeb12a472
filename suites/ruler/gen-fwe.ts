/**
 * RULER's frequent words extraction (freq_words_extraction.py): coded 6-letter words whose counts follow
 * a Zipf law (count of rank k ∝ k^-α / ζ(α), α = 2); the most frequent "word" is the noise token "...",
 * and the answer is ranks 2–4. The vocabulary has (length − budget) / 50 words, as in RULER.
 */
import type { BuiltContext, ContextModel } from './fit.js';
import { itemRng, type GenContext, type Instance } from './instance.js';
import type { FweTask } from './tasks.js';
import { BUDGETS } from './tasks.js';
import { answerPrefix, templateAround } from './templates.js';

/** Riemann zeta for s > 1: a direct sum plus the Euler–Maclaurin tail. */
export function zeta(s: number): number {
  if (!(s > 1)) throw new Error(`zeta: need s > 1, got ${s}`);
  const n = 1000;
  let sum = 0;
  for (let k = 1; k < n; k++) sum += k ** -s;
  return sum + n ** (1 - s) / (s - 1) + 0.5 * n ** -s + (s / 12) * n ** (-s - 1);
}

/** How many times each vocabulary rank appears among n words. */
export function zipfCounts(n: number, vocabulary: number, alpha: number): number[] {
  const z = zeta(alpha);
  return Array.from({ length: vocabulary }, (_, k) => Math.floor((n * (k + 1) ** -alpha) / z));
}

export function fweInstance(spec: FweTask, g: GenContext): Instance {
  const budget = BUDGETS.fwe;
  const size = Math.max(4, Math.floor((g.length - budget) / 50));
  const rng = itemRng(g, 'vocabulary');
  const seen = new Set<string>();
  while (seen.size < size) {
    let w = '';
    for (let i = 0; i < spec.wordLength; i++) w += String.fromCharCode(97 + rng.below(26));
    seen.add(w);
  }
  const vocab = rng.shuffle([...seen].sort());
  vocab[0] = '...'; // the top-ranked word is noise the question says to ignore

  const around = templateAround('fwe', {});
  const shape = { head: around.head, tail: around.tail, answerPrefix: answerPrefix('fwe', {}), prefixInUser: g.prefixInUser };
  const wordTokens = vocab.map(() => -1);
  const tokensOf = (k: number) => (wordTokens[k] >= 0 ? wordTokens[k] : (wordTokens[k] = g.lengths.text(` ${vocab[k]}`)));
  const words = (n: number): string[] => {
    const out: string[] = [];
    zipfCounts(n, size, spec.alpha).forEach((c, k) => {
      for (let r = 0; r < c; r++) out.push(vocab[k]);
    });
    return itemRng(g, 'shuffle', n).shuffle(out);
  };
  // The word shuffle puts last, found without building the list: rank k holds positions [cum_k, cum_k+1).
  const lastWord = (n: number): string => {
    const counts = zipfCounts(n, size, spec.alpha);
    let at = itemRng(g, 'shuffle', n).lastOfShuffle(counts.reduce((s, c) => s + c, 0));
    for (let k = 0; k < counts.length; k++) {
      if (at < counts[k]) return vocab[k];
      at -= counts[k];
    }
    throw new Error('internal: fwe word list is empty');
  };
  const model: ContextModel = {
    // Enough words that ranks 2–5 have distinct counts.
    minUnits: 60,
    maxUnits: Infinity,
    count(n, trailing) {
      let t = 0;
      zipfCounts(n, size, spec.alpha).forEach((c, k) => {
        if (c > 0) t += c * tokensOf(k);
      });
      if (trailing) {
        const last = lastWord(n);
        t += g.lengths.text(` ${last}${trailing}`) - g.lengths.text(` ${last}`);
      }
      return t;
    },
    build(n): BuiltContext {
      return { text: ` ${words(n).join(' ')}`, marks: [] };
    },
  };
  return {
    shape,
    model,
    budget,
    match: 'all',
    describe: () => ({ references: vocab.slice(1, 4), metadata: { vocabulary: size } }),
  };
}

/**
 * RULER's common words extraction (common_words_extraction.py): a numbered list where 10 words appear
 * often (30 times; 6 below 4K) and the rest rarely (3 times; 1 below 4K); the answer is the 10 common
 * words. One worked example precedes the task. Words come from the wonderwords lists (nouns, adjectives,
 * verbs); when a long list needs more distinct words than they hold, pseudo-words extend the vocabulary
 * (RULER uses a larger English list there) and the item records it.
 */
import type { BuiltContext, ContextModel } from './fit.js';
import { itemRng, type GenContext, type Instance } from './instance.js';
import { LazyPermutation, Rng } from './random.js';
import type { CweTask } from './tasks.js';
import { BUDGETS } from './tasks.js';
import { answerPrefix, templateAround, templateWith } from './templates.js';
import type { TokenLengths } from './tokens.js';
import { pseudoWords, type WordLists } from './words.js';

const vocabularies = new WeakMap<WordLists, Map<number, { words: string[]; extended: string[] }>>();

/** The word lists merged, de-duplicated and shuffled by the data seed; plus an extension for huge lists. */
function vocabulary(lists: WordLists, seed: number): { words: string[]; extended: string[] } {
  let bySeed = vocabularies.get(lists);
  if (!bySeed) vocabularies.set(lists, (bySeed = new Map()));
  let v = bySeed.get(seed);
  if (!v) {
    const words = [...new Set([...lists.nouns, ...lists.adjectives, ...lists.verbs])].sort();
    new Rng(seed).shuffle(words);
    const extension = pseudoWords('cwe-extension', words.length * 3, new Set(words));
    v = { words, extended: [...words, ...extension] };
    bySeed.set(seed, v);
  }
  return v;
}

/** Tokens of the numbering "1." " 2." … " k." summed, per tokenizer (shared by all items). */
const numberings = new WeakMap<TokenLengths, number[]>();
function numberingTokens(lengths: TokenLengths, entries: number): number {
  let cum = numberings.get(lengths);
  if (!cum) numberings.set(lengths, (cum = [0]));
  for (let i = cum.length; i <= entries; i++) cum.push(cum[i - 1] + lengths.chunk(i === 1 ? '1.' : ` ${i}.`));
  return cum[entries];
}

const numbered = (words: string[]) => words.map((w, i) => `${i + 1}. ${w}`).join(' ');

export function cweInstance(spec: CweTask, g: GenContext): Instance {
  // RULER's short-context form below 4K; also used when the long form cannot fit this tokenizer (g.compact).
  const small = g.length < 4096 || g.compact === true;
  const [freqCommon, freqUncommon] = small ? [6, 1] : [spec.freqCommon, spec.freqUncommon];
  const { words, extended } = vocabulary(g.words, g.seed);
  const vars = { num_cw: spec.common };

  // The worked example: 40 words (10 common ×10, the rest ×3), or 20 (×3/×1) below 4K.
  const exRng = itemRng(g, 'example');
  const exWords = exRng.sample(words.length, small ? 20 : 40).map((i) => words[i]);
  const exCommon = exWords.slice(0, spec.common);
  const exList = exRng.shuffle([
    ...exCommon.flatMap((w) => Array<string>(small ? 3 : 10).fill(w)),
    ...exWords.slice(spec.common).flatMap((w) => Array<string>(small ? 1 : 3).fill(w)),
  ]);
  const exampleText = `${templateWith('cwe', vars, numbered(exList))} ${answerPrefix('cwe', vars)} ${numbered(exCommon)}`;

  const around = templateAround('cwe', vars);
  const shape = { head: `${exampleText}\n${around.head}`, tail: around.tail, answerPrefix: answerPrefix('cwe', vars), prefixInUser: g.prefixInUser };

  // The first n words of a random order of the vocabulary: the first 10 are the common ones.
  const orderRng = itemRng(g, 'words');
  const order = new LazyPermutation(words.length, orderRng);
  const orderExt = new LazyPermutation(extended.length, itemRng(g, 'words-extended'));
  const pick = (n: number, i: number) => (n <= words.length ? words[order.at(i)] : extended[orderExt.at(i)]);
  const sums = { base: [0], ext: [0] };
  const wordTokens = (n: number, upTo: number): number => {
    const cum = n <= words.length ? sums.base : sums.ext;
    for (let i = cum.length - 1; i < upTo; i++) cum.push(cum[i] + g.lengths.text(` ${pick(n, i)}`));
    return cum[upTo];
  };
  const entries = (n: number) => spec.common * freqCommon + (n - spec.common) * freqUncommon;
  const list = (n: number): string[] => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const w = pick(n, i);
      for (let r = i < spec.common ? freqCommon : freqUncommon; r > 0; r--) out.push(w);
    }
    return itemRng(g, 'shuffle', n).shuffle(out);
  };

  const model: ContextModel = {
    minUnits: spec.common + 1,
    maxUnits: extended.length,
    count(n, trailing) {
      const common = wordTokens(n, spec.common);
      let t = numberingTokens(g.lengths, entries(n)) + freqCommon * common + freqUncommon * (wordTokens(n, n) - common);
      if (trailing) {
        // The entry the shuffle puts last, found without building the list (common words come first).
        const at = itemRng(g, 'shuffle', n).lastOfShuffle(entries(n));
        const common = spec.common * freqCommon;
        const last = pick(n, at < common ? Math.floor(at / freqCommon) : spec.common + Math.floor((at - common) / freqUncommon));
        t += g.lengths.text(` ${last}${trailing}`) - g.lengths.text(` ${last}`);
      }
      return t;
    },
    build(n): BuiltContext {
      return { text: numbered(list(n)), marks: [] };
    },
  };
  return {
    shape,
    model,
    budget: BUDGETS.cwe,
    match: 'all',
    describe: (n) => ({
      references: Array.from({ length: spec.common }, (_, i) => pick(n, i)),
      metadata: {
        word_source: n > words.length ? `${g.words.source}+pseudo-words` : g.words.source,
        frequencies: [freqCommon, freqUncommon],
      },
    }),
  };
}

/**
 * A small byte-level BPE tokenizer in DeepSeek V3's `tokenizer.json` format (spec §8.1): the same normalizer,
 * pre-tokenizer (digit / CJK / word regex splits, then GPT-2 byte mapping), post-processor and decoder as the real
 * file, DeepSeek's special tokens with their exact strings, and merges learned deterministically from the built-in
 * text. It loads in `@huggingface/tokenizers` exactly like the real one.
 *
 * Id layout (mirrors the real vocabulary): 0 BOS, 1 EOS, 2 pad; then the 256 byte tokens in GPT-2 byte-map order;
 * then learned merges; the last 19 ids are the added tokens that sit at 128796–128814 in the real vocabulary.
 */
import { TOKENIZER_CORPUS } from './corpus.js';

/** Pre-tokenizer regexes of DeepSeek V3 (copied from its tokenizer.json, in Oniguruma syntax). */
export const DEEPSEEK_V3_PRETOKENIZER = {
  type: 'Sequence',
  pretokenizers: [
    { type: 'Split', pattern: { Regex: '\\p{N}{1,3}' }, behavior: 'Isolated', invert: false },
    { type: 'Split', pattern: { Regex: '[一-龥぀-ゟ゠-ヿ]+' }, behavior: 'Isolated', invert: false },
    {
      type: 'Split',
      pattern: {
        Regex:
          "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+",
      },
      behavior: 'Isolated',
      invert: false,
    },
    { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
  ],
} as const;

/** Special tokens at the start of the vocabulary (in model.vocab and added_tokens). */
const LEADING_SPECIALS = ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜▁pad▁｜>'] as const;

/**
 * Added tokens at the top of the vocabulary, in the order of real ids 128796…128814 (V3.1/V3.2 family).
 * `special` follows the real file: the chat markers are not "special" (they survive skip_special_tokens).
 */
const TRAILING_ADDED: { content: string; special: boolean }[] = [
  { content: '<｜search▁begin｜>', special: false },
  { content: '<｜search▁end｜>', special: false },
  { content: '<think>', special: false },
  { content: '</think>', special: false },
  { content: '<｜fim▁hole｜>', special: false },
  { content: '<｜fim▁begin｜>', special: false },
  { content: '<｜fim▁end｜>', special: false },
  { content: '<｜User｜>', special: false },
  { content: '<｜Assistant｜>', special: false },
  { content: '<|EOT|>', special: true },
  { content: '<｜tool▁calls▁begin｜>', special: false },
  { content: '<｜tool▁calls▁end｜>', special: false },
  { content: '<｜tool▁call▁begin｜>', special: false },
  { content: '<｜tool▁call▁end｜>', special: false },
  { content: '<｜tool▁outputs▁begin｜>', special: false },
  { content: '<｜tool▁outputs▁end｜>', special: false },
  { content: '<｜tool▁output▁begin｜>', special: false },
  { content: '<｜tool▁output▁end｜>', special: false },
  { content: '<｜tool▁sep｜>', special: false },
];

/** Id of every special/added token in a tiny vocabulary of `vocabSize` ids. */
export function tinySpecialTokenIds(vocabSize = 1024): Record<string, number> {
  const ids: Record<string, number> = {};
  LEADING_SPECIALS.forEach((s, i) => (ids[s] = i));
  const first = vocabSize - TRAILING_ADDED.length;
  TRAILING_ADDED.forEach((t, i) => (ids[t.content] = first + i));
  return ids;
}

/** GPT-2's byte → printable character map, in its canonical order (printable bytes first). */
export function byteLevelAlphabet(): { byte: number; char: string }[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return bs.map((byte, i) => ({ byte, char: String.fromCodePoint(cs[i]!) }));
}

const SPLIT_REGEXES = [
  /\p{N}{1,3}/gu,
  /[一-龥぀-ゟ゠-ヿ]+/gu,
  /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu,
];

/** "Isolated" split: matches become pieces of their own, the text between them too. */
function splitIsolated(s: string, re: RegExp): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of s.matchAll(re)) {
    if (m.index! > last) out.push(s.slice(last, m.index));
    if (m[0].length) out.push(m[0]);
    last = m.index! + m[0].length;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}

/** The pre-tokenized words of a text, each mapped to byte-level characters. */
export function preTokenize(text: string): string[] {
  const alphabet = new Map(byteLevelAlphabet().map((a) => [a.byte, a.char]));
  let pieces = [text];
  for (const re of SPLIT_REGEXES) pieces = pieces.flatMap((p) => splitIsolated(p, re));
  return pieces.map((p) => [...Buffer.from(p, 'utf8')].map((b) => alphabet.get(b)!).join(''));
}

/**
 * Learn BPE merges from `text` until `maxNewTokens` new tokens exist or no adjacent pair is left. Each step merges the most
 * frequent adjacent pair; ties go to the pair whose (left, right) strings sort first. Deterministic.
 */
export function learnMerges(text: string, maxNewTokens: number): [string, string][] {
  const counts = new Map<string, number>();
  for (const w of preTokenize(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts.entries()].map(([w, c]) => ({ symbols: [...w], count: c }));
  const known = new Set(byteLevelAlphabet().map((a) => a.char));
  const merges: [string, string][] = [];
  let added = 0;
  while (added < maxNewTokens) {
    const pairs = new Map<string, { a: string; b: string; n: number }>();
    for (const w of words) {
      for (let i = 0; i + 1 < w.symbols.length; i++) {
        const a = w.symbols[i]!;
        const b = w.symbols[i + 1]!;
        const key = `${a}\u0000${b}`;
        const p = pairs.get(key);
        if (p) p.n += w.count;
        else pairs.set(key, { a, b, n: w.count });
      }
    }
    let best: { a: string; b: string; n: number } | null = null;
    for (const p of pairs.values()) {
      if (!best || p.n > best.n || (p.n === best.n && (p.a < best.a || (p.a === best.a && p.b < best.b)))) best = p;
    }
    if (!best) break; // pairs seen once still merge, so the vocabulary fills up deterministically
    merges.push([best.a, best.b]);
    const merged = best.a + best.b;
    if (!known.has(merged)) {
      known.add(merged);
      added++;
    }
    for (const w of words) {
      const s = w.symbols;
      const next: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === best.a && s[i + 1] === best.b) {
          next.push(merged);
          i++;
        } else next.push(s[i]!);
      }
      w.symbols = next;
    }
  }
  return merges;
}

export interface TinyTokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

function addedToken(id: number, content: string, special: boolean, normalized: boolean) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized, special };
}

/** Build tokenizer.json and tokenizer_config.json for a vocabulary of `vocabSize` ids. */
export function buildTinyTokenizer(vocabSize = 1024, modelMaxLength = 8192): TinyTokenizerFiles {
  const reserved = LEADING_SPECIALS.length + 256 + TRAILING_ADDED.length;
  if (vocabSize < reserved) throw new Error(`tokenizer: vocab_size ${vocabSize} is below the ${reserved} ids of special and byte tokens`);
  const vocab: Record<string, number> = {};
  LEADING_SPECIALS.forEach((s, i) => (vocab[s] = i));
  let next = LEADING_SPECIALS.length;
  for (const { char } of byteLevelAlphabet()) vocab[char] = next++;
  const merges = learnMerges(TOKENIZER_CORPUS, vocabSize - reserved);
  for (const [a, b] of merges) if (!(a + b in vocab)) vocab[a + b] = next++;

  const ids = tinySpecialTokenIds(vocabSize);
  const added = [
    ...LEADING_SPECIALS.map((s, i) => addedToken(i, s, true, false)),
    ...TRAILING_ADDED.map((t) => addedToken(ids[t.content]!, t.content, t.special, true)),
  ];
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: 'Sequence', normalizers: [] },
    pre_tokenizer: DEEPSEEK_V3_PRETOKENIZER,
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  const token = (content: string) => ({ __type: 'AddedToken', content, lstrip: false, normalized: true, rstrip: false, single_word: false });
  const tokenizerConfig = {
    add_bos_token: true,
    add_eos_token: false,
    bos_token: token(LEADING_SPECIALS[0]),
    clean_up_tokenization_spaces: false,
    eos_token: token(LEADING_SPECIALS[1]),
    legacy: true,
    model_max_length: modelMaxLength,
    pad_token: token(LEADING_SPECIALS[1]),
    sp_model_kwargs: {},
    unk_token: null,
    tokenizer_class: 'LlamaTokenizerFast',
  };
  return { tokenizerJson, tokenizerConfig };
}

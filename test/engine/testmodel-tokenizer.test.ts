// The tiny byte-level BPE tokenizer, and DeepSeek V3's real tokenizer.json, in @huggingface/tokenizers (spec §8.1).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../harness/paths.js';
import { buildTinyTokenizer, DEEPSEEK_V3_PRETOKENIZER, preTokenize, tinySpecialTokenIds } from '../../engine/testmodel/tokenizer.js';

const ROUND_TRIP = [
  'Hello, world! The answer is \\boxed{42}.',
  'Digits: 0 1 12 123 1234 12345 3.14159 2025-02-15 1e-6 -7',
  '中文测试：你好，世界。日本語のテキスト、カタカナ。한국어 텍스트',
  'Emoji: 😀 👩‍👩‍👧 🚀 ✅ and symbols ∑ ∫ √ π ≤ ≥ ≠ → ∞',
  'Lines\nwith\r\nbreaks\n\n\nand\ttabs\t\tand    spaces   ',
  '  leading and trailing  ',
  'def f(x):\n    return x ** 2  # comment\n',
  '$\\frac{a}{b} + \\sqrt{x^2 + y^2} = \\int_0^1 f(t)\\,dt$',
  '<｜begin▁of▁sentence｜>You are helpful.<｜User｜>2+2?<｜Assistant｜><think>\nfour\n</think>4<｜end▁of▁sentence｜>',
  '<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>f<｜tool▁sep｜>{"a": 1}<｜tool▁call▁end｜><｜tool▁calls▁end｜>',
  'ÿ þ ß é ñ ü Å Ø — “quotes” ‘single’ … €100',
];

describe('tiny byte-level BPE tokenizer', () => {
  const files = buildTinyTokenizer(1024, 8192);
  const ids = tinySpecialTokenIds(1024);
  let tok: Tokenizer;

  beforeAll(() => {
    tok = new Tokenizer(files.tokenizerJson, files.tokenizerConfig);
  });

  it('fits the model vocabulary and fills it with 256 bytes, merges and the special tokens', () => {
    const model = files.tokenizerJson.model as { vocab: Record<string, number>; merges: string[] };
    const vocabIds = Object.values(model.vocab);
    expect(Math.max(...vocabIds)).toBeLessThan(1024);
    expect(new Set(vocabIds).size).toBe(vocabIds.length);
    expect(tok.get_vocab(true).size).toBe(1024);
    expect(model.merges.length).toBeGreaterThan(700);
    for (const m of model.merges.slice(0, 50)) expect(m.split(' ').length).toBe(2);
  });

  it('has DeepSeek special tokens with their exact strings as single ids', () => {
    expect(ids['<｜begin▁of▁sentence｜>']).toBe(0);
    expect(ids['<｜end▁of▁sentence｜>']).toBe(1);
    for (const s of ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜User｜>', '<｜Assistant｜>', '<think>', '</think>', '<｜tool▁calls▁begin｜>', '<｜tool▁calls▁end｜>', '<｜tool▁call▁begin｜>', '<｜tool▁call▁end｜>', '<｜tool▁sep｜>', '<｜tool▁output▁begin｜>', '<｜tool▁output▁end｜>']) {
      expect(ids[s]).toBeDefined();
      expect(tok.encode(s).ids).toEqual([ids[s]]);
      expect(tok.token_to_id(s)).toBe(ids[s]);
    }
    // U+FF5C and U+2581, not ASCII: the ASCII look-alike is ordinary text.
    expect(tok.encode('<|User|>').ids.length).toBeGreaterThan(1);
    expect(ids['<｜User｜>']).toBe(1012);
    expect(ids['<｜Assistant｜>']).toBe(1013);
    expect(ids['<think>']).toBe(1007);
    expect(ids['</think>']).toBe(1008);
  });

  it('uses exactly DeepSeek V3 normalizer, pre-tokenizer, post-processor and decoder', () => {
    const real = JSON.parse(readFileSync(realTokenizerDir() + '/tokenizer.json', 'utf8'));
    expect(DEEPSEEK_V3_PRETOKENIZER).toEqual(real.pre_tokenizer);
    expect(files.tokenizerJson.pre_tokenizer).toEqual(real.pre_tokenizer);
    expect(files.tokenizerJson.normalizer).toEqual(real.normalizer);
    expect(files.tokenizerJson.post_processor).toEqual(real.post_processor);
    expect(files.tokenizerJson.decoder).toEqual(real.decoder);
    expect((files.tokenizerJson.model as Record<string, unknown>).type).toBe('BPE');
  });

  it('round-trips text with digits, CJK, emoji, newlines and special tokens', () => {
    for (const text of ROUND_TRIP) {
      const enc = tok.encode(text);
      expect(enc.ids.every((i: number) => Number.isInteger(i) && i >= 0 && i < 1024)).toBe(true);
      expect(tok.decode(enc.ids)).toBe(text);
    }
    expect(tok.encode('The answer is 42.').ids.length).toBeLessThan('The answer is 42.'.length);
    expect(tok.encode('').ids).toEqual([]); // (tokenizers.js refuses to decode an empty id list)
  });

  it('splits digits into runs of at most three', () => {
    for (const t of tok.encode('x=1234567890').tokens) if (/^\d+$/.test(t)) expect(t.length).toBeLessThanOrEqual(3);
    expect(preTokenize('1234567')).toEqual(['123', '456', '7']);
    expect(preTokenize('Hello world')).toEqual(['Hello', 'Ġworld']);
  });

  it('does not add a BOS of its own (chat formats insert it textually)', () => {
    expect(tok.encode('hi').ids[0]).not.toBe(0);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(buildTinyTokenizer(1024, 8192))).toBe(JSON.stringify(files));
  });
});

function realTokenizerDir(): string {
  return join(projectRoot, 'node_modules', '@lenml', 'tokenizer-deepseek_v3', 'models');
}

describe("DeepSeek V3's real tokenizer.json", () => {
  let tok: Tokenizer;

  beforeAll(() => {
    const dir = realTokenizerDir();
    tok = new Tokenizer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')));
  });

  it('gives the ids spec §8.1 confirms for the special tokens', () => {
    const confirmed: [string, number][] = [
      ['<｜begin▁of▁sentence｜>', 0],
      ['<｜end▁of▁sentence｜>', 1],
      ['<｜User｜>', 128803],
      ['<｜Assistant｜>', 128804],
      ['<｜tool▁calls▁begin｜>', 128806],
      ['<｜tool▁calls▁end｜>', 128807],
      ['<｜tool▁call▁begin｜>', 128808],
      ['<｜tool▁call▁end｜>', 128809],
      ['<｜tool▁sep｜>', 128814],
    ];
    for (const [s, id] of confirmed) {
      expect(tok.token_to_id(s)).toBe(id);
      expect(tok.encode(s).ids).toEqual([id]);
    }
    // "read from tokenizer.json" in the spec table:
    expect(tok.token_to_id('<｜tool▁output▁begin｜>')).toBe(128812);
    expect(tok.token_to_id('<｜tool▁output▁end｜>')).toBe(128813);
  });

  it('is the V3 vocabulary: 128798/128799 are still placeholders (the V3.1 family turned them into <think>/</think>)', () => {
    expect(tok.id_to_token(128798)).toBe('<｜place▁holder▁no▁798｜>');
    expect(tok.id_to_token(128799)).toBe('<｜place▁holder▁no▁799｜>');
    expect(tok.encode('<think>').ids.length).toBeGreaterThan(1);
  });

  it('round-trips the same texts', () => {
    for (const text of ROUND_TRIP) expect(tok.decode(tok.encode(text).ids)).toBe(text);
    expect(tok.encode('1234567').tokens).toEqual(['123', '456', '7']);
  });
});

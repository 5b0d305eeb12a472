/**
 * Chunked token counting: a text's tokens are the sum of its chunks' tokens for byte-level BPE tokenizers
 * with GPT-style pre-tokenizers. Checked with DeepSeek V3's real tokenizer and with the engine's tiny test
 * tokenizer on essay text, generated haystacks and chat prompts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTinyTokenizer } from '../../../engine/testmodel/tokenizer.js';
import { loadTokenizer, promptTokenCounter } from '../../../harness/tokenizer.js';
import type { TokenCounter } from '../../../harness/types.js';
import { chunkText, joinsAtBoundary, TokenLengths } from '../../../suites/ruler/tokens.js';
import { ChunkedText } from '../../../suites/ruler/chunked-text.js';
import { Rng } from '../../../suites/ruler/random.js';
import { deepseekCounter } from './helpers.js';

const dataDir = process.env.DSEVAL_DATA_DIR;

function tinyCounter(): TokenCounter {
  const dir = mkdtempSync(join(tmpdir(), 'dseval-tok-'));
  const { tokenizerJson, tokenizerConfig } = buildTinyTokenizer();
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig));
  return promptTokenCounter(loadTokenizer(dir), 'deepseek-v3.2', { thinking: false });
}

/** Text with the shapes generated prompts have: words, numbers, punctuation, uuids, line breaks, spaces. */
function sampleText(seed: number): string {
  const rng = new Rng(seed);
  const parts: string[] = [];
  for (let i = 0; i < 400; i++) {
    const r = rng.below(10);
    if (r < 4) parts.push(rng.pick(['the', 'Grass', "isn't", 'green.', 'e.g.', '(sic)', '"quoted"', 'naïve', 'ad hoc-dump truck']));
    else if (r < 6) parts.push(String(rng.int(0, 9_999_999)) + rng.pick(['', '.', ':', ',']));
    else if (r < 7) parts.push(rng.uuid4());
    else if (r < 8) parts.push(rng.pick(['\n', '\n\n', ' \n', '\t']));
    else parts.push(rng.pick(['VAR ABCDE = VAR FGHIJ', '12. word', '...', 'Document 3:\n', '  ']));
  }
  return parts.join(rng.pick([' ', ' ', ' ', '']));
}

describe('chunk boundaries', () => {
  it('cut before a space that follows a non-space, and after a newline before a non-space', () => {
    expect(chunkText('One of the  magic\nnumbers.\n\nVAR A')).toEqual(['One', ' of', ' the', '  magic\n', 'numbers.\n\n', 'VAR', ' A']);
    expect(chunkText('  lead')).toEqual(['  lead']);
    expect(chunkText('')).toEqual([]);
    expect(joinsAtBoundary('word.', ' Next')).toBe(true);
    expect(joinsAtBoundary('line\n', 'Next')).toBe(true);
    expect(joinsAtBoundary('line\n', ' Next')).toBe(false);
    expect(joinsAtBoundary('word', 'Next')).toBe(false);
    expect(joinsAtBoundary('', 'x')).toBe(true);
  });
});

describe.each([
  ['DeepSeek V3', deepseekCounter],
  ['the tiny test-model tokenizer', tinyCounter],
])('chunked counts with %s', (_name, make) => {
  const counter = make();
  it('equal a full tokenization on mixed generated text', () => {
    const lengths = new TokenLengths(counter);
    for (let seed = 1; seed <= 12; seed++) {
      const text = sampleText(seed);
      expect(lengths.text(text)).toBe(counter.countText(text));
    }
    expect(lengths.stats.cacheHits).toBeGreaterThan(0);
  });
  it('add up across a chat prompt: empty-user prompt + user text', () => {
    const user = `${sampleText(99)}\nWhat is it?`;
    const prompt = { kind: 'chat' as const, messages: [{ role: 'user' as const, content: user }], assistantPrefix: 'The answer is' };
    const empty = { kind: 'chat' as const, messages: [{ role: 'user' as const, content: '' }], assistantPrefix: 'The answer is' };
    expect(counter.countPrompt(empty) + new TokenLengths(counter).text(user)).toBe(counter.countPrompt(prompt));
  });
});

describe.skipIf(!dataDir)('chunked counts on the essay haystack (real data)', () => {
  it('prefix sums over 20,000 essay words equal a full tokenization, across a repetition', () => {
    const essay = JSON.parse(readFileSync(join(dataDir!, 'haystack', 'ruler_PaulGrahamEssays.json'), 'utf8')).text as string;
    const counter = deepseekCounter();
    const lengths = new TokenLengths(counter);
    const words = essay.replace(/\s+/g, ' ').trim();
    // A short base so that the probe crosses the point where the text repeats.
    const base = words.split(' ').slice(0, 12_000).join(' ');
    const hay = new ChunkedText(base, ' ', lengths);
    hay.ensure(20_000);
    expect(hay.tokens(0, 20_000)).toBe(counter.countText(hay.slice(0, 20_000)));
    expect(hay.tokens(5_000, 15_000)).toBe(counter.countText(hay.slice(5_000, 15_000)));
    expect(hay.slice(11_999, 12_002)).toBe(` ${base.split(' ').at(-1)} ${base.split(' ')[0]} ${base.split(' ')[1]}`);
  });
});

/**
 * RULER item generation on a fresh machine (no data files: the tasks that need none, with pseudo-word
 * keys), sized in DeepSeek V3's real tokens: exact lengths, needles where the metadata says, answerable
 * items, reproducibility, and the refusals.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Item } from '../../../harness/types.js';
import { loadTokenizer, promptTokenCounter } from '../../../harness/tokenizer.js';
import ruler from '../../../suites/ruler/suite.js';
import { deepseekCounter, expectSizedWithin1Pct, generateRuler, inputOf, solve } from './helpers.js';

const meta = (i: Item) => i.metadata as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const refs = (i: Item) => (i.target as { references: string[] }).references;

describe('RULER generation without data files', () => {
  let items: Item[];
  beforeAll(async () => {
    items = await generateRuler({ tasks: 'no-files', lengths: '4096,8k', samples: '2' });
  });

  it('makes every task × length × sample', () => {
    expect(items.map((i) => i.id)).toEqual(
      [4096, 8192].flatMap((l) => ['niah_single_1', 'niah_multikey_2', 'niah_multikey_3', 'vt', 'cwe', 'fwe'].flatMap((t) => [0, 1].map((s) => `${t}/${l}/${s}`))),
    );
    for (const i of items) {
      expect(meta(i)).toMatchObject({ task: i.id.split('/')[0], length: Number(i.id.split('/')[1]), sample: Number(i.id.split('/')[2]) });
      expect(i.maxTokens).toBe(meta(i).answer_budget);
    }
    expect(items.find((i) => i.id.startsWith('vt/'))!.maxTokens).toBe(30);
    expect(items.find((i) => i.id.startsWith('cwe/'))!.maxTokens).toBe(120);
  });

  it('sizes every item within 1% below its length, counted exactly (chat format + answer budget)', () => {
    expectSizedWithin1Pct(items);
  });

  it('puts every needle exactly where the metadata says, once', () => {
    for (const i of items.filter((x) => x.id.startsWith('niah') || x.id.startsWith('vt'))) {
      const text = inputOf(i);
      const needles = meta(i).needles as Array<{ offset: number; length: number; text: string }>;
      expect(needles.length, i.id).toBe(i.id.startsWith('vt') ? 5 : 1);
      for (const n of needles) {
        expect(text.slice(n.offset, n.offset + n.length)).toBe(n.text);
        expect(text.split(n.text).length - 1, `${i.id}: ${n.text}`).toBe(1);
        expect(text[n.offset - 1]).toBe('\n'); // lines haystacks: a needle is a line of its own
      }
      if (i.id.startsWith('niah')) expect(needles[0].text).toContain(`is: ${refs(i)[0]}.`);
      else expect(needles.map((n) => n.offset)).toEqual([...needles.map((n) => n.offset)].sort((a, b) => a - b));
    }
  });

  it('makes answerable items: solving from the text alone gives exactly the references', () => {
    for (const i of items) {
      const answer = solve(inputOf(i));
      if (i.id.startsWith('cwe')) expect(new Set(answer), i.id).toEqual(new Set(refs(i)));
      else expect(answer, i.id).toEqual(refs(i)); // one value, an ordered chain, or ranked words
    }
  });

  it('builds the word tasks with the frequencies RULER uses', () => {
    for (const i of items.filter((x) => x.id.startsWith('cwe'))) {
      const text = inputOf(i);
      const list = text.slice(text.lastIndexOf('most often.\n') + 12, text.lastIndexOf('\nQuestion:'));
      const counts = new Map<string, number>();
      for (const w of list.split(/(?:^| )\d+\. /).filter(Boolean)) counts.set(w, (counts.get(w) ?? 0) + 1);
      const [common, rare] = meta(i).frequencies as number[];
      expect([common, rare]).toEqual([30, 3]);
      for (const [w, c] of counts) expect(c, w).toBe(refs(i).includes(w) ? common : rare);
      expect(text).toContain('Answer: The top 10 words that appear most often in the list are: 1. '); // the worked example
    }
    for (const i of items.filter((x) => x.id.startsWith('fwe'))) {
      const text = inputOf(i);
      const words = text.slice(text.lastIndexOf('coded words.') + 12, text.lastIndexOf('\nQuestion:')).split(' ').filter(Boolean);
      const counts = new Map<string, number>();
      for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
      const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
      expect(ranked[0][0]).toBe('...');
      expect(ranked.slice(1, 4).map(([w]) => w)).toEqual(refs(i));
      expect(ranked[3][1]).toBeGreaterThan(ranked[4][1]);
      expect(meta(i).vocabulary).toBe(Math.floor((meta(i).length - 50) / 50));
    }
  });

  it('records the pseudo-word fallback on items that use words', () => {
    for (const i of items) {
      const expected = ['niah_single_1', 'niah_multikey_2', 'cwe'].includes(meta(i).task) ? 'pseudo-words' : undefined;
      if (expected) expect(meta(i).word_source, i.id).toBe(expected);
    }
    expect(refs(items.find((i) => i.id === 'cwe/4096/0')!).every((w) => /^[a-z]+$/.test(w))).toBe(true);
  });

  it('is identical across runs with the same seed, and differs with another seed', async () => {
    const again = await generateRuler({ tasks: 'no-files', lengths: [4096, 8192], samples: 2 });
    expect(again).toEqual(items);
    const other = await generateRuler({ tasks: 'no-files', lengths: '4096,8192', samples: 2, dataSeed: 7 });
    other.forEach((o, k) => expect(inputOf(o), o.id).not.toBe(inputOf(items[k])));
  });

  it('keeps each item when samples or lengths are added', async () => {
    const more = await generateRuler({ tasks: 'vt,fwe', lengths: '2048,4096', samples: 3 });
    for (const m of more) {
      const same = items.find((i) => i.id === m.id);
      if (same) expect(m).toEqual(same);
    }
    expect(more.filter((m) => items.some((i) => i.id === m.id))).toHaveLength(4);
  });
});

describe('RULER generation: options and refusals', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses, skips or keeps-and-flags items that cannot fit', async () => {
    await expect(generateRuler({ tasks: 'cwe,vt', lengths: '256', samples: 1 })).rejects.toThrow(/cwe at 256: the smallest prompt \+ answer budget is \d+ tokens[\s\S]*--over-length/);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const skipped = await generateRuler({ tasks: 'cwe,fwe', lengths: '256', samples: 2, overLength: 'skip' });
    expect(skipped.map((i) => i.id)).toEqual(['fwe/256/0', 'fwe/256/1']);
    const kept = await generateRuler({ tasks: 'cwe', lengths: '256', samples: 1, overLength: 'keep' });
    expect(meta(kept[0])).toMatchObject({ over_length: true });
    expect(meta(kept[0]).tokens).toBeGreaterThan(256);
    expect(String(stderr.mock.calls.map((c) => c[0]).join(''))).toMatch(/skipped cwe at 256[\s\S]*kept over-length items/);
  });

  it('needs a tokenizer, known tasks, valid lengths, and the files its tasks read', async () => {
    await expect(generateRuler({ tasks: 'vt' }, null, null)).rejects.toThrow(/--tokenizer <model dir \| tokenizer.json \| deepseek-v3>/);
    await expect(generateRuler({ tasks: 'vt,niah_singel_1' })).rejects.toThrow(/unknown task "niah_singel_1"/);
    await expect(generateRuler({ tasks: 'vt', lengths: '4096,abc' })).rejects.toThrow(/--lengths: "abc" is not a length/);
    await expect(generateRuler({ tasks: 'vt', samples: '0' })).rejects.toThrow(/--samples/);
    await expect(generateRuler({ tasks: 'vt', sampels: 2 })).rejects.toThrow(/sampels/);
    await expect(generateRuler({ tasks: 'niah_single_2' })).rejects.toThrow(/niah_single_2 need the essay haystack: no data directory is set .*--essays <path>, or run only tasks that need no files with --tasks no-files/);
    await expect(generateRuler({ tasks: 'qa_1' })).rejects.toThrow(/qa_1 needs SQuAD v2.0 dev.*--squad <path>/);
    await expect(generateRuler({ tasks: 'niah_single_2', essays: '/nonexistent/essays.json' })).rejects.toThrow(/essay haystack not found: \/nonexistent\/essays.json/);
  });

  it('moves the answer prefix into the user turn and widens the budget in thinking mode', async () => {
    const [i] = await generateRuler({ tasks: 'vt', lengths: 2048, samples: 1, thinkingBudget: 1000 });
    expect(i.fields.answer_prefix).toBeNull();
    expect(inputOf(i)).toMatch(/\n\nAnswer: According to the chain\(s\) of variable assignment in the text above, 5 variables are assigned the value \d+, they are:$/);
    expect(i.maxTokens).toBe(1030);
    const p = ruler.render(i, {});
    expect(p).toEqual({ kind: 'chat', messages: [{ role: 'user', content: inputOf(i) }] });
    expect(deepseekCounter().countPrompt(p) + 1030).toBe(meta(i).tokens);
    expect(meta(i).tokens).toBeLessThanOrEqual(2048);
  });

  it('falls back to exact counting for a tokenizer that merges across chunk boundaries', async () => {
    // A BPE with no pre-tokenizer whose merges cross word boundaries ("e " + …): chunk sums are wrong for it.
    const dir = mkdtempSync(join(tmpdir(), 'dseval-bpe-'));
    const chars = [...new Set([...Array.from({ length: 95 }, (_, k) => String.fromCharCode(32 + k)), '\n', '｜', '▁', '<', '>'])];
    const vocab: Record<string, number> = Object.fromEntries(chars.map((c, k) => [c, k]));
    vocab['e '] = chars.length;
    vocab['. '] = chars.length + 1;
    writeFileSync(
      join(dir, 'tokenizer.json'),
      JSON.stringify({ version: '1.0', added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, model: { type: 'BPE', vocab, merges: [['e', ' '], ['.', ' ']], unk_token: null } }),
    );
    const counter = promptTokenCounter(loadTokenizer(dir), 'deepseek-v3.2', { thinking: false });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const got = await generateRuler({ tasks: 'niah_single_1,vt', lengths: 3000, samples: 1 }, null, counter);
    expect(String(stderr.mock.calls.map((c) => c[0]).join(''))).toMatch(/does not split where chunked counting assumes .*counting every prompt exactly/);
    for (const i of got) {
      expect(counter.countPrompt(ruler.render(i, {})) + meta(i).answer_budget).toBe(meta(i).tokens);
      expect(meta(i).tokens).toBeLessThanOrEqual(3000);
      expect(meta(i).tokens).toBeGreaterThan(2900);
    }
  });
});

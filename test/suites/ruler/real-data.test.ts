/** RULER on the real essays and word lists ($DSEVAL_DATA_DIR), sized in DeepSeek V3's tokens. */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Item } from '../../../harness/types.js';
import { endsSentence } from '../../../suites/ruler/sentences.js';
import { expectSizedWithin1Pct, generateRuler, inputOf, solve } from './helpers.js';

const dataDir = process.env.DSEVAL_DATA_DIR;
const meta = (i: Item) => i.metadata as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.skipIf(!dataDir)('RULER with the real essays and word lists', () => {
  let items: Item[];
  beforeAll(async () => {
    items = await generateRuler({ tasks: 'synthetic', lengths: '4096,16384', samples: 2 }, dataDir!);
  });

  it('sizes all 11 synthetic tasks within 1% below the length, counted exactly', () => {
    expect(items).toHaveLength(11 * 2 * 2);
    expectSizedWithin1Pct(items);
  });

  it('places essay needles between sentences, at their recorded offsets and depths', () => {
    for (const i of items.filter((x) => ['essay'].includes(meta(x).haystack))) {
      const text = inputOf(i);
      const needles = meta(i).needles as Array<{ offset: number; length: number; text: string; depth: number }>;
      expect(needles.length).toBe(meta(i).task === 'niah_multivalue' || meta(i).task === 'niah_multiquery' || meta(i).task === 'niah_multikey_1' ? 4 : 1);
      for (const n of needles) {
        expect(text.slice(n.offset, n.offset + n.length)).toBe(n.text);
        const before = text.slice(0, n.offset);
        // At the start of the context, after another needle, or after a word that ends a sentence.
        const prevWord = before.trimEnd().split(/\s+/).at(-1)!;
        expect(before.endsWith('afterwards.\n') || prevWord.endsWith('.') || endsSentence(prevWord), `${i.id}: …${before.slice(-40)}`).toBe(true);
        expect(n.depth).toBeGreaterThanOrEqual(0);
        expect(n.depth).toBeLessThanOrEqual(100);
      }
      const offsets = needles.map((n) => n.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
  });

  it('makes answerable items with the real word lists', () => {
    for (const i of items) {
      const answer = solve(inputOf(i));
      const refs = (i.target as { references: string[] }).references;
      // Order does not matter to the score; several values or words may come in any order.
      expect(new Set(answer), i.id).toEqual(new Set(refs));
      expect(answer).toHaveLength(refs.length);
      if (meta(i).word_source) expect(meta(i).word_source).toBe('wonderwords');
    }
  });

  it('runs all tasks by default, skipping qa without its files and saying so', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const all = await generateRuler({ lengths: 4096, samples: 1 }, dataDir!);
    const logged = stderr.mock.calls.map((c) => String(c[0])).join('');
    stderr.mockRestore();
    expect(all.map((i) => i.metadata.task)).toEqual(['niah_single_1', 'niah_single_2', 'niah_single_3', 'niah_multikey_1', 'niah_multikey_2', 'niah_multikey_3', 'niah_multivalue', 'niah_multiquery', 'vt', 'cwe', 'fwe']);
    expect(logged).toMatch(/qa_1 and qa_2 skipped: no SQuAD v2\.0 dev \(--squad\) or HotpotQA dev-distractor \(--hotpotqa\) file; averages cover 11 tasks/);
  });
});

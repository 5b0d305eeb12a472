/**
 * NIAH items sized in DeepSeek V3's tokens over an essay folder (a fixture the test writes; the real
 * gkamradt essays when $DSEVAL_DATA_DIR is set): exact lengths, the needle at a sentence boundary at the
 * recorded offset and depth, the multi-needle variant, and option errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Item, JsonObject } from '../../../harness/types.js';
import niah from '../../../suites/niah/suite.js';
import { endsSentence } from '../../../suites/ruler/sentences.js';
import { deepseekCounter, solve } from '../ruler/helpers.js';
import { writeEssays } from './fixtures.js';

const dataDir = process.env.DSEVAL_DATA_DIR;
const meta = (i: Item) => i.metadata as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const load = (options: JsonObject, dir: string | null = null) => niah.load({ dataPath: null, dataDir: dir, options, tokenizer: deepseekCounter() });
const user = (i: Item) => String(i.fields.input);

function checkItems(items: Item[]) {
  const counter = deepseekCounter();
  for (const i of items) {
    const exact = counter.countPrompt(niah.render(i, {})) + meta(i).answer_budget;
    expect(meta(i).tokens, i.id).toBe(exact);
    expect(exact, i.id).toBeLessThanOrEqual(meta(i).length);
    expect(exact, i.id).toBeGreaterThanOrEqual(0.99 * meta(i).length);
    const text = user(i);
    const needles = meta(i).needles as Array<{ offset: number; length: number; text: string; depth: number; token_depth: number }>;
    for (const n of needles) {
      expect(text.slice(n.offset, n.offset + n.length)).toBe(n.text);
      const before = text.slice(0, n.offset).trimEnd();
      const prev = before.split(/\s+/).at(-1) ?? '';
      if (n.depth < 100) expect(before === '' || endsSentence(prev) || prev.endsWith('.'), `${i.id}: …${before.slice(-30)}`).toBe(true);
      // Landed at or just before the requested depth (moved back to a sentence start).
      expect(n.token_depth).toBeLessThanOrEqual(n.depth + 1e-9);
      if (n.depth > 0 && n.depth < 100) expect(n.token_depth).toBeGreaterThan(n.depth - 15);
    }
    expect(text).toMatch(/\n\n(What is the best thing to do in San Francisco\?|What are the secret ingredients needed to build the perfect pizza\?) Don't give information outside the document or repeat your findings$/);
  }
}

describe('NIAH over a fixture essay folder', () => {
  const essays = writeEssays();
  let items: Item[];
  beforeAll(async () => {
    items = await load({ lengths: '1000,3000:5000:2', depths: '0:100:5', variant: 'both', essays });
  });

  it('makes the length × depth grid for both variants', () => {
    expect(items.map((i) => i.id)).toEqual(
      ['niah', 'niah_multi'].flatMap((t) => [1000, 3000, 5000].flatMap((l) => [0, 25, 50, 75, 100].map((d) => `${t}/${l}/${d}`))),
    );
    const p = niah.render(items[0], {});
    expect(p).toEqual({ kind: 'chat', messages: [{ role: 'system', content: 'You are a helpful AI bot that answers questions for a user. Keep your response short and direct' }, { role: 'user', content: user(items[0]) }] });
    expect(items[0].target).toEqual({ match: 'all', references: ['sandwich', 'Dolores Park'] });
    expect(items.at(-1)!.target).toEqual({ match: 'all', references: ['figs', 'prosciutto', 'goat cheese'] });
  });

  it('sizes each prompt within 1% below its length and puts needles at sentence starts (repeating the essays)', () => {
    checkItems(items);
    expect(meta(items.find((i) => i.id === 'niah/5000/50')!).haystack_units).toBeGreaterThan(3000); // more words than the folder holds
  });

  it('places the three pizza needles in order from the depth on, and the single needle once', () => {
    for (const i of items) {
      const needles = meta(i).needles as Array<{ offset: number; text: string }>;
      expect(needles).toHaveLength(i.id.startsWith('niah_multi') ? 3 : 1);
      for (const n of needles) expect(user(i).split(n.text).length - 1).toBe(1);
      const offsets = needles.map((n) => n.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(solve(user(i))).toEqual(i.id.startsWith('niah_multi') ? ['figs', 'prosciutto', 'goat cheese'] : ['eat a sandwich and sit in Dolores Park on a sunny day']);
    }
    expect(user(items.find((i) => i.id === 'niah/1000/0')!).startsWith('The best thing to do in San Francisco')).toBe(true);
  });

  it('is the same every time (no randomness in the grid)', async () => {
    expect(await load({ lengths: '1000,3000:5000:2', depths: '0:100:5', variant: 'both', essays })).toEqual(items);
  });

  it('takes a custom needle, sigmoid depths, and refuses bad options', async () => {
    const custom = await load({ lengths: 1200, depths: '0:100:3', depthSpacing: 'sigmoid', needle: 'The secret password of the vault is tangerine-42.', question: 'What is the secret password of the vault?', keyPhrases: 'tangerine-42', essays });
    expect(custom.map((i) => i.id)).toEqual(['niah/1200/0', 'niah/1200/50', 'niah/1200/100']);
    expect(custom[1].target).toEqual({ match: 'all', references: ['tangerine-42'] });
    expect(user(custom[1])).toContain('The secret password of the vault is tangerine-42.');
    await expect(load({ needle: 'x', essays })).rejects.toThrow(/--needle, --question and --key-phrases together/);
    await expect(load({ needle: 'A fact.', question: 'Q?', keyPhrases: 'other', essays })).rejects.toThrow(/key phrases not in the needle: other/);
    await expect(load({ depths: '0,120', essays })).rejects.toThrow(/depth 120/);
    await expect(load({ lengths: '1000:2000', essays })).rejects.toThrow(/--lengths: "1000:2000" is not start:end:count/);
    await expect(load({ lengths: 100, essays })).rejects.toThrow(/niah at 100 needs at least \d+ tokens/);
    await expect(load({})).rejects.toThrow(/needs the essay haystack .*no data directory is set.*--essays <path>/);
    await expect(niah.load({ dataPath: null, dataDir: null, options: { essays }, tokenizer: null })).rejects.toThrow(/--tokenizer/);
  });
});

describe.skipIf(!dataDir)('NIAH over the gkamradt essays (real data)', () => {
  it('sizes the default grid exactly and places the needle at sentence starts', async () => {
    const items = await load({}, dataDir!);
    expect(items).toHaveLength(4 * 11);
    checkItems(items);
  });
});

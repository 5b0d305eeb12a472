/** RULER's QA tasks from SQuAD- and HotpotQA-shaped files the test writes (the real files are not shipped). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../../harness/types.js';
import ruler from '../../../suites/ruler/suite.js';
import { Rng } from '../../../suites/ruler/random.js';
import { deepseekCounter, generateRuler, inputOf } from './helpers.js';

const meta = (i: Item) => i.metadata as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const WORDS = 'river stone market winter garden letter engine harbor violin copper meadow lantern signal orchard canyon'.split(' ');
function paragraph(rng: Rng, topic: string): string {
  const sentences = Array.from({ length: 4 + rng.below(4) }, () => `The ${rng.pick(WORDS)} of ${topic} was ${rng.pick(WORDS)} and ${rng.pick(WORDS)}.`);
  return sentences.join(' ');
}

function writeFixtures(dir: string): { squad: string; hotpot: string } {
  const rng = new Rng(5);
  const squad = {
    version: 'v2.0',
    data: Array.from({ length: 6 }, (_, a) => ({
      title: `Article ${a}`,
      paragraphs: Array.from({ length: 8 }, (_, p) => ({
        context: `${paragraph(rng, `topic${a}x${p}`)} The secret code of paragraph ${a}-${p} is K${a}${p}Z.`,
        qas: [
          { question: `What is the secret code of paragraph ${a}-${p}?`, answers: [{ text: `K${a}${p}Z` }, { text: `K${a}${p}Z` }], is_impossible: false },
          { question: `Unanswerable ${a}-${p}?`, answers: [], is_impossible: true },
        ],
      })),
    })),
  };
  const hotpot = Array.from({ length: 20 }, (_, q) => ({
    _id: `h${q}`,
    question: `Which town did traveller ${q} reach?`,
    answer: `Town${q}`,
    context: Array.from({ length: 10 }, (_, k): [string, string[]] => [`Title ${q}.${k}`, [`Sentence one about ${q}.${k}. `, k === 3 ? `Traveller ${q} reached Town${q}.` : paragraph(rng, `h${q}`)]]),
  }));
  const paths = { squad: join(dir, 'dev-v2.0.json'), hotpot: join(dir, 'hotpot.json') };
  writeFileSync(paths.squad, JSON.stringify(squad));
  writeFileSync(paths.hotpot, JSON.stringify(hotpot));
  return paths;
}

describe('RULER qa_1 / qa_2 from user-supplied files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dseval-qa-'));
  const files = writeFixtures(dir);
  let items: Item[];
  beforeAll(async () => {
    items = await generateRuler({ tasks: 'qa_1,qa_2', lengths: '2048,4096', samples: 3, squad: files.squad, hotpotqa: files.hotpot });
  });

  it('fills each length with numbered documents around the gold ones, counted exactly', () => {
    expect(items).toHaveLength(12);
    const counter = deepseekCounter();
    for (const i of items) {
      const exact = counter.countPrompt(ruler.render(i, {})) + 32;
      expect(meta(i).tokens, i.id).toBe(exact);
      expect(exact).toBeLessThanOrEqual(meta(i).length);
      expect(i.target).toMatchObject({ match: 'part' });
      const text = inputOf(i);
      expect(text).toMatch(/^Answer the question based on the given documents\. Only give me the answer and do not output any other words\.\n\nThe following are given documents\.\n\nDocument 1:\n/);
      expect(text).toContain(`\n\nQuestion: ${meta(i).query}`);
      expect(text.match(/Document \d+:\n/g)).toHaveLength(meta(i).documents);
      expect(i.fields.answer_prefix).toBe('Answer:');
    }
  });

  it('includes the gold paragraphs where the metadata says, and answers are in them', () => {
    for (const i of items) {
      const text = inputOf(i);
      const gold = meta(i).needles as Array<{ kind: string; offset: number; length: number }>;
      expect(gold.length).toBe(i.id.startsWith('qa_1') ? 1 : 10);
      expect(text.slice(gold[0].offset - 20, gold[0].offset)).toMatch(/\n\nDocument \d+:\n$|^Document \d+:\n$/);
      const answer = (i.target as { references: string[] }).references[0];
      expect(gold.some((g) => text.slice(g.offset, g.offset + g.length).includes(answer))).toBe(true);
      expect((i.target as { references: string[] }).references).toEqual([answer]); // duplicates dropped
    }
  });

  it('asks the same question of sample i at every length, and fills SQuAD with same-article paragraphs first', () => {
    const q = (id: string) => meta(items.find((i) => i.id === id)!).query;
    expect(q('qa_1/2048/0')).toBe(q('qa_1/4096/0'));
    expect(q('qa_2/2048/2')).toBe(q('qa_2/4096/2'));
    const first = items.find((i) => i.id === 'qa_1/2048/0')!;
    const article = /paragraph (\d)-\d/.exec(String(meta(first).query))![1];
    // 7 same-article paragraphs join before any other article's.
    expect(inputOf(first).match(new RegExp(`The secret code of paragraph ${article}-`, 'g'))!.length).toBe(8);
  });

  it('names a malformed file and the field', async () => {
    const bad = join(dir, 'bad-squad.json');
    writeFileSync(bad, JSON.stringify({ data: [{ paragraphs: [{ context: 'x' }] }] }));
    await expect(generateRuler({ tasks: 'qa_1', lengths: 2048, samples: 1, squad: bad })).rejects.toThrow(/bad-squad\.json: not a SQuAD v2\.0 \(dev-v2\.0\.json\) file: at data\.0\.paragraphs\.0\.qas/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"data": [');
    await expect(generateRuler({ tasks: 'qa_2', lengths: 2048, samples: 1, hotpotqa: broken })).rejects.toThrow(/broken\.json: malformed JSON/);
  });
});

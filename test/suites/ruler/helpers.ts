/**
 * Shared by the RULER and NIAH tests: DeepSeek V3's real tokenizer as a prompt counter, item generation,
 * and a solver that answers a generated prompt from its text alone (the way a perfect model would) — so
 * tests can check that every item is answerable and that its references are the right ones.
 */
import { expect } from 'vitest';
import { loadTokenizer, promptTokenCounter } from '../../../harness/tokenizer.js';
import type { Item, JsonObject, TokenCounter } from '../../../harness/types.js';
import ruler from '../../../suites/ruler/suite.js';

let cached: TokenCounter | null = null;
/** DeepSeek V3's tokenizer with the V3.2 chat format, loaded once per test file. */
export function deepseekCounter(): TokenCounter {
  cached ??= promptTokenCounter(loadTokenizer('deepseek-v3'), 'deepseek-v3.2', { thinking: false });
  return cached;
}

export async function generateRuler(options: JsonObject, dataDir: string | null = null, tokenizer: TokenCounter | null = deepseekCounter()): Promise<Item[]> {
  return ruler.load({ dataPath: null, dataDir, options, tokenizer });
}

/**
 * Every item's recorded size is its exact count (chat-formatted prompt + answer budget), at most its target
 * length and within 1% below it. The uuid task's haystack unit is a ~60-token line: at 4K one line is more than 1%.
 */
export function expectSizedWithin1Pct(items: Item[]): void {
  const counter = deepseekCounter();
  for (const i of items) {
    const meta = i.metadata as { tokens: number; length: number; answer_budget: number };
    const exact = counter.countPrompt(ruler.render(i, {})) + meta.answer_budget;
    expect(meta.tokens, i.id).toBe(exact);
    expect(exact, i.id).toBeLessThanOrEqual(meta.length);
    const slack = i.id.startsWith('niah_multikey_3/4096') ? 80 : 0.01 * meta.length;
    expect(exact, i.id).toBeGreaterThanOrEqual(meta.length - slack);
  }
}

/** The full user text the model sees (answer prefix excluded). */
export const inputOf = (item: Item) => String(item.fields.input);

const count = <T>(xs: T[]) => {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
};
const topBy = (m: Map<string, number>, k: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([w]) => w);
const lastMatch = (re: RegExp, text: string) => [...text.matchAll(re)].at(-1) ?? null;

/** The answers of a RULER or NIAH prompt, found from its text; null when the task is not recognised. */
export function solve(text: string): string[] | null {
  const niah = lastMatch(/What (?:is the|are all the) special magic \w+ for (.+?) mentioned in the provided text\?/g, text);
  if (niah) {
    const keys = niah[1].split(', ').map((k) => k.replace(/^and /, ''));
    const byKey = new Map<string, string[]>();
    for (const m of text.matchAll(/One of the special magic \w+ for (.+?) is: ([^\s.]+)\./g)) byKey.set(m[1], [...(byKey.get(m[1]) ?? []), m[2]]);
    return keys.flatMap((k) => byKey.get(k) ?? []);
  }
  const vt = lastMatch(/Find all variables that are assigned the value (\d+) in the text above\./g, text);
  if (vt) {
    const assigned = new Map<string, string>();
    for (const m of text.matchAll(/VAR (\w+) = (?:VAR (\w+)|(\d+))/g)) assigned.set(m[1], m[2] ?? `=${m[3]}`);
    const valueOf = (v: string): string => {
      const x = assigned.get(v)!;
      return x.startsWith('=') ? x.slice(1) : valueOf(x);
    };
    return [...assigned.keys()].filter((v) => valueOf(v) === vt[1]);
  }
  const cweAt = text.lastIndexOf('Memorize the ones that appear most often.\n');
  if (cweAt >= 0) {
    const list = text.slice(cweAt + 'Memorize the ones that appear most often.\n'.length, text.indexOf('\nQuestion:', cweAt));
    return topBy(count(list.split(/(?:^| )\d+\. /).filter((w) => w)), 10);
  }
  const fweAt = text.lastIndexOf('Find the three most frequently appeared coded words.');
  if (fweAt >= 0) {
    const words = text.slice(fweAt + 'Find the three most frequently appeared coded words.'.length, text.indexOf('\nQuestion:', fweAt));
    return topBy(count(words.split(' ').filter((w) => w && w !== '...')), 3);
  }
  if (text.includes('What is the best thing to do in San Francisco?')) {
    const m = /The best thing to do in San Francisco is ([^.]+)\./.exec(text);
    return m ? [m[1]] : [];
  }
  if (text.includes('What are the secret ingredients needed to build the perfect pizza?')) {
    return [...text.matchAll(/(?<=^|\s)([A-Z][a-z]*(?: [a-z]+)?) (?:is|are) one of the secret ingredients needed to build the perfect pizza\./g)].map((m) => m[1].toLowerCase());
  }
  return null;
}

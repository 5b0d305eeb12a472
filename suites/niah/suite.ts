/**
 * Needle in a haystack, gkamradt's setup (gkamradt/LLMTest_NeedleInAHaystack): one fact hidden in Paul
 * Graham's essays at a grid of context lengths × depths, and a question about it. Lengths are in the
 * evaluated model's tokens (chat format and answer budget included), the needle sits at a sentence
 * boundary, and grading is deterministic — the fraction of the needle's key phrases in the answer — in
 * place of gkamradt's LLM judge. The multi-needle variant hides three pizza ingredients from the chosen
 * depth on. Per-cell scores are stored as "task=…,length=…,depth=…" slices for the heatmap (niahGrid).
 */
import { z } from 'zod';
import type { Item, JsonObject, Suite } from '../../harness/types.js';
import { standardMetrics } from '../../harness/metrics.js';
import { createStringMatchJudge } from '../../judges/string/judge.js';
import { DatasetError } from '../common/dataset.js';
import { parseSuiteOptions } from '../common/math-competition.js';
import { ChunkedText } from '../ruler/chunked-text.js';
import { DEFAULT_PATHS, missingFileMessage, readEssayDirectory, resolvePath } from '../ruler/data.js';
import { fitContext, shapePrompt, type CountMode, type PromptShape } from '../ruler/fit.js';
import { intOption, listOf, namesOption, parseTokenLength } from '../ruler/options.js';
import { TokenLengths } from '../ruler/tokens.js';
import { NO_TOKENIZER } from '../ruler/suite.js';
import { niahContext } from './context.js';
import { linspace, sigmoidDepths } from './grid.js';

export const SYSTEM = 'You are a helpful AI bot that answers questions for a user. Keep your response short and direct';
const ANSWER_RULE = "Don't give information outside the document or repeat your findings";

export interface NeedleSet {
  task: 'niah' | 'niah_multi';
  needles: string[];
  question: string;
  keyPhrases: string[];
}

export const SINGLE: NeedleSet = {
  task: 'niah',
  needles: ['The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day.'],
  question: 'What is the best thing to do in San Francisco?',
  keyPhrases: ['sandwich', 'Dolores Park'],
};

export const MULTI: NeedleSet = {
  task: 'niah_multi',
  needles: [
    'Figs are one of the secret ingredients needed to build the perfect pizza.',
    'Prosciutto is one of the secret ingredients needed to build the perfect pizza.',
    'Goat cheese is one of the secret ingredients needed to build the perfect pizza.',
  ],
  question: 'What are the secret ingredients needed to build the perfect pizza?',
  keyPhrases: ['figs', 'prosciutto', 'goat cheese'],
};

/** Values "x,y", ranges "a:b:n" (n evenly spaced from a to b), or both mixed: "1000,4000:16000:4"; or a list. */
function rangeOrList(v: unknown, parse: (x: unknown) => number | null, spacing: (a: number, b: number, n: number) => number[]): number[] | string {
  const out: number[] = [];
  for (const x of listOf(v)) {
    let values: number[];
    if (typeof x === 'string' && x.includes(':')) {
      const parts = x.split(':');
      const [a, b] = [parse(parts[0]), parse(parts[1])];
      const n = Number(parts[2]);
      if (parts.length !== 3 || a === null || b === null || !Number.isInteger(n) || n < 1) return `"${x}" is not start:end:count`;
      values = spacing(a, b, n);
    } else {
      const n = parse(x);
      if (n === null) return `"${String(x)}" is not a number`;
      values = [n];
    }
    for (const n of values) if (!out.includes(n)) out.push(n);
  }
  return out.length ? out : 'expected at least one value';
}

const numberLike = (x: unknown): number | null => {
  const n = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
  return Number.isFinite(n) ? n : null;
};

const gridValue = z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]);

export const NiahOptions = z
  .object({
    /** Context lengths in tokens: "1000,2000", "4k,8k", or "1000:16000:35" (linear). */
    lengths: gridValue.default('1000,2000,4000,8000'),
    /** Needle depths in percent: "0,50,100" or "0:100:11". */
    depths: gridValue.default('0:100:11'),
    /** Spacing of a start:end:count depth range: linear, or sigmoid (denser near both ends). */
    depthSpacing: z.enum(['linear', 'sigmoid']).default('linear'),
    /** single (the San Francisco needle), multi (three pizza ingredients), or both. */
    variant: z.enum(['single', 'multi', 'both']).default('single'),
    /** A directory of .txt essays (default: the gkamradt essays under the data directory). */
    essays: z.string().min(1).optional(),
    /** A custom single needle, its question, and the phrases an answer must contain. */
    needle: z.string().min(1).optional(),
    question: z.string().min(1).optional(),
    keyPhrases: namesOption.optional(),
    answerBudget: intOption(1, 1_000_000).default(128),
    overLength: z.enum(['error', 'skip', 'keep']).default('error'),
    countMode: z.enum(['auto', 'exact']).default('auto'),
  })
  .strict();

interface Grid {
  lengths: number[];
  depths: number[];
  sets: NeedleSet[];
}

function grid(o: z.infer<typeof NiahOptions>): Grid {
  const lengths = rangeOrList(o.lengths, parseTokenLength, (a, b, n) => linspace(a, b, n).map(Math.round));
  if (typeof lengths === 'string') throw new DatasetError(`invalid options for suite niah:\n  --lengths: ${lengths}`);
  const depths = rangeOrList(o.depths, numberLike, o.depthSpacing === 'sigmoid' ? sigmoidDepths : (a, b, n) => linspace(a, b, n).map(Math.round));
  if (typeof depths === 'string') throw new DatasetError(`invalid options for suite niah:\n  --depths: ${depths}`);
  const bad = [...lengths.filter((l) => l < 64).map((l) => `length ${l} (need ≥ 64)`), ...depths.filter((d) => d < 0 || d > 100).map((d) => `depth ${d} (need 0–100)`)];
  if (bad.length) throw new DatasetError(`invalid options for suite niah: ${bad.join(', ')}`);
  let single = SINGLE;
  if (o.needle || o.question || o.keyPhrases) {
    if (!o.needle || !o.question || !o.keyPhrases?.length) throw new DatasetError('suite niah: a custom needle needs --needle, --question and --key-phrases together');
    const missing = o.keyPhrases.filter((p) => !o.needle!.toLowerCase().includes(p.toLowerCase()));
    if (missing.length) throw new DatasetError(`suite niah: key phrases not in the needle: ${missing.join(', ')}`);
    single = { task: 'niah', needles: [o.needle.trim()], question: o.question.trim(), keyPhrases: o.keyPhrases };
  }
  const sets = o.variant === 'single' ? [single] : o.variant === 'multi' ? [MULTI] : [single, MULTI];
  return { lengths: lengths.sort((a, b) => a - b), depths: depths.sort((a, b) => a - b), sets };
}

/** gkamradt's multi-needle spacing: the first at the depth, the rest evenly between it and 100%. */
export function needleDepths(depth: number, count: number): number[] {
  const step = (100 - depth) / count;
  return Array.from({ length: count }, (_, i) => depth + i * step);
}

const log = (m: string) => process.stderr.write(`${m}\n`);

function makeItem(set: NeedleSet, length: number, depth: number, hay: ChunkedText, lengths: TokenLengths, budget: number, mode: CountMode) {
  const shape: PromptShape = { system: SYSTEM, head: '', tail: `\n\n${set.question} ${ANSWER_RULE}`, answerPrefix: '', prefixInUser: false };
  const depths = needleDepths(depth, set.needles.length);
  const fitted = fitContext(niahContext(hay, set.needles, depths, lengths), shape, budget, length, lengths, mode);
  const item: Item = {
    id: `${set.task}/${length}/${depth}`,
    fields: { system: SYSTEM, input: fitted.user },
    target: { match: 'all', references: set.keyPhrases },
    metadata: {
      task: set.task,
      length,
      depth,
      tokens: fitted.tokens,
      prompt_tokens: fitted.promptTokens,
      answer_budget: budget,
      haystack_units: fitted.units,
      fill: Math.round((fitted.tokens / length) * 10000) / 10000,
      needles: fitted.marks.map((m): JsonObject => ({ offset: m.offset, length: m.text.length, text: m.text, depth: m.depth ?? null, token_depth: m.tokenDepth ?? null })),
      ...(fitted.fits ? {} : { over_length: true }),
    },
    maxTokens: budget,
  };
  return { item, fitted, shape };
}

const suite: Suite = {
  name: 'niah',
  description: "Needle in a haystack (gkamradt): a fact in Paul Graham's essays, context length × depth grid, key-phrase grading",
  version: '1',
  defaults: { n: 1, temperature: 0, topP: 1, topK: 0, maxTokens: 128, thinking: false },
  breakdowns: ['task', 'length', 'depth', 'task,length', 'task,length,depth'],
  async load(opts): Promise<Item[]> {
    const o = parseSuiteOptions(NiahOptions, opts.options, 'niah');
    const g = grid(o);
    if (!opts.tokenizer) throw new DatasetError(`suite niah ${NO_TOKENIZER}`);
    const dataDir = opts.dataPath ?? opts.dataDir;
    const dir = resolvePath(o.essays, dataDir, DEFAULT_PATHS.niahEssays);
    if (!dir) throw new DatasetError(missingFileMessage('suite niah needs the essay haystack (a directory of .txt files)', 'essays', dataDir, DEFAULT_PATHS.niahEssays));
    const text = readEssayDirectory(dir).trimStart();
    const generate = (mode: CountMode): Item[] => {
      const lengths = new TokenLengths(opts.tokenizer!);
      const hay = new ChunkedText(text, '', lengths);
      const items: Item[] = [];
      const over = new Set<string>();
      for (const set of g.sets) {
        for (const length of g.lengths) {
          for (const depth of g.depths) {
            const { item, fitted, shape } = makeItem(set, length, depth, hay, lengths, o.answerBudget, mode);
            if (mode === 'auto' && items.length === 0) {
              const exact = lengths.prompt(shapePrompt(shape, fitted.user, null)) + o.answerBudget;
              if (exact !== fitted.tokens) throw new CountMismatch(`${item.id}: chunked ${fitted.tokens}, full tokenization ${exact}`);
            }
            if (!fitted.fits) {
              over.add(`${set.task} at ${length} needs at least ${fitted.tokens} tokens`);
              if (o.overLength !== 'keep') continue;
            }
            items.push(item);
          }
        }
      }
      if (over.size && o.overLength === 'error') {
        throw new DatasetError(`niah: cells that cannot fit their length:\n  ${[...over].join('\n  ')}\nraise --lengths, or pass --over-length skip or keep`);
      }
      for (const m of over) log(`niah: warning: ${o.overLength === 'skip' ? 'skipped' : 'kept (flagged over_length)'}: ${m}`);
      return items;
    };
    if (o.countMode === 'exact') return generate('exact');
    try {
      return generate('auto');
    } catch (e) {
      if (!(e instanceof CountMismatch)) throw e;
      log(`niah: warning: chunked token counts differ from full tokenization (${e.message}); counting exactly (slower)`);
      return generate('exact');
    }
  },
  render(item) {
    const input = item.fields.input;
    if (typeof input !== 'string') throw new Error(`item ${item.id}: fields.input is missing`);
    const system = typeof item.fields.system === 'string' ? item.fields.system : SYSTEM;
    return { kind: 'chat', messages: [{ role: 'system', content: system }, { role: 'user', content: input }] };
  },
  judge: () => createStringMatchJudge(),
  metrics: (n) => standardMetrics(n, { majority: false }),
};

class CountMismatch extends Error {}

export default suite;

/**
 * Generating RULER items: every task × length × sample, each sized to its length in the evaluated model's
 * tokens. The first item of each task is also counted by a full tokenization of its rendered prompt; if
 * the chunked count differs (a tokenizer that merges across the chunk boundaries), generation restarts
 * counting exactly. Items that cannot fit are refused, skipped or kept-and-flagged, as the user chose.
 */
import type { Item, JsonObject } from '../../harness/types.js';
import { DatasetError } from '../common/dataset.js';
import type { ChunkedText } from './chunked-text.js';
import { fitContext, shapePrompt, type CountMode, type Fitted } from './fit.js';
import { cweInstance } from './gen-cwe.js';
import { fweInstance } from './gen-fwe.js';
import { niahInstance } from './gen-niah.js';
import { qaInstance } from './gen-qa.js';
import { vtInstance } from './gen-vt.js';
import type { GenContext, Instance } from './instance.js';
import type { QaData } from './qa-data.js';
import { TASKS, type TaskName, type TaskSpec } from './tasks.js';
import type { TokenLengths } from './tokens.js';
import type { WordLists } from './words.js';

export type OverLength = 'error' | 'skip' | 'keep';

export interface RulerRequest {
  tasks: TaskName[];
  lengths: number[];
  samples: number;
  seed: number;
  overLength: OverLength;
  /** Extra answer tokens for reasoning (thinking mode); the answer prefix then goes into the user turn. */
  thinkingBudget: number;
  countMode: CountMode;
}

export interface RulerResources {
  lengths: TokenLengths;
  words: WordLists;
  essay: ChunkedText | null;
  qa: Partial<Record<'squad' | 'hotpotqa', QaData>>;
}

export interface RulerGeneration {
  items: Item[];
  /** The counting actually used (auto falls back to exact when the self-check fails). */
  countMode: CountMode;
  /** Cells (task, length) whose items did not fit. */
  overLength: Array<{ task: TaskName; length: number; tokens: number }>;
  seconds: number;
}

function instance(spec: TaskSpec, g: GenContext): Instance {
  switch (spec.kind) {
    case 'niah':
      return niahInstance(spec, g);
    case 'vt':
      return vtInstance(spec, g);
    case 'cwe':
      return cweInstance(spec, g);
    case 'fwe':
      return fweInstance(spec, g);
    case 'qa':
      return qaInstance(spec, g);
  }
}

class CountMismatch extends Error {}

const emptyShape = { head: '', tail: '', answerPrefix: '', prefixInUser: false };

/** One item: generate the task instance, size its haystack, and describe it. */
export function generateItem(task: TaskName, length: number, sample: number, req: RulerRequest, res: RulerResources, mode: CountMode): { item: Item; fitted: Fitted } {
  const g: GenContext = { task, length, sample, seed: req.seed, lengths: res.lengths, words: res.words, essay: res.essay, qa: res.qa, prefixInUser: req.thinkingBudget > 0 };
  let inst = instance(TASKS[task], g);
  const budget = inst.budget + req.thinkingBudget;
  let fitted = fitContext(inst.model, inst.shape, budget, length, res.lengths, mode);
  if (!fitted.fits && task === 'cwe' && length >= 4096) {
    // RULER switches cwe to its short form below 4K because the long one cannot fit; a tokenizer that
    // spends more tokens per word hits that limit at longer lengths, so switch by fit as well.
    inst = instance(TASKS[task], { ...g, compact: true });
    fitted = fitContext(inst.model, inst.shape, budget, length, res.lengths, mode);
  }
  const { references, metadata } = inst.describe(fitted.units);
  const marks: JsonObject[] = fitted.marks.map((m) => {
    const mark: JsonObject = { kind: m.kind, offset: m.offset, length: m.text.length };
    if (m.kind !== 'gold') mark.text = m.text;
    if (m.depth !== undefined) mark.depth = m.depth;
    return mark;
  });
  const item: Item = {
    id: `${task}/${length}/${sample}`,
    fields: { input: fitted.user, answer_prefix: fitted.answerPrefix },
    target: { match: inst.match, references },
    metadata: {
      task,
      length,
      sample,
      tokens: fitted.tokens,
      prompt_tokens: fitted.promptTokens,
      answer_budget: budget,
      haystack_units: fitted.units,
      fill: Math.round((fitted.tokens / length) * 10000) / 10000,
      needles: marks,
      ...metadata,
      ...(fitted.fits ? {} : { over_length: true }),
    },
    maxTokens: budget,
  };
  return { item, fitted };
}

function run(req: RulerRequest, res: RulerResources, mode: CountMode, log: (m: string) => void): RulerGeneration {
  const started = performance.now();
  const lengths = [...req.lengths].sort((a, b) => a - b);
  const items: Item[] = [];
  const overLength: RulerGeneration['overLength'] = [];
  const checked = new Set<TaskName>();
  const flagged = new Set<string>();
  for (const length of lengths) {
    for (const task of req.tasks) {
      for (let sample = 0; sample < req.samples; sample++) {
        const { item, fitted } = generateItem(task, length, sample, req, res, mode);
        if (mode === 'auto' && !checked.has(task)) {
          checked.add(task);
          const exact = res.lengths.prompt(shapePrompt(emptyShape, fitted.user, fitted.answerPrefix)) + Number(item.metadata.answer_budget);
          if (exact !== fitted.tokens) {
            throw new CountMismatch(`${task} at ${length}: chunked count ${fitted.tokens}, full tokenization ${exact}`);
          }
        }
        if (!fitted.fits) {
          if (!flagged.has(`${task}@${length}`)) overLength.push({ task, length, tokens: fitted.tokens });
          flagged.add(`${task}@${length}`);
          if (req.overLength !== 'keep') break;
        }
        items.push(item);
      }
    }
  }
  // Skipping drops a cell whole, even the samples that happened to fit.
  const kept = req.overLength === 'skip' ? items.filter((i) => !flagged.has(`${i.metadata.task}@${i.metadata.length}`)) : items;
  for (const o of overLength) {
    const what = `${o.task} at ${o.length} tokens needs at least ${o.tokens} (smallest haystack + answer budget)`;
    if (req.overLength === 'skip') log(`ruler: warning: skipped ${what}`);
    if (req.overLength === 'keep') log(`ruler: warning: kept over-length items (flagged over_length): ${what}`);
  }
  if (overLength.length && req.overLength === 'error') {
    throw new DatasetError(
      `ruler: ${overLength.length} task/length cells cannot fit their length:\n` +
        overLength.map((o) => `  ${o.task} at ${o.length}: the smallest prompt + answer budget is ${o.tokens} tokens`).join('\n') +
        '\nraise --lengths, drop those tasks with --tasks, or pass --over-length skip (drop them) or keep (run them flagged)',
    );
  }
  return { items: kept, countMode: mode, overLength, seconds: (performance.now() - started) / 1000 };
}

/** All items of a RULER request. */
export function generateRuler(req: RulerRequest, res: RulerResources, log: (m: string) => void): RulerGeneration {
  if (req.countMode === 'exact') return run(req, res, 'exact', log);
  try {
    return run(req, res, 'auto', log);
  } catch (e) {
    if (!(e instanceof CountMismatch)) throw e;
    log(`ruler: warning: this tokenizer does not split where chunked counting assumes (${e.message}); counting every prompt exactly (slower)`);
    return run(req, res, 'exact', log);
  }
}

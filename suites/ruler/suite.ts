/**
 * RULER (NVIDIA/RULER): 13 synthetic long-context tasks — eight needle-in-a-haystack variants, variable
 * tracking, common and frequent words extraction, and two QA tasks — generated here, seeded, each item
 * sized to its length in the evaluated model's tokens with the chat format applied, and scored by string
 * match as RULER scores it. See docs/suites-long-context.md.
 */
import { z } from 'zod';
import type { Item, LoadOptions, Suite } from '../../harness/types.js';
import { standardMetrics } from '../../harness/metrics.js';
import { createStringMatchJudge } from '../../judges/string/judge.js';
import { DatasetError } from '../common/dataset.js';
import { parseSuiteOptions } from '../common/math-competition.js';
import { ChunkedText } from './chunked-text.js';
import { DEFAULT_PATHS, missingFileMessage, readEssayText, resolvePath } from './data.js';
import { generateRuler, type RulerResources } from './generate.js';
import { readHotpot, readSquad } from './qa-data.js';
import { intOption, lengthsOption, namesOption } from './options.js';
import { DEFAULT_LENGTHS, TASK_GROUPS, TASK_NAMES, requiredData, usesWords, type TaskName } from './tasks.js';
import { TokenLengths } from './tokens.js';
import { pseudoWordLists, readWordLists, type WordLists } from './words.js';

export const RulerOptions = z
  .object({
    /** Task names and/or groups (all, niah, synthetic, no-files); default all 13 (qa only when its file is found). */
    tasks: namesOption.optional(),
    /** Target lengths in tokens (prompt with chat format + answer budget). */
    lengths: lengthsOption(64, 4 * 1024 * 1024).default(DEFAULT_LENGTHS),
    samples: intOption(1, 100_000).default(500),
    /** Seed of the generated data (RULER's default 42); the run's --seed seeds sampling, not data. */
    dataSeed: intOption(0, 2 ** 31 - 1).default(42),
    essays: z.string().min(1).optional(),
    wordlists: z.string().min(1).optional(),
    squad: z.string().min(1).optional(),
    hotpotqa: z.string().min(1).optional(),
    /** What to do with items whose smallest prompt exceeds the length: refuse the run, skip them, or keep them flagged. */
    overLength: z.enum(['error', 'skip', 'keep']).default('error'),
    /** Reasoning tokens added to every answer budget (and to its length); for thinking mode. */
    thinkingBudget: intOption(0, 1_000_000).default(0),
    /** auto: chunked counting, verified per task against full tokenization; exact: tokenize every probe. */
    countMode: z.enum(['auto', 'exact']).default('auto'),
  })
  .strict();
export type RulerOptions = z.infer<typeof RulerOptions>;

const log = (m: string) => process.stderr.write(`${m}\n`);

export const NO_TOKENIZER =
  'needs the evaluated model\'s tokenizer to size prompts: pass --tokenizer <model dir | tokenizer.json | deepseek-v3> ' +
  '(the bundled engine supplies its own)';

/** Task names from --tasks (names or groups), or every task whose data is available when none were named. */
function resolveTasks(named: string[] | undefined, available: (t: TaskName) => boolean): { tasks: TaskName[]; dropped: TaskName[] } {
  if (!named) {
    // Default: all 13, except qa tasks whose files are absent (they are never shipped); essays must exist.
    const dropped = TASK_NAMES.filter((t) => t.startsWith('qa_') && !available(t));
    return { tasks: TASK_NAMES.filter((t) => !dropped.includes(t)), dropped };
  }
  const out: TaskName[] = [];
  for (const name of named) {
    const group = TASK_GROUPS[name];
    const add = group ?? (TASK_NAMES.includes(name as TaskName) ? [name as TaskName] : null);
    if (!add) {
      throw new DatasetError(`ruler: unknown task "${name}"; tasks: ${TASK_NAMES.join(', ')}; groups: ${Object.keys(TASK_GROUPS).join(', ')}`);
    }
    for (const t of add) if (!out.includes(t)) out.push(t);
  }
  return { tasks: TASK_NAMES.filter((t) => out.includes(t)), dropped: [] };
}

/** Loads the files the tasks need (clear errors naming the option), and the counter. */
function resources(tasks: TaskName[], o: RulerOptions, opts: LoadOptions, dataDir: string | null): RulerResources {
  const lengths = new TokenLengths(opts.tokenizer!);
  const wordDir = resolvePath(o.wordlists, dataDir, DEFAULT_PATHS.wordlists);
  let words: WordLists | null = wordDir ? readWordLists(wordDir) : null;
  if (o.wordlists && !words) throw new DatasetError(`--wordlists ${o.wordlists}: expected adjectivelist.txt, nounlist.txt and verblist.txt in it`);
  const needsWords = tasks.some(usesWords);
  if (!words) {
    words = pseudoWordLists();
    if (needsWords) log(`ruler: note: no word lists (${dataDir ? `${dataDir}/${DEFAULT_PATHS.wordlists}` : 'no data directory'}); keys and word lists use pseudo-words, recorded as word_source=pseudo-words`);
  }
  const needs = new Set(tasks.map(requiredData));
  let essay: ChunkedText | null = null;
  if (needs.has('essays')) {
    const path = resolvePath(o.essays, dataDir, DEFAULT_PATHS.essays);
    if (!path) {
      throw new DatasetError(
        missingFileMessage(`ruler tasks ${tasks.filter((t) => requiredData(t) === 'essays').join(', ')} need the essay haystack`, 'essays', dataDir, DEFAULT_PATHS.essays, 'run only tasks that need no files with --tasks no-files'),
      );
    }
    // RULER's haystack: the essays' words, whitespace collapsed to single spaces, repeated when exhausted.
    essay = new ChunkedText(readEssayText(path).replace(/\s+/g, ' ').trim(), ' ', lengths);
  }
  const qa: RulerResources['qa'] = {};
  for (const [dataset, read, task] of [['squad', readSquad, 'qa_1'], ['hotpotqa', readHotpot, 'qa_2']] as const) {
    if (!needs.has(dataset)) continue;
    const path = resolvePath(o[dataset], dataDir, DEFAULT_PATHS[dataset]);
    if (!path) {
      const file = dataset === 'squad' ? 'SQuAD v2.0 dev (dev-v2.0.json)' : 'HotpotQA dev-distractor (hotpot_dev_distractor_v1.json)';
      throw new DatasetError(missingFileMessage(`ruler task ${task} needs ${file}`, dataset, dataDir, DEFAULT_PATHS[dataset]));
    }
    qa[dataset] = read(path);
  }
  return { lengths, words, essay, qa };
}

const suite: Suite = {
  name: 'ruler',
  description: 'RULER: 13 synthetic long-context tasks (NIAH, variable tracking, word extraction, QA), sized in the model\'s tokens',
  version: '1',
  // RULER decodes greedily; each item carries its task's answer budget (maxTokens), the largest being niah's 128.
  defaults: { n: 1, temperature: 0, topP: 1, topK: 0, maxTokens: 128, thinking: false },
  breakdowns: ['task', 'length', 'task,length'],
  async load(opts): Promise<Item[]> {
    const o = parseSuiteOptions(RulerOptions, opts.options, 'ruler');
    if (!opts.tokenizer) throw new DatasetError(`suite ruler ${NO_TOKENIZER}`);
    const dataDir = opts.dataPath ?? opts.dataDir;
    const qaFile = (t: TaskName) => resolvePath(o[t === 'qa_1' ? 'squad' : 'hotpotqa'], dataDir, DEFAULT_PATHS[t === 'qa_1' ? 'squad' : 'hotpotqa']) !== null;
    const { tasks, dropped } = resolveTasks(o.tasks, qaFile);
    if (dropped.length) {
      log(`ruler: note: ${dropped.join(' and ')} skipped: no ${dropped.map((t) => (t === 'qa_1' ? 'SQuAD v2.0 dev (--squad)' : 'HotpotQA dev-distractor (--hotpotqa)')).join(' or ')} file; averages cover ${tasks.length} tasks`);
    }
    const res = resources(tasks, o, opts, dataDir);
    const gen = generateRuler(
      { tasks, lengths: o.lengths, samples: o.samples, seed: o.dataSeed, overLength: o.overLength, thinkingBudget: o.thinkingBudget, countMode: o.countMode },
      res,
      log,
    );
    if (gen.seconds > 2) {
      log(`ruler: generated ${gen.items.length} items in ${gen.seconds.toFixed(1)} s (${res.lengths.cachedChunks} distinct chunks tokenized, counting ${gen.countMode})`);
    }
    return gen.items;
  },
  render(item) {
    const input = item.fields.input;
    const prefix = item.fields.answer_prefix;
    if (typeof input !== 'string') throw new Error(`item ${item.id}: fields.input is missing`);
    const messages = [{ role: 'user' as const, content: input }];
    return typeof prefix === 'string' && prefix ? { kind: 'chat', messages, assistantPrefix: prefix } : { kind: 'chat', messages };
  },
  judge: () => createStringMatchJudge(),
  metrics: (n) => standardMetrics(n, { majority: false }),
};

export default suite;

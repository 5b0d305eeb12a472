/**
 * Run planning: load the suite's items, render every prompt, settle the sampling, and compute the run's
 * fingerprint — the hashes that decide what "the same run" is (and so what a repeated `dseval run`
 * resumes instead of redoing).
 */
import type { Item, JsonObject, Prompt, Sampling, Suite, TokenCounter } from './types.js';
import type { RunConfig } from './config.js';
import type { Backend } from './backends/backend.js';
import type { ItemRow } from '../reports/store.js';
import { shortHash, stableJson } from './hash.js';
import { loadTokenizer, promptTokenCounter } from './tokenizer.js';

/** A token counter from --tokenizer (with --chat-format, default DeepSeek-V3.2's) for servers whose tokenizer we cannot ask. */
function configuredTokenCounter(config: RunConfig): TokenCounter | null {
  if (!config.tokenizer) return null;
  return promptTokenCounter(loadTokenizer(config.tokenizer), config.chatFormat ?? 'deepseek-v3.2', { thinking: config.thinking ?? false });
}

export interface RunPlan {
  suite: Suite;
  items: Item[];
  rows: ItemRow[];
  sampling: Sampling;
  n: number;
  fingerprint: string;
  fingerprintParts: Record<string, string>;
}

/** Sampling = the suite's recipe defaults, overridden field by field by the user's settings. */
export function resolveSampling(suite: Suite, config: RunConfig): { sampling: Sampling; n: number } {
  const d = suite.defaults;
  return {
    n: config.n ?? d.n ?? 1,
    sampling: {
      temperature: config.temperature ?? d.temperature ?? 0,
      topP: config.topP ?? d.topP ?? 1,
      topK: config.topK ?? d.topK ?? 0,
      maxTokens: config.maxTokens ?? d.maxTokens ?? 4096,
      stop: config.stop ?? d.stop ?? [],
      thinking: config.thinking ?? d.thinking ?? null,
    },
  };
}

export async function planRun(
  suite: Suite,
  config: RunConfig,
  backend: Backend,
  judge: { name: string; version: string },
  dataDir: string | null,
): Promise<RunPlan> {
  const options: JsonObject = config.suiteOptions;
  const tokenizer = backend.tokenCounter ?? configuredTokenCounter(config);
  let items = await suite.load({ dataPath: config.data ?? null, dataDir, options, tokenizer });
  if (config.limit !== undefined) items = items.slice(0, config.limit);
  if (items.length === 0) throw new Error(`suite ${suite.name} loaded no items`);

  const rows: ItemRow[] = items.map((item, position) => {
    const prompt: Prompt = suite.render(item, options);
    return {
      item,
      position,
      prompt,
      dataHash: shortHash({ id: item.id, fields: item.fields, target: item.target }),
      promptHash: shortHash(prompt),
    };
  });
  const { sampling, n } = resolveSampling(suite, config);

  const judgeKeys = suite.judgeOptionKeys ?? [];
  const judgeOptions = Object.fromEntries(Object.entries(options).filter(([k]) => judgeKeys.includes(k)));
  const fingerprintParts: Record<string, string> = {
    suite: `${suite.name}@${suite.version}`,
    suiteOptions: shortHash(Object.fromEntries(Object.entries(options).filter(([k]) => !judgeKeys.includes(k)))),
    data: shortHash(rows.map((r) => r.dataHash)),
    prompts: shortHash(rows.map((r) => r.promptHash)),
    sampling: shortHash({ ...sampling, n, seed: config.seed }),
    // Judge-only options belong to the judge part: changing them re-grades the stored attempts.
    judge: `${judge.name}@${judge.version}${Object.keys(judgeOptions).length ? `/${shortHash(judgeOptions)}` : ''}`,
    ...backend.fingerprintParts,
  };
  if (tokenizer && !backend.tokenCounter) fingerprintParts.tokenizer = tokenizer.id;
  // Everything but the judge and n: runs that share it share their attempts (a new judge only re-grades; a
  // larger n generates only the attempts it adds, a smaller one takes a prefix). Attempt i's seed depends on
  // (run seed, item, i) alone, and each attempt is its own request — unless --server-n asks the server for
  // all n at once, whose answers may depend on n, so then n stays in.
  const { judge: _judge, ...generationParts } = fingerprintParts;
  if (!config.serverN) generationParts.sampling = shortHash({ ...sampling, seed: config.seed });
  fingerprintParts.generation = shortHash(stableJson(generationParts));
  const fingerprint = shortHash(stableJson(fingerprintParts));
  return { suite, items, rows, sampling, n, fingerprint, fingerprintParts };
}

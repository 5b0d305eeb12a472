/**
 * The vocabulary of dseval, in one place (see ../DESIGN.md in the shared docs and docs/architecture.md).
 *
 *   Suite ──load──▶ Item[] ──render──▶ Request ──backend──▶ Attempt ──judge──▶ Grade
 *   Grade[] of one item ──Reducer──▶ item score;  item scores ──Metric──▶ suite figure ± CI
 *
 * Every value that crosses a stage boundary is plain JSON-serialisable data, so the store can keep it
 * and a killed run can resume from it. Suites, judges and reports import these types; they import
 * nothing else from harness/.
 */

/** JSON values, as stored in the DuckDB JSON columns. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// ───────────────────────────── items and prompts ─────────────────────────────

/** One problem of a suite, with its target. `fields` feed the prompt template; `target` feeds the judge. */
export interface Item {
  /** Stable id within the suite (e.g. "2025-I-1"); the store's key together with the run. */
  id: string;
  /** Values the prompt template can use (problem text, starter code, context …). */
  fields: JsonObject;
  /** What the judge grades against: an answer string, tests, needles … (suite-specific shape). */
  target: Json;
  /** Anything reports may slice by: difficulty, platform, contest date, length, depth … */
  metadata: JsonObject;
  /**
   * This item's answer budget, when the suite sets one per item (RULER's tokens_to_generate: its lengths
   * are prompt + budget). Used instead of the suite default; an explicit --max-tokens overrides it.
   */
  maxTokens?: number;
}

export type Role = 'system' | 'user' | 'assistant';
export interface ChatMessage {
  role: Role;
  content: string;
}

/**
 * A rendered prompt. Chat suites give messages; an optional `assistantPrefix` is text the model must
 * continue (RULER's answer prefix). Completion suites give a raw `text` prompt.
 */
export type Prompt =
  | { kind: 'chat'; messages: ChatMessage[]; assistantPrefix?: string }
  | { kind: 'text'; text: string };

/** Sampling settings of one request; part of the run fingerprint. */
export interface Sampling {
  temperature: number;
  topP: number;
  /** 0 = off. */
  topK: number;
  maxTokens: number;
  stop: string[];
  /** Thinking mode for models that have one (DeepSeek V3.1+ chat formats); null = the backend's default. */
  thinking: boolean | null;
}

/** What the harness asks a backend for: n attempts of one item. */
export interface Request {
  itemId: string;
  prompt: Prompt;
  sampling: Sampling;
  /** Indices of the attempts wanted (resume asks only for the missing ones). */
  attempts: number[];
  /** Seed of attempt i is seedFor(runSeed, itemId, i); the backend receives the per-attempt seeds. */
  seeds: number[];
}

// ───────────────────────────── attempts ─────────────────────────────

/** Why generation ended. `length` becomes the outcome `truncated`, whatever the text says. */
export type FinishReason = 'stop' | 'length' | 'error';

export interface Timings {
  /** Request sent → last token (ms). */
  latencyMs: number;
  /** Request sent → first token or first byte of content (ms); null when not streamed. */
  ttftMs: number | null;
  /** Completion tokens / decode time (first → last token), tokens per second; null when unknown. */
  tokensPerSecond: number | null;
}

/** One generation for one item. Reasoning and answer are already split (backend's job). */
export interface Attempt {
  itemId: string;
  index: number;
  seed: number;
  /** The answer part: text after `</think>` (or the whole text for non-thinking output). */
  text: string;
  /** The thinking part, from `reasoning_content` or from inside `<think>…</think>`. */
  reasoning: string;
  /** True when the model opened a thinking block and never closed it. */
  thinkingUnclosed: boolean;
  finish: FinishReason;
  promptTokens: number | null;
  completionTokens: number | null;
  timings: Timings;
  /** The error message when finish = 'error' (after retries were exhausted). */
  error: string | null;
}

// ───────────────────────────── grades ─────────────────────────────

/**
 * The judge's verdict class. Truncation and extraction failures are never silently "wrong":
 * they are counted apart so a user sees a token-budget or format problem as such.
 */
export const OUTCOMES = ['correct', 'wrong', 'no_answer', 'truncated', 'unclosed_thinking', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Grade {
  outcome: Outcome;
  /** In [0, 1]; 1 for correct, partial credit where a suite defines it (RULER string_match_all). */
  score: number;
  /** What the judge extracted and compared (the boxed answer, the code block …); null if nothing. */
  extracted: string | null;
  /**
   * Canonical form of the extracted answer for majority voting (maj@k): equal keys vote together
   * (e.g. "1/2" for "\\frac{1}{2}" and "0.5"). Null when nothing was extracted.
   */
  answerKey: string | null;
  /**
   * Self-check: true when an independent second verification path disagreed with the verdict.
   * Null when the judge has no second path.
   */
  judgeDisagreement: boolean | null;
  /** Judge-specific details: per-test verdicts, extraction strength, self-check verdict … */
  details: JsonObject;
}

/** A judge: a pure function of (item, attempt) → grade, with a version that enters the fingerprint. */
export interface Judge {
  name: string;
  version: string;
  grade(item: Item, attempt: Attempt): Promise<Grade>;
  /** Grades many at once (a judge with a worker pool batches); defaults to mapping grade(). */
  gradeMany?(pairs: Array<{ item: Item; attempt: Attempt }>): Promise<Grade[]>;
  /** Releases workers or sandboxes. */
  close?(): Promise<void>;
}

// ───────────────────────────── reducers and metrics ─────────────────────────────

/** The attempts of one item, graded, as reducers see them. */
export interface GradedAttempt {
  index: number;
  outcome: Outcome;
  score: number;
  /** Normalised extracted answer, for majority voting (null when nothing was extracted). */
  answerKey: string | null;
}

/** Attempts of one item → one item score (mean, pass@k, maj@k). */
export interface Reducer {
  /** E.g. "avg@n", "pass@8", "maj@8". */
  name: string;
  reduce(attempts: GradedAttempt[]): number;
}

/** A suite figure with its uncertainty. `value` and the interval are in the unit of the item scores. */
export interface Estimate {
  value: number;
  ciLow: number;
  ciHigh: number;
  /** Number of items the figure is over. */
  n: number;
}

/** Item scores → a suite figure with a confidence interval. */
export interface Metric {
  name: string;
  reducer: Reducer;
  compute(itemScores: number[]): Estimate;
}

// ───────────────────────────── suites ─────────────────────────────

/** Options every suite loader receives (from the CLI or the config file). */
export interface LoadOptions {
  /** A dataset file or directory the user named with --data; else the suite's default under dataDir. */
  dataPath: string | null;
  /** $DSEVAL_DATA_DIR or --data-dir: where default dataset paths are resolved. */
  dataDir: string | null;
  /** Suite-specific options (--start-date, --lengths, --tasks …), validated by the suite. */
  options: JsonObject;
  /** Counts tokens in the evaluated model's tokenizer (for length-controlled suites), when available. */
  tokenizer: TokenCounter | null;
}

export interface TokenCounter {
  /** Identifies the tokenizer (hash of tokenizer.json); part of the fingerprint of length-controlled suites. */
  id: string;
  /** Tokens of a rendered prompt including the chat format the model will see. */
  countPrompt(prompt: Prompt): number;
  countText(text: string): number;
}

/**
 * A named benchmark. Declarative: its folder holds the loader, the prompt template, the judge and the
 * metrics; adding a suite touches only suites/<name>/ and the registry line in suites/index.ts.
 */
export interface Suite {
  name: string;
  description: string;
  /** Sampling defaults of the suite's published recipe; the CLI overrides field by field. */
  defaults: Partial<Sampling> & { n?: number };
  load(opts: LoadOptions): Promise<Item[]>;
  /** The prompt of an item; `options` are the same suite options load() received (pure: no state between calls). */
  render(item: Item, options: JsonObject): Prompt;
  /** The judge for this suite; created once per run. */
  judge(options: JsonObject): Judge;
  /** Metrics for a given n (attempts per item), e.g. avg@n, pass@k for k ≤ n, maj@n. */
  metrics(n: number): Metric[];
  /**
   * Metadata keys reports break results down by (difficulty, platform, length …); "a,b" slices by the
   * combination of two keys (a two-way table).
   */
  breakdowns?: string[];
  /**
   * Option keys that configure only the judge (time limits, sandbox settings, concurrency). They enter the
   * judge part of the fingerprint, not the generation part: changing them makes a new run that reuses the
   * stored attempts and only re-grades them.
   */
  judgeOptionKeys?: string[];
  /**
   * The day an item became public (YYYY-MM-DD), or null when unknown: what `dseval show --cutoff` splits on to
   * tell results on problems a model could have seen in training from those it could not. Pure, from the stored item.
   */
  releaseDate?(item: Item): string | null;
  /** Version of the loader + template; enters the fingerprint. */
  version: string;
}

// ───────────────────────────── runs ─────────────────────────────

export type RunStatus = 'running' | 'finished' | 'failed' | 'interrupted';

/** One (suite, model, config) evaluation. Its fingerprint decides what "the same run" means. */
export interface Run {
  runId: string;
  fingerprint: string;
  /** The components of the fingerprint, so `compare` can say what differs. */
  fingerprintParts: Record<string, string>;
  suite: string;
  model: string;
  config: JsonObject;
  versions: Record<string, string>;
  status: RunStatus;
  createdAt: Date;
  finishedAt: Date | null;
}

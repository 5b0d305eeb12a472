/**
 * Final-answer math competitions (AIME, HMMT): one loader and prompt for MathArena's JSONL and the Hugging
 * Face layouts (JSONL or Parquet with problem/question and answer). Each suite folder declares its name,
 * default data file and grading mode; this module does the rest.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Item, JsonObject, LoadOptions, Suite } from '../../harness/types.js';
import { assetPath } from '../../harness/paths.js';
import { standardMetrics } from '../../harness/metrics.js';
import { createMathJudge } from '../../judges/math/index.js';
import { DatasetError, optionalText, readDataset, requireText } from './dataset.js';
import { renderTemplate } from './template.js';

export interface MathCompetitionSpec {
  name: string;
  description: string;
  /** Default data file, relative to the data directory ($DSEVAL_DATA_DIR or --data-dir). */
  defaultData: string;
  /** AIME: strict integer answers (no fallback extraction). */
  strict: boolean;
  answerType: 'integer' | 'expression';
  /**
   * When the problems became public: the competition day per `source` (MathArena's field, e.g. "AIME 2025 II"),
   * and `default` for rows without a known source. A row's own `release_date` field wins.
   */
  releaseDates: { default: string } & Record<string, string>;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}/;

const OptionsSchema = z
  .object({
    /** A nunjucks template file replacing the default prompt (gets `problem` and every dataset field). */
    template: z.string().optional(),
    /** A system message to send before the problem. */
    system: z.string().optional(),
    /** Time budget of one grade in ms (default 5000); past it the grade is `error`. */
    judgeBudgetMs: z.coerce.number().int().min(100).max(600_000).optional(),
    /** Judge worker threads (default: up to 2). */
    judgeThreads: z.coerce.number().int().min(1).max(64).optional(),
  })
  .strict();

const DEFAULT_TEMPLATE = assetPath(import.meta.url, 'math-prompt.njk');

/** The dataset path: --data, else the suite's default under the data directory; a clear error when neither. */
export function resolveDataPath(opts: LoadOptions, defaultData: string, suite: string): string {
  if (opts.dataPath) return opts.dataPath;
  if (opts.dataDir) return join(opts.dataDir, defaultData);
  throw new DatasetError(
    `suite ${suite} needs its dataset: pass --data <file> (JSONL or Parquet) or set DSEVAL_DATA_DIR / --data-dir ` +
      `to a folder holding ${defaultData}`,
  );
}

export function parseSuiteOptions<T extends z.ZodTypeAny>(schema: T, options: JsonObject, suite: string): z.infer<T> {
  const r = schema.safeParse(options);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  --${i.path.join('.') || '(option)'}: ${i.message}`);
    throw new DatasetError(`invalid options for suite ${suite}:\n${lines.join('\n')}`);
  }
  return r.data;
}

export function mathCompetitionSuite(spec: MathCompetitionSpec): Suite {
  return {
    name: spec.name,
    description: spec.description,
    version: '1',
    defaults: { n: 4, temperature: 0.6, topP: 0.95, maxTokens: 32768 },
    async load(opts) {
      parseSuiteOptions(OptionsSchema, opts.options, spec.name);
      const rows = await readDataset(resolveDataPath(opts, spec.defaultData, spec.name));
      const seen = new Map<string, string>();
      return rows.map((row, i): Item => {
        const problem = requireText(row, ['problem', 'question', 'Problem', 'Question']);
        const answer = requireText(row, ['answer', 'Answer', 'final_answer', 'expected_answer']).trim();
        if (!problem.trim()) throw new DatasetError(`${row.where}: field "problem" is empty`);
        if (!answer) throw new DatasetError(`${row.where}: field "answer" is empty`);
        const id = optionalText(row, ['id', 'unique_id', 'problem_id', 'ID']) ?? optionalText(row, ['problem_idx']) ?? String(i + 1);
        const dup = seen.get(id);
        if (dup) throw new DatasetError(`${row.where}: duplicate id "${id}" (also at ${dup})`);
        seen.set(id, row.where);
        const { problem: _p, question: _q, answer: _a, ...rest } = row.value;
        return {
          id,
          fields: { ...rest, problem },
          target: answer,
          metadata: {
            source: optionalText(row, ['source', 'competition']) ?? spec.name,
            problem_idx: optionalText(row, ['problem_idx']) ?? String(i + 1),
            answer_type: optionalText(row, ['answer_type', 'answer_kind']) ?? spec.answerType,
          },
        };
      });
    },
    render(item, rawOptions) {
      const { template, system } = parseSuiteOptions(OptionsSchema, rawOptions, spec.name);
      const content = renderTemplate(template ?? DEFAULT_TEMPLATE, item.fields);
      const messages = system ? [{ role: 'system' as const, content: system }] : [];
      return { kind: 'chat', messages: [...messages, { role: 'user', content }] };
    },
    judge(rawOptions) {
      const { judgeBudgetMs, judgeThreads } = parseSuiteOptions(OptionsSchema, rawOptions, spec.name);
      // AIME: strict integer answers. Expression suites let each item's answer type decide (integer items of
      // HMMT are then graded as exact integers too).
      return createMathJudge({
        strict: spec.strict,
        answerType: spec.answerType === 'integer' ? 'integer' : undefined,
        budgetMs: judgeBudgetMs,
        threads: judgeThreads,
      });
    },
    judgeOptionKeys: ['judgeBudgetMs', 'judgeThreads'],
    metrics: (n) => standardMetrics(n),
    releaseDate(item) {
      const own = item.fields.release_date;
      if (typeof own === 'string' && ISO_DAY.test(own)) return own.slice(0, 10);
      const source = item.metadata.source;
      return (typeof source === 'string' ? spec.releaseDates[source] : undefined) ?? spec.releaseDates.default;
    },
  };
}

/**
 * The lcb suite's options (CLI: `--release v5`, `--start-date 2024-08-01`, `--public-only`, …), validated once
 * with errors naming the option. The code judge's options share the bag (`--test-timeout`, `--memory-mb`,
 * `--judge-concurrency`, `--unsafe-no-sandbox` …).
 */
import { z } from 'zod';
import type { JsonObject } from '../../harness/types.js';
import { CodeJudgeOptionsShape } from '../../judges/code/judge.js';
import { parseSuiteOptions } from '../common/math-competition.js';

const flag = z.preprocess((v) => (v === 'true' || v === '1' || v === 'yes' ? true : v === 'false' || v === '0' || v === 'no' ? false : v), z.boolean());

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a calendar date');

/** code_generation_lite files per release tag, as LiveCodeBench's loading script maps them. */
export function releaseFiles(tag: string): string[] | null {
  const file = (i: number) => (i === 1 ? 'test.jsonl' : `test${i}.jsonl`);
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => file(a + k));
  if (tag === 'release_latest') return range(1, 6);
  let m = /^release_v([1-6])$/.exec(tag);
  if (m) return range(1, Number(m[1]));
  m = /^v([1-6])$/.exec(tag);
  if (m) return [file(Number(m[1]))];
  m = /^v([1-6])_v([1-6])$/.exec(tag);
  if (m && Number(m[1]) < Number(m[2])) return range(Number(m[1]), Number(m[2]));
  return null;
}

/** The release tag of a code_generation_lite file name (test.jsonl → v1, test5.jsonl → v5). */
export function releaseOfFile(name: string): string | null {
  if (name === 'test.jsonl') return 'v1';
  const m = /^test([2-9])\.jsonl$/.exec(name);
  return m ? `v${m[1]}` : null;
}

export const LcbOptionsSchema = z
  .object({
    /** release_v1 … release_v6, release_latest, v1 … v6 or vX_vY (code_generation_lite layout only). */
    release: z.string().refine((t) => releaseFiles(t) !== null, 'expected release_v1 … release_v6, release_latest, v1 … v6 or vX_vY').optional(),
    /** Keep problems with contest_date ≥ this day (00:00), as LCB's --start_date. */
    startDate: date.optional(),
    /** Keep problems with contest_date ≤ this day at 00:00, exactly as LCB's --end_date compares. */
    endDate: date.optional(),
    /** Grade on public tests only (fast smoke runs; inflates pass@1 relative to official numbers). */
    publicOnly: flag.default(false),
    /** Drop the problems listed in LCB's ERRATA (multiple answers, interactive, broken tests). */
    excludeErrata: flag.default(false),
    platform: z.enum(['atcoder', 'leetcode', 'codeforces']).optional(),
    difficulty: z.enum(['easy', 'medium', 'hard']).optional(),
    /** generic: LCB's chat prompt (system + "### Question:" …), used for API models such as DeepSeek's; r1: LCB's DeepSeek-R1 / QwQ body. */
    promptStyle: z.enum(['generic', 'r1']).default('generic'),
    /** A nunjucks template file replacing the prompt (gets question, starterCode, platform, title, style). */
    template: z.string().optional(),
    /** Replaces the system message of the generic style ("" sends none). */
    system: z.string().optional(),
    ...CodeJudgeOptionsShape,
  })
  .strict();

export type LcbOptions = z.infer<typeof LcbOptionsSchema>;

export function parseLcbOptions(options: JsonObject): LcbOptions {
  const o = parseSuiteOptions(LcbOptionsSchema, options, 'lcb');
  if (o.startDate && o.endDate && o.startDate > o.endDate) {
    throw new Error(`invalid options for suite lcb: --start-date ${o.startDate} is after --end-date ${o.endDate}`);
  }
  return o;
}

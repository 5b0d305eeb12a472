/**
 * The math judge (AIME, HMMT): `createMathJudge({ strict, answerType })` returns a Judge that grades in
 * a pool of worker threads. The answer checker itself (extraction, the LaTeX grammar, exact / numeric /
 * symbolic equality, the self-check) lives in core.ts and is documented in docs/judges-math.md.
 *
 * This module imports no mathjs: the harness's main thread stays light and never blocks on a grade.
 */
import { availableParallelism } from 'node:os';
import type { Attempt, Grade, Item, Judge } from '../../harness/types.js';
import { precheckAttempt } from '../outcome.js';
import { DEFAULT_BUDGET_MS } from './deadline.js';
import { MathPool } from './pool.js';
import type { GradeTask } from './worker.js';

/** Enters the run fingerprint: bump when a verdict could change. */
export const MATH_JUDGE_VERSION = '1.0.0';

export interface MathJudgeOptions {
  /** Only \boxed{} answers count (AIME). Outside strict mode the fallbacks are used and recorded. */
  strict: boolean;
  /** Forces the answer type; by default the item's metadata.answer_type decides ('integer' → exact integer). */
  answerType?: 'integer' | 'expression';
  /** Time budget of one grade in ms (default 5000, Math-Verify's). Past it the grade is `error`. */
  budgetMs?: number;
  /** Worker threads (default: min(2, available cores)). */
  threads?: number;
  /** Attempts per pool task (default 32). */
  batchSize?: number;
  /** Run the independent second path on every grade (default true). */
  selfCheck?: boolean;
}

/** Grades of one run → how often the self-check disagreed. `rate` is over the grades it could check. */
export function summarizeSelfCheck(grades: Grade[]): { checked: number; disagreements: number; rate: number | null; unchecked: number } {
  const checked = grades.filter((g) => g.judgeDisagreement !== null);
  const disagreements = checked.filter((g) => g.judgeDisagreement === true).length;
  return { checked: checked.length, disagreements, rate: checked.length ? disagreements / checked.length : null, unchecked: grades.length - checked.length };
}

export function createMathJudge(options: MathJudgeOptions): Judge {
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const pool = new MathPool({ threads: Math.max(1, options.threads ?? Math.min(2, availableParallelism())), batchSize, budgetMs });

  const taskFor = (item: Item, attempt: Attempt): GradeTask | Grade => {
    const target = item.target;
    if (typeof target !== 'string' && typeof target !== 'number') {
      return { outcome: 'error', score: 0, extracted: null, answerKey: null, judgeDisagreement: null, details: { reason: `item ${item.id}: target must be the gold answer as a string, got ${JSON.stringify(target)}`, itemId: item.id } };
    }
    const meta = item.metadata ?? {};
    const answerType = options.answerType ?? (meta.answer_type === 'integer' ? 'integer' : 'expression');
    return {
      itemId: item.id,
      gold: String(target),
      response: attempt.text,
      options: { strict: options.strict, answerType, listMode: meta.answer_kind === 'multiple_values' || meta.answer_type === 'multiple_values', budgetMs, selfCheck: options.selfCheck ?? true },
    };
  };

  const gradeMany = async (pairs: Array<{ item: Item; attempt: Attempt }>): Promise<Grade[]> => {
    const out: Array<Grade | null> = pairs.map(({ attempt }) => precheckAttempt(attempt));
    const tasks: GradeTask[] = [];
    const slots: number[] = [];
    pairs.forEach(({ item, attempt }, i) => {
      if (out[i]) return;
      const t = taskFor(item, attempt);
      if ('outcome' in t) { out[i] = t; return; }
      tasks.push(t);
      slots.push(i);
    });
    const grades = await pool.gradeAll(tasks);
    grades.forEach((g, k) => { out[slots[k]!] = g; });
    return out as Grade[];
  };

  // Single grade() calls made in the same tick are gathered into one batch.
  let pending: Array<{ item: Item; attempt: Attempt; resolve: (g: Grade) => void; reject: (e: unknown) => void }> = [];
  const flush = (): void => {
    const batch = pending;
    pending = [];
    gradeMany(batch).then((gs) => gs.forEach((g, i) => batch[i]!.resolve(g)), (e) => batch.forEach((p) => p.reject(e)));
  };

  return {
    name: 'math',
    version: `${MATH_JUDGE_VERSION}${options.strict ? '+strict' : ''}`,
    grade(item, attempt) {
      return new Promise<Grade>((resolve, reject) => {
        pending.push({ item, attempt, resolve, reject });
        if (pending.length === 1) setImmediate(flush);
      });
    },
    gradeMany,
    close: () => pool.close(),
  };
}

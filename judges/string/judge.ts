/**
 * The string-match judge for RULER and needle-in-a-haystack items. An item's target names the rule and the
 * references: `{ match: 'all' | 'part', references: string[] }`. The grade's score is RULER's per-sample
 * score (partial credit for `all`); the outcome is `correct` only when the score is 1, `no_answer` when
 * the post-processed prediction is empty.
 */
import { z } from 'zod';
import type { Grade, Judge, JsonObject } from '../../harness/types.js';
import { matchReferences, postprocessPrediction } from './match.js';

export const StringMatchTarget = z.object({
  match: z.enum(['all', 'part']),
  references: z.array(z.string().min(1)).min(1),
});
export type StringMatchTarget = z.infer<typeof StringMatchTarget>;

/** How much of a long prediction the grade keeps as `extracted` (the attempt itself keeps all of it). */
const EXTRACT_LIMIT = 2000;

export function createStringMatchJudge(): Judge {
  return {
    name: 'string-match',
    version: '1',
    async grade(item, attempt): Promise<Grade> {
      const parsed = StringMatchTarget.safeParse(item.target);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`item ${item.id}: target is not {match, references}: ${issue.path.join('.') || 'target'}: ${issue.message}`);
      }
      const { match, references } = parsed.data;
      const prediction = postprocessPrediction(attempt.text);
      if (prediction === '') {
        return { outcome: 'no_answer', score: 0, extracted: null, answerKey: null, judgeDisagreement: null, details: { rule: match, references } };
      }
      const r = matchReferences(match, prediction, references);
      const details: JsonObject = { rule: match, found: r.found, missing: r.missing };
      return {
        outcome: r.score === 1 ? 'correct' : 'wrong',
        score: r.score,
        extracted: prediction.length > EXTRACT_LIMIT ? prediction.slice(0, EXTRACT_LIMIT) : prediction,
        // Free text does not vote: majority voting needs canonical answers, which these tasks do not have.
        answerKey: null,
        judgeDisagreement: null,
        details,
      };
    },
  };
}

/**
 * The outcome rules every judge shares, applied before any suite-specific grading:
 * an attempt that errored, hit the token limit or never closed its thinking is classified as such and
 * never reaches the answer checker, so a budget or format problem is never counted as "wrong".
 */
import type { Attempt, Grade, Item, Judge } from '../harness/types.js';

/** The grade an attempt gets without looking at its answer, or null when the judge must decide. */
export function precheckAttempt(attempt: Attempt): Grade | null {
  if (attempt.finish === 'error') {
    return { outcome: 'error', score: 0, extracted: null, answerKey: null, judgeDisagreement: null, details: { reason: 'generation failed', error: attempt.error } };
  }
  if (attempt.finish === 'length') {
    return {
      outcome: 'truncated',
      score: 0,
      extracted: null,
      answerKey: null,
      judgeDisagreement: null,
      details: { reason: 'hit the token limit', inThinking: attempt.thinkingUnclosed },
    };
  }
  if (attempt.thinkingUnclosed) {
    return { outcome: 'unclosed_thinking', score: 0, extracted: null, answerKey: null, judgeDisagreement: null, details: { reason: 'thinking never closed' } };
  }
  return null;
}

/** Grades one attempt: the shared outcome rules first, then the judge. A throwing judge yields `error`. */
export async function gradeAttempt(judge: Judge, item: Item, attempt: Attempt): Promise<Grade> {
  const pre = precheckAttempt(attempt);
  if (pre) return pre;
  try {
    return await judge.grade(item, attempt);
  } catch (e) {
    return { outcome: 'error', score: 0, extracted: null, answerKey: null, judgeDisagreement: null, details: { reason: 'judge failed', error: String((e as Error)?.message ?? e) } };
  }
}

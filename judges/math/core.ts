/**
 * The pure, synchronous checker — no pool, no threads. Tests, the benchmark baseline and the pool
 * workers use it; the harness uses the Judge from index.ts instead.
 */
export { gradeMathAnswer, parseGold, type MathGradeOptions } from './grade.js';
export { looksLikeMath, extractCandidates, prepareResponse, findBoxes, findMathEnvs, type Candidate, type Strength } from './extract.js';
export { parseLatex, ParseError, type ParseOptions } from './latex/parser.js';
export { answersEqual, type CompareContext, type Verdict } from './compare.js';
export { secondOpinion, type SecondOpinion, type SecondVerdict } from './selfcheck.js';
export { answerKey } from './keys.js';
export { canonicalAnswer, type Ans } from './answer.js';
export { Deadline, BudgetExceeded, DEFAULT_BUDGET_MS } from './deadline.js';
export { exactValue, surdKey } from './exact.js';

import { extractCandidates, prepareResponse, type Candidate } from './extract.js';

/** The best answer candidate of a response (what the judge grades first), or null when there is none. */
export function extractAnswer(response: string, opts: { strict: boolean; listMode?: boolean }): Candidate | null {
  const c = extractCandidates(prepareResponse(response).text, { strict: opts.strict, listMode: opts.listMode ?? false });
  return c[0] ?? null;
}

/**
 * RULER's scoring rules (NVIDIA/RULER scripts/eval): a prediction is post-processed (stripped, control
 * characters turned into newlines), then each reference string is looked for as a case-insensitive
 * substring. string_match_all gives the fraction of references found (partial credit); string_match_part
 * gives 1 when any reference is found (QA tasks, whose references are alternative answers).
 */

export type MatchRule = 'all' | 'part';

/** RULER's post-processing: strip, every ASCII control character (\x00–\x1f) becomes a newline, strip again. */
export function postprocessPrediction(text: string): string {
  return text.trim().replace(/[\x00-\x1f]/g, '\n').trim();
}

export interface MatchResult {
  /** In [0, 1]. */
  score: number;
  found: string[];
  missing: string[];
}

function contains(prediction: string, reference: string): boolean {
  return prediction.toLowerCase().includes(reference.toLowerCase());
}

/** Fraction of the references that occur in the prediction (case-insensitive substrings). */
export function stringMatchAll(prediction: string, references: string[]): MatchResult {
  if (references.length === 0) throw new Error('string_match_all needs at least one reference');
  const found = references.filter((r) => contains(prediction, r));
  return { score: found.length / references.length, found, missing: references.filter((r) => !contains(prediction, r)) };
}

/** 1 when any reference occurs in the prediction, else 0. */
export function stringMatchPart(prediction: string, references: string[]): MatchResult {
  if (references.length === 0) throw new Error('string_match_part needs at least one reference');
  const found = references.filter((r) => contains(prediction, r));
  return { score: found.length > 0 ? 1 : 0, found, missing: references.filter((r) => !contains(prediction, r)) };
}

export function matchReferences(rule: MatchRule, prediction: string, references: string[]): MatchResult {
  return rule === 'all' ? stringMatchAll(prediction, references) : stringMatchPart(prediction, references);
}

/**
 * RULER's task score over samples, as its evaluate.py reports it: the mean per-sample score × 100, rounded
 * to two decimals. (dseval keeps unrounded fractions in the store; this is for comparing with RULER.)
 */
export function rulerTaskScore(rule: MatchRule, predictions: string[], references: string[][]): number {
  if (predictions.length !== references.length) throw new Error('rulerTaskScore: predictions and references differ in length');
  if (predictions.length === 0) return 0;
  const total = predictions.reduce((s, p, i) => s + matchReferences(rule, p, references[i]).score, 0);
  return Math.round((total / predictions.length) * 100 * 100) / 100;
}

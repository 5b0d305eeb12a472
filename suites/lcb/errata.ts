/**
 * LiveCodeBench's ERRATA.md (LiveCodeBench @ 28fef95): problems whose grading is known to be unreliable.
 * AtCoder problems are named by question_id, LeetCode ones by their title slug. Items keep them (official
 * numbers include them) and carry `metadata.errata`; `--exclude-errata` drops them.
 */
export type ErratumKind = 'multiple-answers' | 'interactive' | 'broken-tests';

const ERRATA: Record<string, ErratumKind> = {
  abc311_c: 'multiple-answers',
  abc326_d: 'multiple-answers',
  abc327_b: 'multiple-answers',
  abc333_e: 'multiple-answers',
  abc343_e: 'multiple-answers',
  abc362_c: 'multiple-answers',
  'find-words-containing-character': 'multiple-answers',
  'find-the-peaks': 'multiple-answers',
  'generate-binary-strings-without-adjacent-zeros': 'multiple-answers',
  arc185_c: 'multiple-answers',
  abc343_a: 'multiple-answers',
  abc337_e: 'interactive',
  abc355_e: 'interactive',
  abc350_c: 'broken-tests',
  'apply-operations-to-make-string-empty': 'broken-tests',
  'most-frequent-ids': 'broken-tests',
  arc189_a: 'broken-tests',
};

/** "Find the Peaks" → "find-the-peaks" (LeetCode's slug rule for plain titles). */
export function titleSlug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function erratumOf(questionId: string, title: string | null): ErratumKind | null {
  return ERRATA[questionId] ?? (title ? ERRATA[titleSlug(title)] : undefined) ?? null;
}

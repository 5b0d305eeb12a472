/**
 * Sentence boundaries in essay text, in the spirit of NLTK's punkt (which RULER uses): a sentence ends at
 * ".", "!" or "?" (closing quotes and brackets may follow) unless the word is a known abbreviation, an
 * initial ("J.") or a dotted acronym ("U.S."), and the next word starts like a sentence (a capital, a
 * digit, or an opening quote or bracket before one). Judged on two adjacent whitespace-free words.
 */

const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'vs', 'etc', 'inc', 'ltd', 'co', 'corp', 'no', 'vol',
  'fig', 'cf', 'al', 'approx', 'dept', 'est', 'gen', 'gov', 'sen', 'rep', 'rev', 'jan', 'feb', 'mar', 'apr',
  'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'ph.d', 'e.g', 'i.e', 'u.s', 'u.k', 'a.m', 'p.m',
]);

/** True when `word` (no whitespace) can end a sentence. */
export function endsSentence(word: string): boolean {
  const core = word.replace(/["'”’)\]]+$/u, '');
  const last = core.at(-1);
  if (last === '!' || last === '?') return true;
  if (last !== '.') return false;
  const stem = core.slice(0, -1).replace(/^["'“‘(\[]+/u, '').toLowerCase();
  if (stem === '') return false; // a lone "."
  if (stem.endsWith('.')) return true; // an ellipsis before a capital
  if (ABBREVIATIONS.has(stem)) return false;
  if (/^\p{L}$/u.test(stem)) return false; // an initial
  if (/^(\p{L}\.)+\p{L}$/u.test(stem)) return false; // U.S, e.g
  return true;
}

/** True when `word` (no whitespace) can start a sentence. */
export function startsSentence(word: string): boolean {
  return /^["'“‘(\[]*[\p{Lu}\p{N}]/u.test(word);
}

/** A sentence boundary between two adjacent words. */
export function isSentenceBreak(previous: string, next: string): boolean {
  return endsSentence(previous) && startsSentence(next);
}

/**
 * The simple final-answer judge: the last \boxed{…} (nested braces), compared as an integer when the gold
 * answer is one, else as whitespace-normalised text. The symbolic checker (judges/math) replaces it for
 * the math suites; this stays as the fallback for plain string answers.
 */
import type { Grade, Judge } from '../harness/types.js';

/** Contents of the last \boxed{…} or \fbox{…}, braces balanced; null when there is none. */
export function lastBoxed(text: string): string | null {
  const re = /\\(?:boxed|fbox)\s*\{/g;
  let found: string | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
    }
    if (depth === 0) found = text.slice(start, i - 1);
  }
  return found;
}

const normalise = (s: string) => s.replace(/\s+/g, '').replace(/^\$|\$$/g, '');

export function createBoxedJudge(opts: { integer: boolean }): Judge {
  return {
    name: 'boxed',
    version: '1',
    async grade(item, attempt): Promise<Grade> {
      const gold = String(item.target).trim();
      const extracted = lastBoxed(attempt.text);
      if (extracted === null) return { outcome: 'no_answer', score: 0, extracted: null, answerKey: null, judgeDisagreement: null, details: {} };
      let correct: boolean;
      let key: string;
      if (opts.integer && /^-?\d+$/.test(gold)) {
        const m = normalise(extracted).match(/^-?\d+$/);
        key = m ? String(BigInt(m[0])) : normalise(extracted);
        correct = m !== null && BigInt(m[0]) === BigInt(gold);
      } else {
        key = normalise(extracted);
        correct = key === normalise(gold);
      }
      return { outcome: correct ? 'correct' : 'wrong', score: correct ? 1 : 0, extracted, answerKey: key, judgeDisagreement: null, details: { extraction: 'boxed' } };
    },
  };
}

/**
 * RULER's prompt templates (NVIDIA/RULER scripts/data/synthetic/constants.py), one nunjucks file per task
 * family in templates/: `<family>.njk` is the user turn with a `context` slot, `<family>-answer.njk` the
 * answer prefix the model continues. Rendering with a sentinel in the slot gives the text around the
 * context, which is what sizing needs.
 */
import { assetPath } from '../../harness/paths.js';
import { renderTemplate } from '../common/template.js';

export type TemplateFamily = 'niah' | 'vt' | 'cwe' | 'fwe' | 'qa';

const SENTINEL = '\u0000context\u0000';

const path = (name: string) => assetPath(import.meta.url, `templates/${name}.njk`);

/** The user text before and after the context slot. */
export function templateAround(family: TemplateFamily, vars: Record<string, unknown>): { head: string; tail: string } {
  const text = renderTemplate(path(family), { ...vars, context: SENTINEL });
  const at = text.indexOf(SENTINEL);
  if (at < 0 || text.indexOf(SENTINEL, at + 1) >= 0) throw new Error(`template ${path(family)} must use {{ context }} exactly once`);
  return { head: text.slice(0, at), tail: text.slice(at + SENTINEL.length) };
}

/** The whole user text with a given context (few-shot examples). */
export function templateWith(family: TemplateFamily, vars: Record<string, unknown>, context: string): string {
  return renderTemplate(path(family), { ...vars, context });
}

/** The answer prefix, without surrounding whitespace (a trailing space would split the model's first token). */
export function answerPrefix(family: TemplateFamily, vars: Record<string, unknown>): string {
  return renderTemplate(path(`${family}-answer`), vars).trim();
}

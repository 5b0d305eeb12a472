/**
 * Prompt templates (nunjucks). Autoescape is off (prompts are not HTML: LaTeX has & and <), and an
 * undefined variable is an error naming the template, so a typo never renders an empty prompt.
 */
import nunjucks from 'nunjucks';
import { readFileSync } from 'node:fs';

const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true, trimBlocks: false });
const compiled = new Map<string, nunjucks.Template>();

/** Loads (once) and compiles the template file at `path`. */
export function loadTemplate(path: string): nunjucks.Template {
  let t = compiled.get(path);
  if (!t) {
    let source: string;
    try {
      source = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read prompt template ${path}: ${(e as Error).message}`);
    }
    // A trailing newline of the file is not part of the prompt.
    t = new nunjucks.Template(source.replace(/\r?\n$/, ''), env, path, true);
    compiled.set(path, t);
  }
  return t;
}

export function renderTemplate(path: string, vars: object): string {
  try {
    return loadTemplate(path).render(vars);
  } catch (e) {
    throw new Error(`prompt template ${path}: ${(e as Error).message}`);
  }
}

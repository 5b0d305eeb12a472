/** Terminal views of the leaderboard: the published table, a model's recipes, and runs against them. */
import { textTable } from '../terminal.js';
import type { Manifest, PublishedResult, Recipe } from './manifest.js';
import { BUDGET_SLACK, type Reproduction } from './reproduce.js';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const SUITE_ORDER = ['aime25', 'hmmt_feb25', 'lcb'];
const suiteRank = (s: string) => (SUITE_ORDER.includes(s) ? SUITE_ORDER.indexOf(s) : 99);

export function formatPublished(m: Manifest): string {
  const suites = [...new Set(m.results.map((r) => r.suite))].sort((a, b) => suiteRank(a) - suiteRank(b) || a.localeCompare(b));
  const rows = Object.entries(m.models).map(([id, model]) => [
    model.name,
    id,
    ...suites.map((s) => {
      const r = m.results.find((x) => x.model === id && x.suite === s);
      return r ? `${r.value.toFixed(1)}${r.mean_output_tokens ? ` (${Math.round(r.mean_output_tokens / 1000)}k tok)` : ''}` : '–';
    }),
  ]);
  const notes = new Set<string>();
  for (const r of m.results) {
    if (r.recipe.window) notes.add(`${r.modelName} lcb: contest dates ${r.recipe.window.start} … ${r.recipe.window.end}`);
    if (r.published_as) notes.add(`${r.modelName} ${r.suite}: published as "${r.published_as}"`);
  }
  const sources = Object.values(m.models).map((x) => `  ${x.name}: ${x.source}`);
  return [
    textTable(['model', 'id', ...suites], rows),
    '',
    'notes:',
    ...[...notes].map((n) => `  ${n}`),
    '',
    'sources:',
    ...[...new Set(sources)],
    '',
    'Reproduce one: `dseval leaderboard --recipe <id>`; check a run: `dseval leaderboard <run> [--against <id>]`.',
  ].join('\n');
}

/** The `dseval run` command line a recipe asks for (placeholders where the recipe is silent). */
export function recipeCommand(r: PublishedResult): string {
  const rc = r.recipe;
  const parts = ['dseval run', `--suite ${r.suite}`, '--model openai:<your-endpoint>/v1'];
  if (rc.temperature !== null) parts.push(`--temperature ${rc.temperature}`);
  if (rc.top_p !== null) parts.push(`--top-p ${rc.top_p}`);
  if (rc.n !== null) parts.push(`-n ${rc.n}`);
  // Leave room for the prompt inside the context window.
  if (rc.context_tokens !== null) parts.push(`--max-tokens ${rc.context_tokens - BUDGET_SLACK}`);
  if (rc.thinking !== null) parts.push(rc.thinking ? '--thinking' : '--no-thinking');
  if (rc.window) parts.push(`--start-date ${rc.window.start} --end-date ${rc.window.end}`);
  return parts.join(' ');
}

function recipeLines(rc: Recipe): string[][] {
  const np = 'not published';
  const v = (x: unknown) => (x === null ? np : String(x));
  const rows: string[][] = [
    ['prompt', rc.prompt === null ? np : rc.prompt.replace(/\n/g, '\\n')],
    ['temperature', v(rc.temperature)],
    ['top_p', v(rc.top_p)],
    ['attempts per problem (n)', v(rc.n)],
    ['token budget', rc.context_tokens === null ? np : `${rc.context_tokens.toLocaleString('en-US')}-token context`],
    ['thinking', rc.thinking === null ? np : rc.thinking ? 'on' : 'off'],
    ['judge', rc.judge === null ? np : `${rc.judge.names.join(' or ')} (${rc.judge.description})`],
  ];
  if (rc.items !== null) rows.push(['problems', String(rc.items)]);
  if (rc.window) rows.push(['LCB window', `${rc.window.start} … ${rc.window.end}`]);
  if (rc.tests) rows.push(['tests', rc.tests]);
  return rows;
}

export function formatRecipes(m: Manifest, modelId: string, suite?: string): string {
  const model = m.models[modelId];
  if (!model) throw new Error(`no published model "${modelId}" (known: ${Object.keys(m.models).join(', ')})`);
  const results = m.results.filter((r) => r.model === modelId && (!suite || r.suite === suite));
  if (!results.length) throw new Error(`${model.name} has no published ${suite} number`);
  const out: string[] = [`${model.name} — ${model.source}`];
  for (const r of results) {
    out.push('', `${r.suite}: published ${r.value.toFixed(1)}%${r.published_as ? ` (${r.published_as})` : ''}${r.mean_output_tokens ? `, about ${r.mean_output_tokens.toLocaleString('en-US')} output tokens per answer` : ''}`);
    const lines = recipeLines(r.recipe);
    const w = Math.max(...lines.map(([k]) => k.length));
    for (const [k, v] of lines) out.push(`  ${k.padEnd(w)}  ${v}`);
    out.push(`  command: ${recipeCommand(r)}`);
    const silent = recipeLines(r.recipe).filter(([, v]) => v === 'not published').map(([k]) => k);
    if (silent.length) out.push(`  not published (suite defaults apply; say so when you quote the number): ${silent.join(', ')}`);
  }
  return out.join('\n');
}

const MARK: Record<string, string> = { match: '=', differs: '≠', unpublished: '·', unknown: '?' };

export function formatReproduction(rep: Reproduction, others: PublishedResult[], tolerance: number): string {
  const e = rep.estimate;
  const out: string[] = [];
  out.push(`${rep.run.runId} (${rep.run.model}) against ${rep.result.modelName} on ${rep.run.suite}`);
  out.push(`  run:       ${rep.metric} ${pct(e.value)}  95% CI [${pct(e.ciLow)}, ${pct(e.ciHigh)}]  over ${e.n} problems × ${rep.run.n} attempts`);
  out.push(`  published: ${pct(rep.published)}${rep.result.published_as ? ` (${rep.result.published_as})` : ''} — ${rep.result.source}`);
  const gap = 100 * (e.value - rep.published);
  const tol = tolerance ? ` widened by ${(100 * tolerance).toFixed(1)} pts` : '';
  out.push(
    rep.verdict === 'reproduced'
      ? `  → reproduced: the published value lies inside the run's interval${tol} (gap ${gap >= 0 ? '+' : ''}${gap.toFixed(1)} pts)`
      : `  → NOT reproduced: the ${rep.verdict === 'run below' ? 'run is below' : 'run is above'} the published value by ${Math.abs(gap).toFixed(1)} pts, outside its interval${tol}`,
  );
  if (rep.result.mean_output_tokens) {
    out.push(`  output tokens per answer: run mean ${rep.meanOutputTokens === null ? '–' : Math.round(rep.meanOutputTokens).toLocaleString('en-US')}, published about ${rep.result.mean_output_tokens.toLocaleString('en-US')}`);
  }
  out.push('  recipe check (= matches, ≠ differs, · not published, ? unknown):');
  const rows = rep.checks.map((c) => [MARK[c.status], c.field, c.recipe, c.run, c.note ?? '']);
  out.push(textTable(['', 'setting', 'recipe', 'this run', 'note'], rows, { align: 'left' }).replace(/^/gm, '    '));
  const differs = rep.checks.filter((c) => c.status === 'differs').map((c) => c.field);
  out.push(differs.length ? `  settings that differ from the recipe: ${differs.join(', ')}` : '  every published setting of the recipe matches');
  if (others.length) out.push(`  other published ${rep.run.suite} numbers: ${others.map((o) => `${o.modelName} ${o.value.toFixed(1)}`).join(', ')}`);
  return out.join('\n');
}

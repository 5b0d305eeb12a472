/**
 * A run against a published number: the run's figure with its interval beside the published value, and a
 * field-by-field check of the run's settings against the recipe (prompt, sampling, n, token budget,
 * thinking, judge, LCB window and tests, problem count) that says which differ.
 */
import nunjucks from 'nunjucks';
import type { Store, StoredRun } from '../store.js';
import type { PublishedResult, Recipe } from './manifest.js';
import { runSettings } from '../run-diff.js';
import { metricNameFor, runItemScores } from '../item-scores.js';
import { bootstrapMean } from '../../harness/metrics.js';
import { attemptDistribution, outcomeCounts } from '../queries.js';

/** Tokens of the context a run may leave unused and still match the recipe's budget. */
export const BUDGET_SLACK = 2048;

export type CheckStatus = 'match' | 'differs' | 'unpublished' | 'unknown';

export interface RecipeCheck {
  field: string;
  recipe: string;
  run: string;
  status: CheckStatus;
  note?: string;
}

export interface Reproduction {
  result: PublishedResult;
  run: StoredRun;
  metric: string;
  estimate: { value: number; ciLow: number; ciHigh: number; n: number };
  /** The published value as a fraction. */
  published: number;
  /** Published value inside the run's interval (widened by the tolerance), or which side it is on. */
  verdict: 'reproduced' | 'run below' | 'run above';
  meanOutputTokens: number | null;
  checks: RecipeCheck[];
}

/** The headline metric published numbers correspond to: pass@1 for LiveCodeBench, mean accuracy otherwise. */
export const metricForSuite = (suite: string): string => (suite === 'lcb' ? 'pass@1' : 'avg@n');

const templates = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });

const str = (v: unknown) => (v === null || v === undefined ? '(unset)' : typeof v === 'string' ? v : JSON.stringify(v));

function simple(field: string, recipe: unknown, run: unknown, note?: string): RecipeCheck {
  if (recipe === null || recipe === undefined) return { field, recipe: 'not published', run: str(run), status: 'unpublished' };
  const same = typeof recipe === 'number' && typeof run === 'number' ? Math.abs(recipe - run) < 1e-9 : recipe === run;
  return { field, recipe: str(recipe), run: str(run), status: same ? 'match' : 'differs', note: same ? undefined : note };
}

async function promptCheck(store: Store, run: StoredRun, template: string | null): Promise<RecipeCheck> {
  if (template === null) return { field: 'prompt', recipe: 'not published', run: '(not compared)', status: 'unpublished' };
  const items = await store.getItems(run.runId);
  const tmpl = nunjucks.compile(template, templates);
  const bad: string[] = [];
  for (const { item, prompt } of items) {
    const want = tmpl.render(item.fields).trimEnd();
    const ok =
      prompt.kind === 'chat' && prompt.messages.length === 1 && prompt.messages[0].role === 'user' && prompt.messages[0].content.trimEnd() === want;
    if (!ok) bad.push(item.id);
  }
  const shown = template.replace(/\n/g, '\\n');
  if (!bad.length) return { field: 'prompt', recipe: shown, run: `all ${items.length} prompts match`, status: 'match' };
  return {
    field: 'prompt',
    recipe: shown,
    run: `${bad.length} of ${items.length} prompts differ (first: ${bad[0]})`,
    status: 'differs',
    note: 'a system message, another template or a raw-completion prompt changes what the model sees',
  };
}

async function budgetCheck(store: Store, run: StoredRun, recipe: Recipe, maxTokens: number): Promise<RecipeCheck> {
  if (recipe.context_tokens === null) return { field: 'token budget', recipe: 'not published', run: `max_tokens ${maxTokens}`, status: 'unpublished' };
  const prompt = await attemptDistribution(store, run.runId, 'prompt_tokens');
  const longestPrompt = Math.ceil(prompt.max ?? 0);
  const oc = await outcomeCounts(store, run.runId);
  const trunc = oc.total ? `${((100 * oc.counts.truncated) / oc.total).toFixed(1)}% of attempts truncated` : 'no graded attempts';
  // The budget matches when prompt + max_tokens fills the context up to a small margin (the chat format's
  // own tokens and a server's reserve): `dseval leaderboard --recipe` suggests context − 2048.
  const ok = maxTokens + longestPrompt + BUDGET_SLACK >= recipe.context_tokens;
  const room = recipe.context_tokens - longestPrompt;
  return {
    field: 'token budget',
    recipe: `${recipe.context_tokens.toLocaleString('en-US')}-token context (prompt + output)`,
    run: `max_tokens ${maxTokens.toLocaleString('en-US')}; ${trunc}`,
    status: ok ? 'match' : 'differs',
    note: ok ? undefined : `long reasoning is cut off below the recipe's budget (${room.toLocaleString('en-US')} output tokens would fit)`,
  };
}

async function windowChecks(store: Store, run: StoredRun, recipe: Recipe, options: Record<string, unknown>): Promise<RecipeCheck[]> {
  const out: RecipeCheck[] = [];
  const rows = await store.all(
    `SELECT min(json_extract_string(metadata, '$.contest_date')) AS lo, max(json_extract_string(metadata, '$.contest_date')) AS hi,
            count(*) FILTER (WHERE json_extract_string(metadata, '$.tests_scope') = 'public') AS public_only
     FROM items WHERE run_id = ?`,
    [run.runId],
  );
  const lo = rows[0]?.lo ? String(rows[0].lo).slice(0, 10) : null;
  const hi = rows[0]?.hi ? String(rows[0].hi).slice(0, 10) : null;
  if (recipe.window) {
    const opt = `--start-date ${str(options.startDate)} --end-date ${str(options.endDate)}`;
    const span = lo && hi ? `problems dated ${lo} … ${hi}` : 'no contest dates on the items';
    const inside = lo !== null && hi !== null && lo >= recipe.window.start && hi <= recipe.window.end;
    const sameOpts = options.startDate === recipe.window.start && options.endDate === recipe.window.end;
    out.push({
      field: 'LCB window',
      recipe: `${recipe.window.start} … ${recipe.window.end}`,
      run: `${opt}; ${span}`,
      status: sameOpts && inside ? 'match' : 'differs',
      note: sameOpts && inside ? undefined : `run with --start-date ${recipe.window.start} --end-date ${recipe.window.end} on data that covers the window`,
    });
  }
  if (recipe.tests) {
    const publicOnly = options.publicOnly === true || options.publicOnly === 'true' || Number(rows[0]?.public_only ?? 0) > 0;
    const used = publicOnly ? 'public' : 'public+private';
    out.push({
      field: 'tests',
      recipe: recipe.tests,
      run: used,
      status: used === recipe.tests ? 'match' : 'differs',
      note: used === recipe.tests ? undefined : 'public tests alone let wrong programs pass: pass@1 is inflated against official numbers',
    });
  }
  return out;
}

export async function reproduce(store: Store, run: StoredRun, result: PublishedResult, opts: { tolerance?: number } = {}): Promise<Reproduction> {
  const recipe = result.recipe;
  const metric = metricNameFor(metricForSuite(run.suite), run.n);
  const stored = (await store.getMetrics(run.runId)).find((m) => m.breakdown === '' && m.metric === metric);
  const estimate =
    stored && Number.isFinite(stored.value)
      ? { value: stored.value, ciLow: stored.ciLow, ciHigh: stored.ciHigh, n: stored.nItems }
      : bootstrapMean([...(await runItemScores(store, run, metric)).scores.values()].map((s) => s.score));
  const published = result.value / 100;
  const tol = opts.tolerance ?? 0;
  const verdict = published < estimate.ciLow - tol ? 'run above' : published > estimate.ciHigh + tol ? 'run below' : 'reproduced';
  const settings = await runSettings(run);
  const s = settings.sampling;
  const items = (await store.all(`SELECT count(*) AS n FROM items WHERE run_id = ?`, [run.runId]))[0];
  const judgeName = (settings.judge ?? '').split('@')[0];
  const checks: RecipeCheck[] = [
    simple('problems', recipe.items, Number(items.n), settings.limit !== null ? `the run used --limit ${settings.limit}` : 'a different data file or filter'),
    await promptCheck(store, run, recipe.prompt),
    simple('temperature', recipe.temperature, s.temperature),
    simple('top_p', recipe.top_p, s.topP),
    simple('attempts per problem (n)', recipe.n, run.n, 'fewer attempts widen the interval; more narrow it'),
    await budgetCheck(store, run, recipe, s.maxTokens),
    recipe.thinking === null
      ? { field: 'thinking', recipe: 'not published', run: str(s.thinking), status: 'unpublished' }
      : s.thinking === null
        ? { field: 'thinking', recipe: recipe.thinking ? 'on' : 'off', run: "server default (not set)", status: 'unknown', note: `pass --${recipe.thinking ? '' : 'no-'}thinking to pin it` }
        : simple('thinking', recipe.thinking ? 'on' : 'off', s.thinking ? 'on' : 'off'),
    recipe.judge === null
      ? { field: 'judge', recipe: 'not published', run: settings.judge ?? '(unknown)', status: 'unpublished' }
      : {
          field: 'judge',
          recipe: `${recipe.judge.names.join(' or ')}: ${recipe.judge.description}`,
          run: settings.judge ?? '(unknown)',
          status: recipe.judge.names.includes(judgeName) ? 'match' : 'differs',
        },
    ...(await windowChecks(store, run, recipe, settings.suiteOptions)),
  ];
  const tokens = await attemptDistribution(store, run.runId, 'completion_tokens');
  return { result, run, metric, estimate, published, verdict, meanOutputTokens: tokens.mean, checks };
}

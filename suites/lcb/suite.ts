/**
 * LiveCodeBench code generation (lcb): problems from code_generation_lite (any release, public + private
 * tests) or dseval's normalized JSONL, LCB's prompts, judged by the sandboxed Python judge with LCB's exact
 * runner semantics; pass@1 and unbiased pass@k with bootstrap intervals, broken down by difficulty and platform.
 */
import type { Item, JsonObject, Metric, Prompt, Suite } from '../../harness/types.js';
import { assetPath } from '../../harness/paths.js';
import { bootstrapMetric, passAtKReducer } from '../../harness/metrics.js';
import { CODE_JUDGE_OPTION_KEYS, createCodeJudge } from '../../judges/code/judge.js';
import { codeTarget } from '../../judges/code/target.js';
import { resolveDataPath } from '../common/math-competition.js';
import { renderTemplate } from '../common/template.js';
import { loadProblems, type LcbProblem } from './load.js';
import { parseLcbOptions, type LcbOptions } from './options.js';

/** LCB's SYSTEM_MESSAGE_GENERIC (the generic chat style sends it as the system turn). */
export const LCB_SYSTEM_MESSAGE =
  'You are an expert Python programmer. You will be given a question (problem specification) and will generate a correct Python program that matches the specification and passes all tests.';

const TEMPLATE = assetPath(import.meta.url, 'prompt.njk');
const DEFAULT_DATA = 'livecodebench/livecodebench_2408_2501_public.jsonl';

const parsed = new WeakMap<JsonObject, LcbOptions>();
function options(raw: JsonObject): LcbOptions {
  let o = parsed.get(raw);
  if (!o) {
    o = parseLcbOptions(raw);
    parsed.set(raw, o);
  }
  return o;
}

export function itemOf(p: LcbProblem): Item {
  return {
    id: p.id,
    fields: {
      question: p.question,
      starterCode: p.starterCode,
      platform: p.platform,
      title: p.title,
      contestId: p.contestId,
      contestDate: p.contestDate,
    },
    target: codeTarget(p.fnName, [...p.publicTests, ...p.privateTests], p.publicTests.length),
    metadata: {
      difficulty: p.difficulty,
      platform: p.platform,
      contest_date: p.contestDate,
      contest_id: p.contestId,
      release: p.release,
      test_type: p.fnName ? 'functional' : 'stdin',
      tests_scope: p.testsScope,
      public_tests: p.publicTests.length,
      private_tests: p.privateTests.length,
      errata: p.errata,
    },
  };
}

/** pass@k for k in LCB's usual set that fit in n, plus n itself; pass@1 is the headline. */
export function lcbMetrics(n: number): Metric[] {
  const ks = new Set([1, 5, 10, 20, 50, 100].filter((k) => k <= n));
  ks.add(n);
  return [...ks].sort((a, b) => a - b).map((k) => bootstrapMetric(passAtKReducer(k)));
}

const suite: Suite = {
  name: 'lcb',
  description: 'LiveCodeBench code generation (Python), judged in a bubblewrap sandbox with lcb_runner semantics',
  version: '1',
  // Reasoning-model recipe (DeepSeek-R1-style evaluation); LCB's own defaults are n=10, T=0.2, 2000 tokens.
  defaults: { n: 4, temperature: 0.6, topP: 0.95, maxTokens: 32768 },
  breakdowns: ['difficulty', 'platform'],
  // A problem is public from its contest's start (LCB's own contamination windows use the same field).
  releaseDate: (item) => (typeof item.metadata.contest_date === 'string' ? item.metadata.contest_date.slice(0, 10) : null),
  judgeOptionKeys: CODE_JUDGE_OPTION_KEYS,

  async load(opts) {
    const o = options(opts.options);
    const problems = await loadProblems(resolveDataPath(opts, DEFAULT_DATA, 'lcb'), o);
    if (problems.length === 0) {
      throw new Error(
        `suite lcb: no problems left after filtering (release ${o.release ?? 'all'}, dates ${o.startDate ?? '…'} to ${o.endDate ?? '…'}` +
          `${o.platform ? `, platform ${o.platform}` : ''}${o.difficulty ? `, difficulty ${o.difficulty}` : ''})`,
      );
    }
    return problems.map(itemOf);
  },

  render(item, raw): Prompt {
    const o = options(raw);
    const content = renderTemplate(o.template ?? TEMPLATE, { ...item.fields, style: o.promptStyle });
    if (o.promptStyle === 'r1') {
      return { kind: 'chat', messages: [...(o.system ? [{ role: 'system' as const, content: o.system }] : []), { role: 'user', content }] };
    }
    const system = o.system ?? LCB_SYSTEM_MESSAGE;
    return { kind: 'chat', messages: [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content }] };
  },

  judge(raw) {
    options(raw); // unknown or bad options fail here with the option's name, before any sandbox starts
    return createCodeJudge(raw);
  },

  metrics: lcbMetrics,
};

export default suite;

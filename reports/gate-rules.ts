/**
 * Gate rules: the YAML file `dseval gate --rules` reads, validated once with zod. Errors name the rule
 * (its index and name), the field and the line in the file. Each rule has exactly one kind:
 *
 *   rules:
 *     - accuracy: { min: 0.55 }                          # avg@n ≥ 55 % (or bound: ci_low)
 *       suite: aime25
 *     - no_regression: { baseline: aime25-1a2b3c4d }      # paired test against a baseline run
 *     - outcome_rate: { outcome: truncated, max: 0.02 }
 *     - tokens_per_second: { stat: p50, min: 25 }
 *     - latency: { stat: p95, max_seconds: 30 }
 *     - ttft: { stat: p95, max_seconds: 2 }
 *     - judge_disagreement: { max: 0.01 }
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { z } from 'zod';
import { OUTCOMES } from '../harness/types.js';

const share = z.number().min(0).max(1);
const stat = z.enum(['mean', 'p5', 'p50', 'p95', 'p99']);
const runSpec = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const atLeastOne = <T extends { min?: number; max?: number }>(v: T) => v.min !== undefined || v.max !== undefined;

export const RULE_KINDS = {
  accuracy: z
    .object({
      /** avg@n (default), pass@<k> or maj@<k>. */
      metric: z.string().default('avg@n'),
      /** Which number must clear the bound: the estimate, or an end of its 95% interval. */
      bound: z.enum(['value', 'ci_low', 'ci_high']).default('value'),
      min: share.optional(),
      max: share.optional(),
    })
    .strict()
    .refine(atLeastOne, 'give min and/or max'),
  no_regression: z
    .object({
      /** Baseline run: id or prefix, `latest`, or model:<text> (one run of the rule's suite). */
      baseline: z.string().min(1),
      /** Database of the baseline (default: the file's baseline_db, else --baseline-db, else --db). */
      db: z.string().min(1).optional(),
      alpha: z.number().gt(0).lt(1).default(0.05),
      metric: z.string().default('avg@n'),
      /** A significant drop smaller than this (score units) does not fail the rule. */
      min_effect: z.number().min(0).lt(1).default(0),
      allow_different: z.boolean().default(false),
    })
    .strict(),
  outcome_rate: z
    .object({ outcome: z.enum(OUTCOMES), min: share.optional(), max: share.optional() })
    .strict()
    .refine(atLeastOne, 'give min and/or max'),
  tokens_per_second: z.object({ stat: stat.default('p50'), min: z.number().positive() }).strict(),
  latency: z.object({ stat: stat.default('p95'), max_seconds: z.number().positive() }).strict(),
  ttft: z.object({ stat: stat.default('p95'), max_seconds: z.number().positive() }).strict(),
  judge_disagreement: z.object({ max: share }).strict(),
  /** Completion tokens spent per correct attempt (all attempts' tokens over the correct ones): catches verbosity. */
  tokens_per_correct: z.object({ max: z.number().positive() }).strict(),
} as const;

export type RuleKind = keyof typeof RULE_KINDS;
export type RuleParams<K extends RuleKind> = z.infer<(typeof RULE_KINDS)[K]>;

/** A rule's kind and its parameters, discriminated by kind. */
export type RuleBody = { [K in RuleKind]: { kind: K; params: RuleParams<K> } }[RuleKind];

export type GateRule = RuleBody & {
  index: number;
  /** The user's name, or one made from the rule. */
  name: string;
  suite: string | null;
  /** Line of the rule in the file. */
  line: number | null;
};

export interface GateFile {
  path: string;
  runs: string[] | null;
  baselineDb: string | null;
  rules: GateRule[];
}

export class GateRulesError extends Error {}

const FileSchema = z
  .object({
    runs: runSpec.optional(),
    baseline_db: z.string().min(1).optional(),
    rules: z.array(z.record(z.string(), z.unknown())).min(1, 'needs at least one rule'),
  })
  .strict();

const COMMON = new Set(['name', 'suite']);

function describeRule(kind: RuleKind, p: Record<string, unknown>): string {
  const pct = (x: unknown) => `${(100 * Number(x)).toFixed(1)}%`;
  const range = (label: string, fmt: (x: unknown) => string) =>
    [p.min !== undefined ? `${label} ≥ ${fmt(p.min)}` : '', p.max !== undefined ? `${label} ≤ ${fmt(p.max)}` : ''].filter(Boolean).join(' and ');
  switch (kind) {
    case 'accuracy':
      return range(`${p.metric}${p.bound === 'value' ? '' : ` ${p.bound}`}`, pct);
    case 'no_regression':
      return `no significant regression of ${p.metric} against ${p.baseline} (α ${p.alpha})`;
    case 'outcome_rate':
      return range(`${p.outcome} rate`, pct);
    case 'tokens_per_second':
      return `${p.stat} tokens/s ≥ ${p.min}`;
    case 'latency':
      return `${p.stat} latency ≤ ${p.max_seconds} s`;
    case 'ttft':
      return `${p.stat} time to first token ≤ ${p.max_seconds} s`;
    case 'judge_disagreement':
      return `judge self-check disagreement ≤ ${pct(p.max)}`;
    case 'tokens_per_correct':
      return `completion tokens per correct attempt ≤ ${p.max}`;
  }
}

/** Parses and validates a rules file; every problem is reported at once, each with its place. */
export function parseGateRules(text: string, path: string): GateFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const at = e.linePos?.[0] ? ` line ${e.linePos[0].line}` : '';
    throw new GateRulesError(`${path}${at}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const lineOf = (p: Array<string | number>): number | null => {
    for (let k = p.length; k >= 0; k--) {
      const node = doc.getIn(p.slice(0, k), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return null;
  };
  const where = (p: Array<string | number>) => {
    const line = lineOf(p);
    return `${path}${line ? ` line ${line}` : ''}`;
  };
  const raw = doc.toJS();
  const top = FileSchema.safeParse(raw ?? {});
  if (!top.success) {
    const lines = top.error.issues.map((i) => `  ${where(i.path as Array<string | number>)}, ${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new GateRulesError(`invalid gate rules:\n${lines.join('\n')}`);
  }
  const problems: string[] = [];
  const rules: GateRule[] = [];
  top.data.rules.forEach((r, index) => {
    const label = `rules[${index}]${typeof r.name === 'string' ? ` (${r.name})` : ''}`;
    const kinds = Object.keys(r).filter((k) => !COMMON.has(k));
    const unknown = kinds.filter((k) => !(k in RULE_KINDS));
    if (unknown.length) {
      problems.push(`${where(['rules', index, unknown[0]])}, ${label}: unknown rule kind "${unknown[0]}" (expected one of ${Object.keys(RULE_KINDS).join(', ')})`);
      return;
    }
    if (kinds.length !== 1) {
      problems.push(`${where(['rules', index])}, ${label}: ${kinds.length ? `one kind per rule, found ${kinds.join(' and ')}` : `needs one of ${Object.keys(RULE_KINDS).join(', ')}`}`);
      return;
    }
    if (r.name !== undefined && typeof r.name !== 'string') problems.push(`${where(['rules', index, 'name'])}, ${label}.name: expected a string`);
    if (r.suite !== undefined && typeof r.suite !== 'string') problems.push(`${where(['rules', index, 'suite'])}, ${label}.suite: expected a suite name`);
    const kind = kinds[0] as RuleKind;
    const parsed = RULE_KINDS[kind].safeParse(r[kind] ?? {});
    if (!parsed.success) {
      for (const i of parsed.error.issues) {
        const p = ['rules', index, kind, ...(i.path as Array<string | number>)];
        problems.push(`${where(p)}, ${label}.${[kind, ...i.path].join('.')}: ${i.message}`);
      }
      return;
    }
    const body = { kind, params: parsed.data } as RuleBody;
    const suite = typeof r.suite === 'string' ? r.suite : null;
    rules.push({
      ...body,
      index,
      name: typeof r.name === 'string' ? r.name : `${suite ? `${suite}: ` : ''}${describeRule(kind, parsed.data as Record<string, unknown>)}`,
      suite,
      line: lineOf(['rules', index]),
    });
  });
  if (problems.length) throw new GateRulesError(`invalid gate rules:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  const runs = top.data.runs === undefined ? null : Array.isArray(top.data.runs) ? top.data.runs : [top.data.runs];
  return { path, runs, baselineDb: top.data.baseline_db ?? null, rules };
}

export function readGateRules(path: string): GateFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new GateRulesError(`cannot read gate rules ${path}: ${(e as Error).message}`);
  }
  return parseGateRules(text, path);
}

/**
 * RULER's variable tracking (variable_tracking.py): a chain "VAR A = 12345", "VAR B = VAR A", … hidden
 * among noise lines; the answer is every variable holding the value. One worked example (about 500
 * tokens, with its own names and value) precedes the task, as in RULER.
 */
import { linesContext } from './contexts.js';
import { itemRng, type GenContext, type Instance } from './instance.js';
import { NOISE_LINE } from './gen-niah.js';
import type { Rng } from './random.js';
import type { VtTask } from './tasks.js';
import { BUDGETS } from './tasks.js';
import { answerPrefix, templateAround, templateWith } from './templates.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function names(rng: Rng, count: number, letters: number, avoid: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < count) {
    let s = '';
    for (let i = 0; i < letters; i++) s += LETTERS[rng.below(26)];
    if (avoid.has(s)) continue;
    avoid.add(s);
    out.push(s);
  }
  return out;
}

function chainLines(vars: string[], value: number): string[] {
  return [`VAR ${vars[0]} = ${value}`, ...vars.slice(1).map((v, i) => `VAR ${v} = VAR ${vars[i]}`)];
}

/** Noise lines with one chain's lines placed before sorted random lines, joined by newlines. */
function chainContext(rng: Rng, lines: string[], noise: number): string {
  const at = rng.sample(noise, lines.length).sort((a, b) => a - b);
  const out: string[] = [];
  let j = 0;
  for (let i = 0; i < noise; i++) {
    while (j < lines.length && at[j] === i) out.push(lines[j++]);
    out.push(NOISE_LINE);
  }
  return out.join('\n');
}

/** RULER's worked example: the task text, the answer prefix and the answer, then a blank line. */
function example(g: GenContext, spec: VtTask, avoid: Set<string>): string {
  const rng = itemRng(g, 'example');
  const vars = names(rng, spec.hops + 1, 3, avoid);
  const value = rng.int(10000, 99999);
  const lines = chainLines(vars, value);
  const budget = Math.min(500, Math.floor(g.length / 8));
  const text = (noise: number) => {
    const vs = { query: value, num_v: spec.hops + 1 };
    const ctx = chainContext(itemRng(g, 'example-positions'), lines, noise);
    return `${templateWith('vt', vs, ctx)} ${answerPrefix('vt', vs)} ${vars.join(' ')}\n\n`;
  };
  // The most noise lines (at least one per chain line) that keep the example within its budget.
  const fits = (m: number) => g.lengths.text(text(m)) <= budget;
  let lo = lines.length;
  if (!fits(lo)) return text(lo);
  let hi = lo * 2;
  while (hi < 4096 && fits(hi)) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return text(lo);
}

export function vtInstance(spec: VtTask, g: GenContext): Instance {
  // RULER's config has one chain; several would interleave their lines, which RULER handles but never uses.
  if (spec.chains !== 1) throw new Error('vt: only one chain is supported');
  const rng = itemRng(g, 'chains');
  const used = new Set<string>();
  const chain = names(rng, spec.hops + 1, 5, used);
  const value = rng.int(10000, 99999);
  const inserts = chainLines(chain, value);
  const vars = { query: value, num_v: spec.hops + 1 };
  const around = templateAround('vt', vars);
  const shape = { head: example(g, spec, used) + around.head, tail: around.tail, answerPrefix: answerPrefix('vt', vars), prefixInUser: g.prefixInUser };
  // The chain's lines stay in order, each before a distinct random noise line.
  const positions = (n: number) => itemRng(g, 'positions').sample(n, inserts.length).sort((a, b) => a - b);
  const model = linesContext({ line: () => NOISE_LINE, inserts, positions, lengths: g.lengths, kind: 'chain' });
  return { shape, model, budget: BUDGETS.vt, match: 'all', describe: () => ({ references: chain, metadata: { query: String(value) } }) };
}

/**
 * RULER's needle-in-a-haystack family (niah.py): needles "One of the special magic {values} for {key} is:
 * {value}." in a noise, essay or needle (distractor) haystack; the question asks for the values of one or
 * more keys.
 */
import { essayContext, linesContext } from './contexts.js';
import { itemRng, type GenContext, type Instance } from './instance.js';
import type { Rng } from './random.js';
import type { NeedleType, NiahTask } from './tasks.js';
import { BUDGETS } from './tasks.js';
import { answerPrefix, templateAround } from './templates.js';

export const NOISE_LINE = 'The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.';

/** RULER's 40 depths: round(linspace(0, 100, 40)). */
export const ESSAY_DEPTHS = Array.from({ length: 40 }, (_, i) => Math.round((100 * i) / 39));

export function needleText(valueType: NeedleType, key: string, value: string): string {
  return `One of the special magic ${valueType} for ${key} is: ${value}.`;
}

function drawer(g: GenContext, rng: Rng, type: NeedleType): () => string {
  if (type === 'numbers') return () => String(rng.int(1_000_000, 9_999_999));
  if (type === 'uuids') return () => rng.uuid4();
  const { adjectives, nouns } = g.words;
  return () => `${rng.pick(adjectives)}-${rng.pick(nouns)}`;
}

/** `count` distinct draws. */
function distinct(draw: () => string, count: number, avoid: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const v = draw();
    if (avoid.has(v)) continue;
    avoid.add(v);
    out.push(v);
  }
  return out;
}

/** "A", "A, and B", "A, B, and C" — RULER's joining of several queried keys. */
export function joinQueries(keys: string[]): string {
  return keys.length > 1 ? `${keys.slice(0, -1).join(', ')}, and ${keys.at(-1)}` : keys[0];
}

export function niahInstance(spec: NiahTask, g: GenContext): Instance {
  const rng = itemRng(g, 'needles');
  const numKeys = Math.max(spec.keys, spec.queries);
  const used = new Set<string>();
  const keys = distinct(drawer(g, rng, spec.key), numKeys, used);
  const values = keys.map(() => distinct(drawer(g, rng, spec.value), spec.values, used));
  const needles = rng.shuffle(keys.flatMap((k, i) => values[i].map((v) => needleText(spec.value, k, v))));
  const queried = rng.sample(numKeys, spec.queries);
  const query = joinQueries(queried.map((i) => keys[i]));
  const references = queried.flatMap((i) => values[i]);

  const singular = spec.queries * spec.values === 1;
  const vars = { type: singular ? spec.value.slice(0, -1) : spec.value, singular, query };
  const { head, tail } = templateAround('niah', vars);
  const shape = { head, tail, answerPrefix: answerPrefix('niah', vars), prefixInUser: g.prefixInUser };

  let model;
  if (spec.haystack === 'essay') {
    if (!g.essay) throw new Error(`${g.task} needs the essay haystack`);
    const depths = rng.sample(ESSAY_DEPTHS.length, needles.length).map((i) => ESSAY_DEPTHS[i]);
    model = essayContext(g.essay, needles, depths.sort((a, b) => a - b), g.lengths, 'needle');
  } else {
    let line: (i: number) => string;
    if (spec.haystack === 'noise') line = () => NOISE_LINE;
    else {
      // Distractors: needles with fresh keys (never a real key) and values, drawn in order so that the
      // first m lines do not depend on how many more are drawn.
      const hayRng = itemRng(g, 'haystack');
      const drawKey = drawer(g, hayRng, spec.key);
      const drawValue = drawer(g, hayRng, spec.value);
      const realKeys = new Set(keys);
      const lines: string[] = [];
      line = (i) => {
        while (lines.length <= i) {
          let k = drawKey();
          while (realKeys.has(k)) k = drawKey();
          lines.push(needleText(spec.value, k, drawValue()));
        }
        return lines[i];
      };
    }
    const positions = (n: number) => itemRng(g, 'positions').sample(n, needles.length).sort((a, b) => a - b);
    model = linesContext({ line, inserts: needles, positions, lengths: g.lengths, kind: 'needle' });
  }
  return {
    shape,
    model,
    budget: BUDGETS.niah,
    match: 'all',
    describe: () => ({
      references,
      metadata: { query, haystack: spec.haystack, word_source: spec.key === 'words' || spec.value === 'words' ? g.words.source : null },
    }),
  };
}

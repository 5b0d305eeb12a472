/**
 * Reproduction manifests: the published numbers (published.yaml, data in the project) with the recipe
 * behind each — prompt, sampling, n, token budget, LCB date window, judge — validated once on load.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { assetPath } from '../../harness/paths.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

export const RecipeSchema = z
  .object({
    /** Nunjucks template of the user message (item fields as variables); null = not published. */
    prompt: z.string().nullable().default(null),
    temperature: z.number().nullable().default(null),
    top_p: z.number().nullable().default(null),
    /** Context window the evaluation allowed (prompt + output), in tokens. */
    context_tokens: z.number().int().positive().nullable().default(null),
    thinking: z.boolean().nullable().default(null),
    /** Attempts per problem. */
    n: z.number().int().positive().nullable().default(null),
    judge: z.object({ names: z.array(z.string()).min(1), description: z.string() }).strict().nullable().default(null),
    /** Problems in the benchmark (AIME 2025: 30). */
    items: z.number().int().positive().nullable().default(null),
    /** LiveCodeBench contest-date window, inclusive. */
    window: z.object({ start: day, end: day }).strict().nullable().default(null),
    /** Which tests grade code: public+private (official) or public. */
    tests: z.enum(['public+private', 'public']).nullable().default(null),
  })
  .strict();

export type Recipe = z.infer<typeof RecipeSchema>;

const ResultSchema = z
  .object({
    model: z.string(),
    suite: z.string(),
    /** Percent, as published. */
    value: z.number().min(0).max(100),
    /** How the source labels the figure, when it differs from the plain benchmark name. */
    published_as: z.string().optional(),
    /** Mean output tokens per answer, when published. */
    mean_output_tokens: z.number().positive().optional(),
    recipe: RecipeSchema,
  })
  .strict();

const ManifestSchema = z
  .object({
    models: z.record(z.string(), z.object({ name: z.string(), aliases: z.array(z.string()).min(1), source: z.string() }).strict()),
    recipes: z.record(z.string(), z.unknown()).optional(),
    results: z.array(ResultSchema).min(1),
  })
  .strict();

export type PublishedResult = z.infer<typeof ResultSchema> & { modelName: string; source: string };

export interface Manifest {
  models: Record<string, { name: string; aliases: string[]; source: string }>;
  results: PublishedResult[];
}

export class ManifestError extends Error {}

export function parseManifest(text: string, where: string): Manifest {
  let raw: unknown;
  try {
    raw = parse(text, { merge: true });
  } catch (e) {
    throw new ManifestError(`${where}: not valid YAML: ${(e as Error).message}`);
  }
  const r = ManifestSchema.safeParse(raw);
  if (!r.success) {
    throw new ManifestError(`${where}: invalid manifest:\n${r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const results = r.data.results.map((x, i) => {
    const m = r.data.models[x.model];
    if (!m) throw new ManifestError(`${where}: results.${i}: unknown model "${x.model}" (not under models)`);
    return { ...x, modelName: m.name, source: m.source };
  });
  return { models: r.data.models, results };
}

export const PUBLISHED_PATH = assetPath(import.meta.url, 'published.yaml');

export function loadManifest(path = PUBLISHED_PATH): Manifest {
  return parseManifest(readFileSync(path, 'utf8'), path);
}

/** The manifest model a run's model string names: the longest alias it contains, or null. */
export function matchModel(manifest: Manifest, runModel: string): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/[_\s]+/g, '-');
  const hay = norm(runModel);
  let best: { id: string; len: number } | null = null;
  for (const [id, m] of Object.entries(manifest.models)) {
    for (const a of m.aliases) {
      const al = norm(a);
      if (hay.includes(al) && (!best || al.length > best.len)) best = { id, len: al.length };
    }
  }
  return best?.id ?? null;
}

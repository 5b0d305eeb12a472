/**
 * Run configuration: flags and/or a YAML/JSON config file, merged (flags win) and validated once here with
 * errors that name the field. Everything downstream trusts the resulting RunConfig.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { JsonObject } from './types.js';

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

export const RunConfigSchema = z
  .object({
    suite: z.string().min(1),
    /** openai:<base-url> | bundled:<model-dir> */
    model: z.string().regex(/^(openai|bundled):.+/, 'must be openai:<base-url> or bundled:<model-dir>'),
    /** The model name sent to an OpenAI-compatible server; default: the server's only model. */
    modelName: z.string().min(1).optional(),
    n: z.number().int().min(1).max(10_000).optional(),
    temperature: z.number().min(0).max(5).optional(),
    topP: z.number().gt(0).max(1).optional(),
    topK: z.number().int().min(0).optional(),
    maxTokens: z.number().int().min(1).optional(),
    stop: z.array(z.string()).optional(),
    /** Thinking mode (DeepSeek chat formats, chat_template_kwargs.thinking on servers). */
    thinking: z.boolean().optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
    concurrency: z.number().int().min(1).max(4096).default(8),
    db: z.string().min(1).default('dseval.duckdb'),
    limit: z.number().int().min(1).optional(),
    data: z.string().min(1).optional(),
    dataDir: z.string().min(1).optional(),
    fresh: z.boolean().default(false),
    /** Per-request timeout in seconds (OpenAI backend). */
    timeout: z.number().positive().default(600),
    retries: z.number().int().min(0).max(50).default(6),
    /** Base of the exponential backoff between retries, in milliseconds. */
    retryBaseMs: z.number().int().min(0).default(1000),
    /** chat = /chat/completions; completions = /completions with the prompt rendered client-side. */
    api: z.enum(['chat', 'completions']).default('chat'),
    /** Client-side chat format for the completions API and the bundled engine. */
    chatFormat: z.string().optional(),
    /**
     * Tokenizer for length-controlled suites (RULER, NIAH) when the backend has none of its own:
     * a model dir, a tokenizer.json, or a shipped name (deepseek-v3).
     */
    tokenizer: z.string().min(1).optional(),
    /** Name of the environment variable holding the API key (the key itself is never stored). */
    apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('OPENAI_API_KEY'),
    /** Ask the server for the n attempts of an item in one request (`n` parameter) instead of one each. */
    serverN: z.boolean().default(false),
    stream: z.boolean().default(true),
    /** Bundled engine switches. */
    engine: z
      .object({
        dsa: z.boolean().default(true),
        referenceFp8: z.boolean().default(false),
        threads: z.number().int().min(1).max(256).optional(),
        maxBatch: z.number().int().min(1).max(1024).default(16),
        maxSeq: z.number().int().min(16).optional(),
      })
      .strict()
      .default({ dsa: true, referenceFp8: false, maxBatch: 16 }),
    /** Suite-specific options (--start-date, --lengths …), validated by the suite. */
    suiteOptions: z.record(z.string(), jsonValue).default({}),
    /** Progress display: auto (bar on a TTY, lines otherwise), bar, lines, none. */
    progress: z.enum(['auto', 'bar', 'lines', 'none']).default('auto'),
  })
  .strict();

export type RunConfig = z.infer<typeof RunConfigSchema> & { suiteOptions: JsonObject };

export class ConfigError extends Error {}

/** Formats zod issues as "field: message" lines, naming where the value came from. */
function describeIssues(error: z.ZodError, source: string): string {
  const lines = error.issues.map((i) => {
    const field = i.path.length ? i.path.join('.') : '(top level)';
    return `  ${field}: ${i.message}`;
  });
  return `invalid run configuration (${source}):\n${lines.join('\n')}`;
}

/** Reads a YAML or JSON config file into a plain object; errors name the file. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(`config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path}: expected a mapping of option names to values`);
  }
  return parsed as Record<string, unknown>;
}

/** Merges file values and flag values (flags win; suite options and engine options merge key by key). */
export function resolveRunConfig(fromFile: Record<string, unknown>, fromFlags: Record<string, unknown>, source: string): RunConfig {
  const merged: Record<string, unknown> = { ...fromFile };
  for (const [k, v] of Object.entries(fromFlags)) {
    if (v === undefined) continue;
    if ((k === 'suiteOptions' || k === 'engine') && typeof v === 'object' && v !== null) {
      merged[k] = { ...((fromFile[k] as object) ?? {}), ...(v as object) };
    } else {
      merged[k] = v;
    }
  }
  const result = RunConfigSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(describeIssues(result.error, source));
  return result.data as RunConfig;
}

/** The config as stored with the run: everything but secrets (none are in it: only the key's env var name). */
export function storableConfig(config: RunConfig): JsonObject {
  return JSON.parse(JSON.stringify(config)) as JsonObject;
}

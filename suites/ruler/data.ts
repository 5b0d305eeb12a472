/**
 * The files RULER and NIAH read, resolved from suite options or the data directory, with errors that
 * name the missing file and the option that supplies it. Loaded once per process.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { DatasetError } from '../common/dataset.js';

export const DEFAULT_PATHS = {
  essays: 'haystack/ruler_PaulGrahamEssays.json',
  niahEssays: 'haystack/PaulGrahamEssays',
  wordlists: 'ruler/wordlists',
  squad: 'ruler/squad.json',
  hotpotqa: 'ruler/hotpotqa.json',
} as const;

/** An explicit path (option) or the default under the data directory; null when neither exists. */
export function resolvePath(explicit: string | undefined, dataDir: string | null, relative: string): string | null {
  if (explicit) return explicit;
  if (dataDir) {
    const p = join(dataDir, relative);
    if (existsSync(p)) return p;
  }
  return null;
}

/** Why a file is missing, and how to supply it. */
export function missingFileMessage(what: string, option: string, dataDir: string | null, relative: string, alternative?: string): string {
  const where = dataDir ? `${join(dataDir, relative)} does not exist` : 'no data directory is set (DSEVAL_DATA_DIR or --data-dir)';
  return `${what}: ${where}; pass --${option} <path>${alternative ? `, or ${alternative}` : ''}`;
}

const cache = new Map<string, unknown>();
function once<T>(key: string, load: () => T): T {
  if (!cache.has(key)) cache.set(key, load());
  return cache.get(key) as T;
}

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw new DatasetError(`${what} not found: ${path}`);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new DatasetError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

/** RULER's essay haystack: a JSON file {"text": …} (RULER's PaulGrahamEssays.json) or a plain .txt file. */
export function readEssayText(path: string): string {
  return once(`essay:${path}`, () => {
    const raw = readText(path, 'essay haystack');
    if (extname(path) !== '.json') return raw;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      throw new DatasetError(`${path}: malformed JSON (${(e as Error).message})`);
    }
    const text = (parsed as { text?: unknown })?.text;
    if (typeof text !== 'string' || text.trim() === '') throw new DatasetError(`${path}: expected {"text": "<essays>"} with a non-empty "text" field`);
    return text;
  });
}

/** The gkamradt haystack: every .txt file of a directory, in file-name order, concatenated. */
export function readEssayDirectory(dir: string): string {
  return once(`essaydir:${dir}`, () => {
    if (!existsSync(dir)) throw new DatasetError(`essay directory not found: ${dir}`);
    if (!statSync(dir).isDirectory()) return readText(dir, 'essay haystack');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.txt'))
      .sort();
    if (files.length === 0) throw new DatasetError(`${dir}: no .txt essays in this directory`);
    return files.map((f) => readText(join(dir, f), 'essay')).join('');
  });
}

/** A JSON file, parsed, with errors naming it. */
export function readJsonFile(path: string, what: string): unknown {
  return once(`json:${path}`, () => {
    const raw = readText(path, what);
    try {
      return JSON.parse(raw);
    } catch (e) {
      throw new DatasetError(`${path}: malformed JSON (${(e as Error).message})`);
    }
  });
}

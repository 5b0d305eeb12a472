/**
 * Reading dataset files the way users have them: JSONL / JSON arrays and Parquet (Hugging Face layouts),
 * through DuckDB. Every row comes back with a `where` label ("file:line 12" or "file: row 12") so that
 * suite loaders can name the exact place of a bad value.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { Json, JsonObject } from '../../harness/types.js';

export class DatasetError extends Error {}

export interface DatasetRow {
  /** "path:line N" for JSONL, "path: row N" for Parquet. */
  where: string;
  value: JsonObject;
}

const SUPPORTED = ['.jsonl', '.json', '.parquet'];

/** A dataset path: a file, or a directory holding exactly one kind of supported file (HF snapshot layout). */
export function datasetFiles(path: string): string[] {
  const full = resolve(path);
  if (!existsSync(full)) throw new DatasetError(`dataset not found: ${full}`);
  if (statSync(full).isFile()) {
    if (!SUPPORTED.includes(extname(full))) {
      throw new DatasetError(`${full}: unsupported dataset format "${extname(full)}" (expected ${SUPPORTED.join(', ')})`);
    }
    return [full];
  }
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (SUPPORTED.includes(extname(p))) files.push(p);
    }
  };
  walk(full);
  if (files.length === 0) throw new DatasetError(`${full}: no ${SUPPORTED.join(' / ')} files in this directory`);
  return files;
}

/** Converts DuckDB's JS values (bigint, Date, nested lists/structs) into plain JSON. */
function toJson(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // DuckDB MAP values come back as { entries: [{key, value}] }
    if (Array.isArray(o.entries) && Object.keys(o).length === 1) {
      return Object.fromEntries((o.entries as Array<{ key: unknown; value: unknown }>).map((e) => [String(e.key), toJson(e.value)]));
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, toJson(x)]));
  }
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

/** Finds the first line of a JSONL file that is not a JSON object, for an exact error message. */
function firstBadJsonLine(file: string): string | null {
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      const v = JSON.parse(line);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return `${file}:${i + 1}: expected a JSON object per line`;
    } catch (e) {
      return `${file}:${i + 1}: malformed JSON (${(e as Error).message})`;
    }
  }
  return null;
}

/** Line numbers (1-based) of the non-blank lines of a JSONL file: DuckDB's row i is on line lineOf[i]. */
function nonBlankLines(file: string): number[] {
  const out: number[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((l, i) => l.trim() && out.push(i + 1));
  return out;
}

/** Reads every row of every file of a dataset path. */
export async function readDataset(path: string): Promise<DatasetRow[]> {
  const files = datasetFiles(path);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const rows: DatasetRow[] = [];
  try {
    for (const file of files) {
      const ext = extname(file);
      const quoted = file.replace(/'/g, "''");
      const sql =
        ext === '.parquet'
          ? `SELECT * FROM read_parquet('${quoted}')`
          : ext === '.jsonl'
            ? `SELECT * FROM read_json('${quoted}', format = 'newline_delimited', sample_size = -1)`
            : `SELECT * FROM read_json('${quoted}', format = 'auto', sample_size = -1)`;
      let objects: Record<string, unknown>[];
      try {
        objects = (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
      } catch (e) {
        const exact = ext === '.jsonl' ? firstBadJsonLine(file) : null;
        throw new DatasetError(exact ?? `${file}: cannot read: ${(e as Error).message.split('\n')[0]}`);
      }
      const lines = ext === '.jsonl' ? nonBlankLines(file) : null;
      objects.forEach((o, i) => {
        const where = lines ? `${file}:${lines[i] ?? i + 1}` : `${file}: row ${i + 1}`;
        rows.push({ where, value: toJson(o) as JsonObject });
      });
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  return rows;
}

/**
 * The value of the first of `names` present in the row, as a string; a clear error naming the place and the
 * accepted field names when none is present or the value is not a string or number.
 */
export function requireText(row: DatasetRow, names: string[]): string {
  for (const name of names) {
    const v = row.value[name];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new DatasetError(`${row.where}: field "${name}" must be a string or a number, got ${Array.isArray(v) ? 'a list' : typeof v}`);
  }
  throw new DatasetError(`${row.where}: missing field "${names[0]}"${names.length > 1 ? ` (also accepted: ${names.slice(1).join(', ')})` : ''}`);
}

/** The value of the first of `names` present, or null. */
export function optionalText(row: DatasetRow, names: string[]): string | null {
  for (const name of names) {
    const v = row.value[name];
    if (v !== undefined && v !== null) return typeof v === 'string' ? v : JSON.stringify(v);
  }
  return null;
}

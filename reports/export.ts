/**
 * `dseval export`: any table of the store (or the `results` view, or a SELECT of your own) to Parquet, CSV
 * or JSONL through DuckDB's COPY, optionally restricted to some runs. docs/schema.md documents the columns.
 */
import type { Store } from './store.js';

export const EXPORT_TABLES = ['runs', 'items', 'attempts', 'grades', 'metrics', 'results'] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];
export const EXPORT_FORMATS = ['parquet', 'csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class ExportError extends Error {}

/** The format a file name implies (.parquet, .csv, .jsonl / .ndjson / .json), or null. */
export function formatFromPath(path: string): ExportFormat | null {
  const m = /\.(parquet|csv|jsonl|ndjson|json)$/i.exec(path);
  if (!m) return null;
  const ext = m[1].toLowerCase();
  return ext === 'parquet' ? 'parquet' : ext === 'csv' ? 'csv' : 'jsonl';
}

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

const COPY_OPTIONS: Record<ExportFormat, string> = {
  parquet: '(FORMAT parquet, COMPRESSION zstd)',
  csv: '(FORMAT csv, HEADER true)',
  // DuckDB's JSON writer emits one object per line (newline-delimited) unless asked for an array.
  jsonl: '(FORMAT json)',
};

export interface ExportRequest {
  /** A table or view name, or null with `sql`. */
  table: string | null;
  /** A SELECT to export instead of a table. */
  sql?: string;
  /** Restrict to these run ids (tables with a run_id column). */
  runIds?: string[];
  format: ExportFormat;
  out: string;
}

/** The SELECT an export request runs (exposed for tests and --dry-run style inspection). */
export function exportQuery(req: ExportRequest): string {
  if (req.sql !== undefined) {
    const sql = req.sql.trim().replace(/;\s*$/, '');
    if (!/^(select|with|from|values|table)\b/i.test(sql)) throw new ExportError('--sql must be a query (SELECT, WITH, FROM, VALUES or TABLE)');
    if (sql.includes(';')) throw new ExportError('--sql must be a single query');
    if (req.runIds?.length) throw new ExportError('--run filters tables; put the run filter in your --sql query instead');
    return sql;
  }
  if (!req.table || !(EXPORT_TABLES as readonly string[]).includes(req.table)) {
    throw new ExportError(`unknown table "${req.table}" (expected one of ${EXPORT_TABLES.join(', ')}, or --sql)`);
  }
  const where = req.runIds?.length ? ` WHERE run_id IN (${req.runIds.map(literal).join(', ')})` : '';
  const order: Record<ExportTable, string> = {
    runs: 'created_at',
    items: 'run_id, position',
    attempts: 'run_id, item_id, attempt',
    grades: 'run_id, item_id, attempt',
    metrics: 'run_id, breakdown, metric',
    results: 'run_id, position, attempt',
  };
  return `SELECT * FROM ${req.table}${where} ORDER BY ${order[req.table as ExportTable]}`;
}

export async function exportData(store: Store, req: ExportRequest): Promise<{ rows: number; query: string }> {
  const query = exportQuery(req);
  try {
    const r = await store.all(`COPY (${query}) TO ${literal(req.out)} ${COPY_OPTIONS[req.format]}`);
    return { rows: Number(r[0]?.Count ?? 0), query };
  } catch (e) {
    throw new ExportError(`export to ${req.out} failed: ${(e as Error).message}`);
  }
}

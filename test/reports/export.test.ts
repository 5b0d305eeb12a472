/**
 * Export: every table and the results view to Parquet, CSV and JSONL through DuckDB COPY, read back by
 * DuckDB and by plain text parsing, equal to what the store holds; a run filter and a custom query.
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../reports/store.js';
import { EXPORT_TABLES, exportData, exportQuery, formatFromPath, ExportError } from '../../reports/export.js';
import { tempDir } from '../helpers/cli.js';
import { defaultParts, itemsWithCorrect, plantRun } from './planted.js';

describe('export', () => {
  const dir = tempDir('dseval-export-');
  let store: Store;
  beforeAll(async () => {
    store = await Store.open(join(dir, 'runs.duckdb'));
    await plantRun(store, { runId: 'aime25-a', items: itemsWithCorrect('a', [0, 1, 2, 3], 3, (i) => ({ difficulty: i % 2 ? 'hard' : 'easy', note: 'say "hi", then, a comma' })) });
    await plantRun(store, { runId: 'aime25-b', items: itemsWithCorrect('a', [3, 3, 3, 3], 3), fingerprintParts: defaultParts('aime25', { sampling: 'sampling-0002' }) });
    await plantRun(store, { runId: 'lcb-1', suite: 'lcb', items: itemsWithCorrect('l', [1, 0, 1], 1, (i) => ({ difficulty: 'easy', contest_date: `2024-${String(8 + i).padStart(2, '0')}-03T00:00:00` })) });
    await plantRun(store, { runId: 'ruler-1', suite: 'ruler', breakdowns: ['task,length'], items: itemsWithCorrect('r', [1, 0, 1, 1], 1, (i) => ({ task: i % 2 ? 'vt' : 'cwe', length: i < 2 ? 4096 : 8192 })) });
  });
  afterAll(() => store.close());

  const count = async (sql: string) => Number((await store.all(sql))[0].n);

  it('writes every table in every format, and DuckDB reads back the same rows', async () => {
    for (const table of EXPORT_TABLES) {
      const expected = await count(`SELECT count(*) AS n FROM ${table}`);
      expect(expected).toBeGreaterThan(0);
      for (const [format, reader] of [['parquet', 'read_parquet'], ['csv', 'read_csv'], ['jsonl', 'read_json']] as const) {
        const out = join(dir, `${table}.${format}`);
        const r = await exportData(store, { table, format, out });
        expect(r.rows, `${table} ${format}`).toBe(expected);
        expect(await count(`SELECT count(*) AS n FROM ${reader}('${out}')`)).toBe(expected);
      }
    }
  });

  it('keeps values exact: scores, JSON metadata, quotes and commas survive each format', async () => {
    await exportData(store, { table: 'results', format: 'jsonl', out: join(dir, 'r.jsonl'), runIds: ['aime25-a'] });
    const lines = readFileSync(join(dir, 'r.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(12);
    expect(lines.filter((l) => l.outcome === 'correct')).toHaveLength(6);
    expect(lines[0]).toMatchObject({ run_id: 'aime25-a', suite: 'aime25', item_id: 'a001', attempt: 0, metadata: { difficulty: 'easy', note: 'say "hi", then, a comma' } });
    await exportData(store, { table: 'results', format: 'csv', out: join(dir, 'r.csv'), runIds: ['aime25-a'] });
    const csv = await store.all(`SELECT item_id, outcome, score, json_extract_string(metadata, '$.note') AS note FROM read_csv('${join(dir, 'r.csv')}') ORDER BY item_id, attempt`);
    expect(csv[0]).toEqual({ item_id: 'a001', outcome: 'wrong', score: 0, note: 'say "hi", then, a comma' });
    const pq = await store.all(`SELECT sum(score) AS s FROM read_parquet('${join(dir, 'results.parquet')}') WHERE run_id = 'aime25-b'`);
    expect(Number(pq[0].s)).toBe(12);
  });

  it('filters by run and exports a custom query', async () => {
    const r = await exportData(store, { table: 'metrics', format: 'csv', out: join(dir, 'm.csv'), runIds: ['aime25-b'] });
    expect(r.rows).toBe(await count(`SELECT count(*) AS n FROM metrics WHERE run_id = 'aime25-b'`));
    const q = await exportData(store, {
      table: null,
      sql: `SELECT run_id, avg(score) AS accuracy FROM results WHERE suite = 'aime25' GROUP BY run_id ORDER BY run_id;`,
      format: 'csv',
      out: join(dir, 'acc.csv'),
    });
    expect(q.rows).toBe(2);
    expect(readFileSync(join(dir, 'acc.csv'), 'utf8')).toBe('run_id,accuracy\naime25-a,0.5\naime25-b,1.0\n');
  });

  it('runs every SQL example of docs/schema.md against a real store', async () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'schema.md'), 'utf8');
    const queries = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) =>
      m[1]
        .replace(/aime25-1a2b3c4d/g, 'aime25-a')
        .replace(/aime25-5e6f7a8b/g, 'aime25-b')
        .replace(/lcb-1a2b3c4d/g, 'lcb-1')
        .replace(/ruler-1a2b3c4d/g, 'ruler-1')
        .trim()
        .replace(/;$/, ''),
    );
    expect(queries.length).toBeGreaterThanOrEqual(8);
    for (const q of queries) {
      const rows = await store.all(q).catch((e: Error) => {
        throw new Error(`${e.message}\nin the query:\n${q}`);
      });
      expect(rows.length, q).toBeGreaterThan(0);
    }
  });

  it('says clearly what is wrong with a request', () => {
    expect(() => exportQuery({ table: 'secrets', format: 'csv', out: 'x' })).toThrow(ExportError);
    expect(() => exportQuery({ table: 'secrets', format: 'csv', out: 'x' })).toThrow(/unknown table "secrets" \(expected one of runs, items, attempts, grades, metrics, results/);
    expect(() => exportQuery({ table: null, sql: 'DELETE FROM runs', format: 'csv', out: 'x' })).toThrow(/must be a query/);
    expect(() => exportQuery({ table: null, sql: 'SELECT 1; SELECT 2', format: 'csv', out: 'x' })).toThrow(/single query/);
    expect(exportQuery({ table: 'grades', format: 'csv', out: 'x', runIds: ["it's"] })).toBe(`SELECT * FROM grades WHERE run_id IN ('it''s') ORDER BY run_id, item_id, attempt`);
    expect(formatFromPath('a/b.PARQUET')).toBe('parquet');
    expect(formatFromPath('x.ndjson')).toBe('jsonl');
    expect(formatFromPath('x.txt')).toBeNull();
  });
});

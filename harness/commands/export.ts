/** `dseval export <table>`: a table of the store (or a query) to Parquet, CSV or JSONL via DuckDB COPY. */
import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { EXPORT_FORMATS, EXPORT_TABLES, exportData, formatFromPath, type ExportFormat } from '../../reports/export.js';
import { selectRunList, withExistingStore } from '../../reports/select.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface ExportFlags {
  db: string;
  out: string;
  format?: ExportFormat;
  run?: string[];
  sql?: string;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(`export a table (${EXPORT_TABLES.join(', ')}) or a query to Parquet, CSV or JSONL (schema: docs/schema.md)`)
    .argument('[table]', `one of ${EXPORT_TABLES.join(', ')} (or use --sql)`)
    .requiredOption('-o, --out <file>', 'file to write; the format follows its extension unless --format is given')
    .addOption(new Option('--format <format>', 'output format').choices([...EXPORT_FORMATS]))
    .option('--db <file>', 'DuckDB database file', 'dseval.duckdb')
    .option('--run <spec>', 'only these runs: id or prefix, comma list, `latest`, model:<text> (repeatable)', collect)
    .option('--sql <query>', 'export the result of this SELECT instead of a table')
    .action(async (table: string | undefined, flags: ExportFlags) => {
      const format = flags.format ?? formatFromPath(flags.out);
      if (!format) throw new Error(`cannot tell the format of ${flags.out}: use a .parquet, .csv or .jsonl name, or --format`);
      if (!table && !flags.sql) throw new Error(`name a table (${EXPORT_TABLES.join(', ')}) or give --sql`);
      if (table && flags.sql) throw new Error('give a table or --sql, not both');
      await withExistingStore(flags.db, async (store) => {
        const runIds = flags.run ? (await selectRunList(store, flags.run)).map((r) => r.runId) : undefined;
        const out = resolve(flags.out);
        const { rows } = await exportData(store, { table: table ?? null, sql: flags.sql, runIds, format, out });
        process.stdout.write(`wrote ${rows} rows to ${out} (${format})\n`);
      });
    });
}

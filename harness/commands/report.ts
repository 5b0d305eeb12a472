/** `dseval report <run…>`: one self-contained HTML file for one or more runs, side by side. */
import { Command, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { selectRunList, withExistingStore } from '../../reports/select.js';
import { writeReport } from '../../reports/html/render.js';

const positiveInt = (v: string) => {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return x;
};

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report of one or more runs (side by side, with transcripts)')
    .argument('<run...>', 'run ids or prefixes (comma lists too), `latest`, or model:<text>')
    .option('--db <file>', 'DuckDB database file', 'dseval.duckdb')
    .option('-o, --out <file>', 'HTML file to write', 'dseval-report.html')
    .option('--title <text>', 'page title')
    .option('--max-items <count>', 'item rows per suite', positiveInt, 5000)
    .option('--max-chars <count>', 'characters kept per transcript field (head and tail)', positiveInt, 100_000)
    .option('--cutoff <day>', 'a training cutoff (YYYY-MM-DD): break results down into problems released before vs on or after it')
    .action(async (specs: string[], opts: { db: string; out: string; title?: string; maxItems: number; maxChars: number; cutoff?: string }) => {
      await withExistingStore(opts.db, async (store) => {
        const runs = await selectRunList(store, specs);
        const out = resolve(opts.out);
        const { bytes } = await writeReport(store, runs, out, { title: opts.title, maxItems: opts.maxItems, maxChars: opts.maxChars, cutoff: opts.cutoff });
        process.stdout.write(`wrote ${out} (${(bytes / 1024).toFixed(0)} KiB, ${runs.length} run${runs.length > 1 ? 's' : ''})\n`);
      });
    });
}

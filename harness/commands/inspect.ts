/** `dseval list suites|runs` and `dseval show <run>`: what exists, and one run's summary. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadSuite, suiteNames } from '../../suites/index.js';
import { Store } from '../../reports/store.js';
import { formatCutoffSplit, formatRunSummary, textTable } from '../../reports/terminal.js';
import { cutoffSplit } from '../../reports/cutoff.js';

const DEFAULT_DB = 'dseval.duckdb';

export async function withStore<T>(db: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(resolve(db));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export function registerInspect(program: Command): void {
  program
    .command('list')
    .description('list the known suites, or the runs in a database')
    .argument('<what>', 'suites | runs')
    .option('--db <file>', 'DuckDB database file', DEFAULT_DB)
    .action(async (what: string, opts: { db: string }) => {
      if (what === 'suites') {
        const rows: string[][] = [];
        for (const name of suiteNames()) rows.push([name, (await loadSuite(name)).description]);
        process.stdout.write(`${textTable(['suite', 'description'], rows)}\n`);
      } else if (what === 'runs') {
        await withStore(opts.db, async (store) => {
          const runs = await store.listRuns();
          if (runs.length === 0) return void process.stdout.write(`no runs in ${resolve(opts.db)}\n`);
          const metrics = await store.all(`SELECT run_id, metric, value FROM metrics WHERE breakdown = '' AND metric LIKE 'avg@%'`);
          const acc = new Map(metrics.map((m) => [String(m.run_id), Number(m.value)]));
          const rows = runs.map((r) => [
            r.runId,
            r.suite,
            r.model,
            String(r.n),
            r.status,
            acc.has(r.runId) ? `${(100 * acc.get(r.runId)!).toFixed(1)}%` : '–',
            r.createdAt.toISOString().slice(0, 19).replace('T', ' '),
          ]);
          process.stdout.write(`${textTable(['run', 'suite', 'model', 'n', 'status', 'avg@n', 'created (UTC)'], rows)}\n`);
        });
      } else {
        throw new Error(`list what? "${what}" (expected suites or runs)`);
      }
    });

  program
    .command('show')
    .description('summary of one run: metrics with intervals, outcomes, tokens, speed')
    .argument('<run>', 'run id or unique prefix')
    .option('--db <file>', 'DuckDB database file', DEFAULT_DB)
    .option('--cutoff <day>', 'also split the metrics at this day (YYYY-MM-DD, e.g. a training cutoff): problems released before vs on or after')
    .action(async (runId: string, opts: { db: string; cutoff?: string }) => {
      await withStore(opts.db, async (store) => {
        const run = await store.getRun(runId);
        process.stdout.write(`${await formatRunSummary(store, run)}\n`);
        if (opts.cutoff !== undefined) {
          const split = await cutoffSplit(store, run, await loadSuite(run.suite), opts.cutoff);
          process.stdout.write(`\n${formatCutoffSplit(split)}\n`);
        }
      });
    });
}

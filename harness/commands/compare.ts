/**
 * `dseval compare <baseline> <candidate>`: paired statistics and a verdict, with exit codes
 * 0 improved, 1 regressed, 2 inconclusive, 3 not comparable, 4 usage or other error.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Store } from '../../reports/store.js';
import { openExistingStore, selectRuns } from '../../reports/select.js';
import { COMPARE_EXIT, compareRuns, NotComparableError, type Correction, type RunRef } from '../../reports/compare.js';
import { comparisonJson, formatComparisonMarkdown, formatComparisonText } from '../../reports/compare-format.js';

const DEFAULT_DB = 'dseval.duckdb';

export const fraction = (name: string) => (v: string) => {
  const x = Number(v);
  if (!Number.isFinite(x) || x < 0 || x >= 1) throw new InvalidArgumentError(`${name} must be a number in [0, 1), got "${v}"`);
  return x;
};
const positiveInt = (v: string) => {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return x;
};

interface CompareFlags {
  db: string;
  baselineDb?: string;
  metric: string;
  alpha: number;
  correction: Correction;
  minEffect: number;
  allowDifferent?: boolean;
  format: 'text' | 'markdown' | 'json';
  json?: string;
  resamples?: number;
  seed?: number;
  flips: number;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description(
      'paired comparison of two runs (or two sets of runs, paired by suite): verdict improved / regressed / inconclusive\n' +
        'exit codes: 0 improved, 1 regressed, 2 inconclusive, 3 not comparable, 4 error',
    )
    .argument('<baseline>', 'run id or prefix; several comma-separated; `latest`; or model:<text>')
    .argument('<candidate>', 'same forms as the baseline')
    .option('--db <file>', 'DuckDB database file', DEFAULT_DB)
    .option('--baseline-db <file>', 'database holding the baseline runs (default: --db)')
    .option('--metric <name>', 'item score: avg@n, pass@<k> or maj@<k>', 'avg@n')
    .option('--alpha <a>', 'significance level across suites (family-wise with Holm, false discovery rate with BH)', fraction('--alpha'), 0.05)
    .addOption(new Option('--correction <method>', 'correction across suites: holm (family-wise) or bh (Benjamini–Hochberg)').choices(['holm', 'bh']).default('holm'))
    .option('--min-effect <x>', 'smallest difference that counts, in score units (0.02 = 2 points)', fraction('--min-effect'), 0)
    .option('--allow-different', 'compare even when data or prompts differ (pairs the items present and unchanged in both)')
    .addOption(new Option('--format <format>', 'output').choices(['text', 'markdown', 'json']).default('text'))
    .option('--json <file>', 'also write the full comparison as JSON')
    .option('--resamples <count>', 'bootstrap resamples (default 10000)', positiveInt)
    .option('--seed <seed>', 'seed of the bootstrap and Monte Carlo draws', positiveInt)
    .option('--flips <count>', 'flipped items listed per suite', positiveInt, 10)
    .exitOverride((err) => {
      // Parse errors must not exit 1, which means "regressed".
      process.exit(err.exitCode === 0 ? 0 : COMPARE_EXIT.error);
    })
    .action(async (baselineSpec: string, candidateSpec: string, flags: CompareFlags) => {
      process.exitCode = await compareCommand(baselineSpec, candidateSpec, flags);
    });
}

async function compareCommand(baselineSpec: string, candidateSpec: string, flags: CompareFlags): Promise<number> {
  const dbPath = resolve(flags.db);
  const baselinePath = resolve(flags.baselineDb ?? flags.db);
  const stores: Store[] = [];
  try {
    const store = await openExistingStore(dbPath);
    stores.push(store);
    const baselineStore = baselinePath === dbPath ? store : await openExistingStore(baselinePath);
    if (baselineStore !== store) stores.push(baselineStore);
    const baseline: RunRef[] = (await selectRuns(baselineStore, baselineSpec)).map((run) => ({ store: baselineStore, run }));
    const candidate: RunRef[] = (await selectRuns(store, candidateSpec)).map((run) => ({ store, run }));
    const comparison = await compareRuns(baseline, candidate, {
      metric: flags.metric,
      alpha: flags.alpha,
      correction: flags.correction,
      minEffect: flags.minEffect,
      allowDifferent: flags.allowDifferent ?? false,
      resamples: flags.resamples,
      seed: flags.seed,
    });
    const json = comparisonJson(comparison);
    if (flags.json) writeFileSync(flags.json, `${JSON.stringify(json, null, 2)}\n`);
    const text =
      flags.format === 'json'
        ? JSON.stringify(json, null, 2)
        : flags.format === 'markdown'
          ? formatComparisonMarkdown(comparison, { flipLimit: flags.flips })
          : formatComparisonText(comparison, { flipLimit: flags.flips });
    process.stdout.write(`${text}\n`);
    return comparison.exitCode;
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`dseval compare: ${process.env.DSEVAL_DEBUG ? (err.stack ?? err) : err.message}\n`);
    return e instanceof NotComparableError ? COMPARE_EXIT.notComparable : COMPARE_EXIT.error;
  } finally {
    for (const s of stores) await s.close();
  }
}

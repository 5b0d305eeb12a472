/**
 * `dseval gate --rules <file>`: checks runs against YAML rules; prints each check, writes JUnit XML for CI,
 * and exits 0 when every check passes, 1 when one fails or cannot be evaluated, 2 for invalid rules or usage.
 */
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Store } from '../../reports/store.js';
import { readGateRules, GateRulesError } from '../../reports/gate-rules.js';
import { evaluateGate, formatGateResults, gateExitCode, GATE_EXIT } from '../../reports/gate.js';
import { gateJUnitXml } from '../../reports/junit.js';
import { openExistingStore, selectRunList } from '../../reports/select.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface GateFlags {
  rules: string;
  db: string;
  run?: string[];
  baselineDb?: string;
  junit?: string;
  json?: string;
}

export function registerGate(program: Command): void {
  program
    .command('gate')
    .description('check runs against YAML rules (accuracy, no regression, outcome rates, speed); JUnit XML for CI\nexit codes: 0 all pass, 1 a check failed or could not be evaluated, 2 invalid rules or usage')
    .requiredOption('--rules <file>', 'YAML rules file (see docs/reports.md)')
    .option('--db <file>', 'DuckDB database file', 'dseval.duckdb')
    .option('--run <spec>', 'run(s) to check: id or prefix, comma list, `latest`, model:<text> (repeatable; default: the file\'s runs, else latest)', collect)
    .option('--baseline-db <file>', 'database holding the baselines of no_regression rules (default: --db)')
    .option('--junit <file>', 'write the results as JUnit XML')
    .option('--json <file>', 'write the results as JSON')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : GATE_EXIT.invalid))
    .action(async (flags: GateFlags) => {
      process.exitCode = await gateCommand(flags);
    });
}

async function gateCommand(flags: GateFlags): Promise<number> {
  const log = (m: string) => process.stderr.write(`dseval gate: ${m}\n`);
  let file;
  try {
    file = readGateRules(flags.rules);
  } catch (e) {
    log((e as Error).message);
    return GATE_EXIT.invalid;
  }
  const main = await openExistingStore(flags.db).catch((e: Error) => e);
  if (main instanceof Error) {
    log(main.message);
    return GATE_EXIT.invalid;
  }
  const extra = new Map<string, Store>();
  try {
    const specs = flags.run ?? file.runs ?? ['latest'];
    let runs;
    try {
      runs = await selectRunList(main, specs);
    } catch (e) {
      log((e as Error).message);
      return GATE_EXIT.invalid;
    }
    const baselineStore = async (path: string | null): Promise<Store> => {
      const full = resolve(path ?? flags.baselineDb ?? flags.db);
      if (full === main.path) return main;
      if (!extra.has(full)) extra.set(full, await openExistingStore(full));
      return extra.get(full)!;
    };
    const results = await evaluateGate(file, { store: main, runs, baselineStore });
    process.stdout.write(`${formatGateResults(results)}\n`);
    if (flags.junit) {
      writeFileSync(flags.junit, gateJUnitXml(results, { name: 'dseval gate', timestamp: new Date(), hostname: hostname() || 'localhost', rulesFile: flags.rules }));
    }
    if (flags.json) {
      const plain = results.map((r) => ({ rule: { index: r.rule.index, name: r.rule.name, kind: r.rule.kind, suite: r.rule.suite, params: r.rule.params }, run: r.run?.runId ?? null, status: r.status, actual: r.actual, message: r.message }));
      writeFileSync(flags.json, `${JSON.stringify({ exitCode: gateExitCode(results), results: plain }, null, 2)}\n`);
    }
    return gateExitCode(results);
  } catch (e) {
    log(e instanceof GateRulesError ? e.message : process.env.DSEVAL_DEBUG ? String((e as Error).stack) : (e as Error).message);
    return GATE_EXIT.invalid;
  } finally {
    for (const s of extra.values()) await s.close();
    await main.close();
  }
}

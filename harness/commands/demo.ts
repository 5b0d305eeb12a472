/**
 * `dseval demo`: the main job on the embedded default. Makes the tiny DeepSeek-V3.2 test checkpoint when it is
 * absent (random weights, exact HF layout, FP8 with block scales), then evaluates it end to end with the bundled
 * engine: a small RULER grid (tasks that need no data files), plus AIME 2025 when a data directory is known,
 * then writes the HTML report. Every stage runs for real — generation, storage, grading, metrics, report —
 * with no downloads.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { projectRoot, engineBinary } from '../paths.js';
import { writeTinyModel } from '../../engine/testmodel/generate.js';
import { runCommand, EXIT } from './run.js';
import { withExistingStore } from '../../reports/select.js';
import { writeReport } from '../../reports/html/render.js';
import type { StoredRun } from '../../reports/store.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('evaluate the bundled tiny DeepSeek-V3.2 test model end to end (creates it when absent)')
    .option('--model-dir <dir>', 'where the tiny model lives', join(projectRoot, '.dseval', 'tiny-v32'))
    .option('--db <file>', 'DuckDB database file', join(projectRoot, '.dseval', 'demo.duckdb'))
    .option('--data-dir <dir>', 'benchmark data (default $DSEVAL_DATA_DIR); adds AIME 2025 to the demo')
    .option('--fresh', 'start new runs instead of resuming the last demo')
    .action(async (opts: { modelDir: string; db: string; dataDir?: string; fresh?: boolean }) => {
      process.exitCode = await demo(opts);
    });
}

async function demo(opts: { modelDir: string; db: string; dataDir?: string; fresh?: boolean }): Promise<number> {
  const say = (m: string) => process.stderr.write(`${m}\n`);
  if (!existsSync(engineBinary)) {
    say(`dseval demo: the engine is not built (${engineBinary}); run \`npm install\` first`);
    return EXIT.error;
  }
  const modelDir = resolve(opts.modelDir);
  if (!existsSync(join(modelDir, 'config.json'))) {
    say(`creating the tiny DeepSeek-V3.2 test model (random weights, FP8 + 128×128 block scales) in ${modelDir}`);
    await writeTinyModel(modelDir);
  }
  const common = {
    model: `bundled:${modelDir}`,
    db: resolve(opts.db),
    fresh: opts.fresh,
    progress: 'auto',
  };

  say('\n── RULER (no-file tasks) at 1K and 2K tokens, greedy, through the bundled engine ──');
  let code = await runCommand({ ...common, suite: 'ruler' }, ['--tasks', 'no-files', '--lengths', '1024,2048', '--samples', '2', '--over-length', 'skip']);
  if (code !== EXIT.ok) return code;

  const dataDir = opts.dataDir ?? process.env.DSEVAL_DATA_DIR;
  if (dataDir && existsSync(join(dataDir, 'aime2025', 'aime2025.jsonl'))) {
    say('\n── AIME 2025, first 3 problems, 2 attempts each, 64-token budget ──');
    code = await runCommand({ ...common, suite: 'aime25', dataDir, limit: 3, n: 2, maxTokens: 64 }, []);
    if (code !== EXIT.ok && code !== EXIT.failedAttempts) return code;
  } else {
    say('\n(set DSEVAL_DATA_DIR to a folder with aime2025/aime2025.jsonl to add AIME 2025 to the demo)');
  }
  // The last stage: the HTML report of the newest run of each suite the demo ran.
  const reportPath = join(dirname(common.db), 'demo-report.html');
  await withExistingStore(common.db, async (store) => {
    const newest = new Map<string, StoredRun>();
    for (const r of await store.listRuns()) if (r.status === 'finished') newest.set(r.suite, r);
    await writeReport(store, [...newest.values()], reportPath, { title: 'dseval demo: the tiny DeepSeek-V3.2 test model' });
  });
  say(
    `\nThe model has random weights, so its scores are near zero: the demo shows every stage working.\n` +
      `Report: ${reportPath}\n` +
      `Next: dseval list runs --db ${common.db}   ·   dseval show <run> --db ${common.db}   ·   dseval compare <run> <run> --db ${common.db}`,
  );
  return EXIT.ok;
}

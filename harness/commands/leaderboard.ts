/**
 * `dseval leaderboard`: the published numbers and their recipes; with runs, each run against the published
 * number with its interval and the settings that differ from the recipe. With --check it exits 1 when a
 * published number lies outside a run's interval (2 for usage errors).
 */
import { Command, InvalidArgumentError } from 'commander';
import { loadManifest, matchModel } from '../../reports/leaderboard/manifest.js';
import { reproduce } from '../../reports/leaderboard/reproduce.js';
import { formatPublished, formatRecipes, formatReproduction } from '../../reports/leaderboard/format.js';
import { selectRunList, withExistingStore } from '../../reports/select.js';

const points = (v: string) => {
  const x = Number(v);
  if (!Number.isFinite(x) || x < 0 || x > 100) throw new InvalidArgumentError(`expected points in [0, 100], got "${v}"`);
  return x;
};

interface LeaderboardFlags {
  db: string;
  against?: string;
  recipe?: string;
  suite?: string;
  tolerance: number;
  check?: boolean;
}

export function registerLeaderboard(program: Command): void {
  program
    .command('leaderboard')
    .description('published numbers with their recipes; a run against them (interval, settings that differ)')
    .argument('[run...]', 'runs to check: ids or prefixes, comma lists, `latest`, model:<text>')
    .option('--db <file>', 'DuckDB database file', 'dseval.duckdb')
    .option('--against <model>', 'published model to check runs against (default: matched from the run\'s model name)')
    .option('--recipe <model>', 'print the recipes of a published model and the commands that reproduce them')
    .option('--suite <name>', 'only this suite')
    .option('--tolerance <points>', 'widen the run\'s interval by this many points', points, 0)
    .option('--check', 'exit 1 when a published number lies outside a run\'s interval')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action(async (specs: string[], flags: LeaderboardFlags) => {
      process.exitCode = await leaderboardCommand(specs, flags);
    });
}

async function leaderboardCommand(specs: string[], flags: LeaderboardFlags): Promise<number> {
  try {
    const manifest = loadManifest();
    if (flags.recipe) {
      process.stdout.write(`${formatRecipes(manifest, flags.recipe, flags.suite)}\n`);
      return 0;
    }
    if (!specs.length) {
      process.stdout.write(`${formatPublished(manifest)}\n`);
      return 0;
    }
    if (flags.against && !manifest.models[flags.against]) {
      throw new Error(`no published model "${flags.against}" (known: ${Object.keys(manifest.models).join(', ')})`);
    }
    return await withExistingStore(flags.db, async (store) => {
      const runs = (await selectRunList(store, specs)).filter((r) => !flags.suite || r.suite === flags.suite);
      let failed = false;
      const blocks: string[] = [];
      for (const run of runs) {
        // The model as the user named it, and as the server reported it (a run against a server's only model).
        const modelId = flags.against ?? matchModel(manifest, [run.model, run.versions.model, run.fingerprintParts.model].filter(Boolean).join(' '));
        const forSuite = manifest.results.filter((r) => r.suite === run.suite);
        if (!forSuite.length) {
          blocks.push(`${run.runId}: no published numbers for suite ${run.suite}`);
          continue;
        }
        const target = forSuite.find((r) => r.model === modelId);
        if (!target) {
          blocks.push(
            `${run.runId} (${run.model}): ${modelId ? `${manifest.models[modelId].name} has no published ${run.suite} number` : 'cannot tell which published model this run reproduces; pass --against <id>'}\n` +
              `  published ${run.suite}: ${forSuite.map((r) => `${r.model} ${r.value.toFixed(1)}`).join(', ')}`,
          );
          failed ||= Boolean(flags.check);
          continue;
        }
        const rep = await reproduce(store, run, target, { tolerance: flags.tolerance / 100 });
        if (rep.verdict !== 'reproduced') failed = true;
        blocks.push(formatReproduction(rep, forSuite.filter((r) => r !== target), flags.tolerance / 100));
      }
      process.stdout.write(`${blocks.join('\n\n')}\n`);
      return flags.check && failed ? 1 : 0;
    });
  } catch (e) {
    process.stderr.write(`dseval leaderboard: ${(e as Error).message}\n`);
    return 2;
  }
}

/** `dseval run`: evaluate one suite against one model, resuming a run with the same fingerprint. */
import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { readConfigFile, resolveRunConfig, type RunConfig } from '../config.js';
import { createBackend } from '../backends/index.js';
import { planRun } from '../plan.js';
import { executeRun } from '../runner.js';
import { createProgress } from '../progress.js';
import { baseVersions } from '../version.js';
import { loadSuite } from '../../suites/index.js';
import { Store } from '../../reports/store.js';
import { formatRunSummary } from '../../reports/terminal.js';
import { parseExtraOptions } from './extra-options.js';

/** Exit codes of `dseval run` (documented in the README). */
export const EXIT = { ok: 0, error: 1, failedAttempts: 3, interrupted: 130 } as const;

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`expected an integer, got "${v}"`);
  return n;
};
const float = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`expected a number, got "${v}"`);
  return n;
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('evaluate a suite against a model; a run with the same fingerprint resumes where it stopped')
    .option('--config <file>', 'YAML or JSON file with any of these options (flags win)')
    .option('-s, --suite <name>', 'suite to run (see `dseval list suites`)')
    .option('-m, --model <spec>', 'openai:<base-url> (e.g. openai:http://127.0.0.1:8000/v1) or bundled:<model-dir>')
    .option('--model-name <name>', "model name for the server (default: the server's only model)")
    .option('-n, --n <count>', 'attempts per item', int)
    .option('--temperature <t>', 'sampling temperature', float)
    .option('--top-p <p>', 'nucleus sampling', float)
    .option('--top-k <k>', 'top-k sampling (0 = off)', int)
    .option('--max-tokens <count>', 'token budget per attempt (reasoning included)', int)
    .option('--stop <text>', 'stop sequence (repeatable)', collect)
    .option('--thinking', 'thinking mode on (DeepSeek chat formats / chat_template_kwargs)')
    .option('--no-thinking', 'thinking mode off')
    .option('--seed <seed>', 'run seed; attempt seeds derive from it', int)
    .option('-c, --concurrency <count>', 'requests in flight', int)
    .option('--db <file>', 'DuckDB database file', undefined)
    .option('--limit <count>', 'only the first <count> items', int)
    .option('--data <path>', 'dataset file or directory (JSONL, JSON or Parquet)')
    .option('--data-dir <dir>', 'where default datasets are found (default: $DSEVAL_DATA_DIR)')
    .option('--fresh', 'start a new run even if one with the same fingerprint exists')
    .option('--timeout <seconds>', 'per-request timeout', float)
    .option('--retries <count>', 'retries on 429/5xx/resets/timeouts', int)
    .option('--retry-base-ms <ms>', 'base of the exponential backoff', int)
    .addOption(new Option('--api <kind>', 'chat completions or plain completions').choices(['chat', 'completions']))
    .option('--chat-format <name>', 'client-side chat format (deepseek-v3.2, deepseek-v3.1, deepseek-v3)')
    .option('--tokenizer <spec>', 'tokenizer for length-controlled suites: model dir, tokenizer.json, or deepseek-v3')
    .option('--api-key-env <VAR>', 'environment variable holding the API key (default OPENAI_API_KEY)')
    .option('--server-n', "ask for an item's attempts in one request (the API's n parameter)")
    .option('--no-stream', 'do not stream responses (no time-to-first-token then)')
    .option('--no-dsa', 'bundled engine: dense attention instead of DSA')
    .option('--reference-fp8', 'bundled engine: quantise activations to FP8 as DeepSeek reference code does')
    .option('--threads <count>', 'bundled engine: compute threads', int)
    .option('--max-batch <count>', 'bundled engine: sequences decoded together', int)
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bar', 'lines', 'none']))
    .option('-o, --option <key=value>', 'suite option (repeatable); unknown --flags are suite options too', collect)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (flags: Record<string, unknown>, cmd: Command) => {
      process.exitCode = await runCommand(flags, cmd.args);
    });
}

/** Maps parsed flags onto RunConfig field names (undefined = not given). */
function flagsToConfig(flags: Record<string, unknown>, extra: string[]): Record<string, unknown> {
  const suiteOptions = parseExtraOptions(extra, (flags.option as string[] | undefined) ?? []);
  const engine: Record<string, unknown> = {};
  if (flags.dsa === false) engine.dsa = false;
  if (flags.referenceFp8) engine.referenceFp8 = true;
  if (flags.threads !== undefined) engine.threads = flags.threads;
  if (flags.maxBatch !== undefined) engine.maxBatch = flags.maxBatch;
  return {
    suite: flags.suite,
    model: flags.model,
    modelName: flags.modelName,
    n: flags.n,
    temperature: flags.temperature,
    topP: flags.topP,
    topK: flags.topK,
    maxTokens: flags.maxTokens,
    stop: flags.stop,
    thinking: flags.thinking,
    seed: flags.seed,
    concurrency: flags.concurrency,
    db: flags.db,
    limit: flags.limit,
    data: flags.data,
    dataDir: flags.dataDir,
    fresh: flags.fresh,
    timeout: flags.timeout,
    retries: flags.retries,
    retryBaseMs: flags.retryBaseMs,
    api: flags.api,
    chatFormat: flags.chatFormat,
    apiKeyEnv: flags.apiKeyEnv,
    tokenizer: flags.tokenizer,
    serverN: flags.serverN,
    stream: flags.stream === false ? false : undefined,
    progress: flags.progress,
    engine: Object.keys(engine).length ? engine : undefined,
    suiteOptions: Object.keys(suiteOptions).length ? suiteOptions : undefined,
  };
}

export async function runCommand(flags: Record<string, unknown>, extra: string[]): Promise<number> {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  let config: RunConfig;
  try {
    const file = typeof flags.config === 'string' ? readConfigFile(flags.config) : {};
    // commander gives `thinking: true` for --thinking and false for --no-thinking; absent means undefined
    const fromFlags = flagsToConfig(flags, extra);
    config = resolveRunConfig(file, fromFlags, typeof flags.config === 'string' ? `${flags.config} and flags` : 'flags');
  } catch (e) {
    log(`dseval run: ${(e as Error).message}`);
    return EXIT.error;
  }
  const dataDir = config.dataDir ?? process.env.DSEVAL_DATA_DIR ?? null;
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(EXIT.interrupted);
    log(`\n${sig}: stopping after the requests in flight (again to quit at once); stored attempts are kept`);
    controller.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let store: Store | null = null;
  let backend: Awaited<ReturnType<typeof createBackend>> | null = null;
  let judge: ReturnType<Awaited<ReturnType<typeof loadSuite>>['judge']> | null = null;
  try {
    const suite = await loadSuite(config.suite);
    backend = await createBackend(config, log);
    judge = suite.judge(config.suiteOptions);
    const plan = await planRun(suite, config, backend, judge, dataDir);
    store = await Store.open(resolve(config.db));
    const progress = createProgress(config.progress, suite.name);
    const versions = { ...baseVersions(), ...backend.versions, judge: `${judge.name}@${judge.version}`, suite: `${suite.name}@${suite.version}` };
    const result = await executeRun(plan, config, { store, backend, judge, progress, versions, signal: controller.signal });
    if (result.interrupted) {
      log(`run ${result.run.runId} interrupted; run the same command again to resume`);
      return EXIT.interrupted;
    }
    process.stdout.write(`${await formatRunSummary(store, await store.getRun(result.run.runId))}\n`);
    if (result.failedAttempts > 0) {
      log(`${result.failedAttempts} attempts failed after retries; run the same command again to retry them`);
      return EXIT.failedAttempts;
    }
    return EXIT.ok;
  } catch (e) {
    const err = e as Error;
    // Expected failures (bad config, data, server) print their message; DSEVAL_DEBUG=1 shows the stack.
    log(`dseval run: ${process.env.DSEVAL_DEBUG ? (err.stack ?? err) : (err.message ?? err)}`);
    return controller.signal.aborted ? EXIT.interrupted : EXIT.error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await judge?.close?.();
    await backend?.close();
    await store?.close();
  }
}

// The native engine's own bench on the tiny FP8 V3.2 test model, written to a temporary directory: short-context
// decode against its GEMV floor (measured in the same run), then the long-context sweep with the per-component
// breakdown. Needs `npm run build` and the engine binary (`make -C engine`, done by `npm install`).
//   node scripts/bench/engine.mjs [--threads 2] [--contexts 1024,4096,8000]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const engine = process.env.DSEVAL_ENGINE_BIN ?? join(root, 'engine', 'build', 'dseval-engine');
if (!existsSync(engine)) {
  console.error(`${engine} is missing: run \`make -C engine\` first`);
  process.exit(1);
}
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const threads = arg('threads', '2');
const contexts = arg('contexts', '1024,4096,8000');

const { writeTinyModel } = await import(join(root, 'dist', 'engine', 'testmodel', 'index.js'));
const dir = mkdtempSync(join(tmpdir(), 'dseval-bench-engine-'));
try {
  await writeTinyModel(dir);
  const bench = (args) => {
    console.log(`\n$ dseval-engine bench <tiny> ${args.join(' ')}`);
    const r = spawnSync(engine, ['bench', dir, ...args], { encoding: 'utf8' });
    // The readable lines go to stderr; stdout repeats the same figures as JSON lines for machines.
    process.stdout.write(r.stderr);
    if (r.status !== 0) throw new Error(`dseval-engine bench exited with ${r.status}`);
  };
  bench(['--prompt', '64', '--gen', '64', '--batch', '1', '--repeats', '3', '--threads', threads]);
  bench(['--prompt', '64', '--gen', '64', '--batch', '16', '--repeats', '3', '--threads', threads]);
  bench(['--contexts', contexts, '--gen', '32', '--repeats', '3', '--threads', threads]);
  bench(['--contexts', contexts, '--gen', '32', '--repeats', '3', '--threads', threads, '--no-dsa']);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

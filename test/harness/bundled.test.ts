/**
 * The `bundled:<model-dir>` backend end to end: the real CLI spawning the real engine binary on a tiny
 * checkpoint written at test time. Reproducible per seed, DSA switch in the fingerprint, a crashed engine
 * restarted mid-run, a clean shutdown on interrupt, and one-line errors for broken checkpoints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { Store } from '../../reports/store.js';
import { engineBinary } from '../../harness/paths.js';
import { loadTokenizer } from '../../harness/tokenizer.js';
import { renderChatPrompt } from '../../harness/chat/formats.js';
import { writeTinyModel } from '../../engine/testmodel/generate.js';
import { corruptCheckpoint } from '../../engine/testmodel/corrupt.js';
import { dseval, spawnDseval, tempDir } from '../helpers/cli.js';

const dir = tempDir('dseval-bundled-');
const model = join(dir, 'tiny');
const data = join(dir, 'two.jsonl');

/** Engine processes started by this test process's children (other engine processes may run beside the tests). */
async function engines(parent?: number): Promise<number[]> {
  const parents = parent ? [parent] : String((await execa('pgrep', ['-P', String(process.pid)], { reject: false })).stdout).split('\n').filter(Boolean);
  const found: number[] = [];
  for (const p of parents) {
    const r = await execa('pgrep', ['-P', String(p), '-f', `${engineBinary} serve`], { reject: false });
    found.push(...String(r.stdout).split('\n').filter(Boolean).map(Number));
  }
  return found;
}

async function attemptsOf(db: string) {
  const store = await Store.open(db);
  try {
    const runs = await store.listRuns();
    return { runs, attempts: await store.getAttempts(runs.at(-1)!.runId) };
  } finally {
    await store.close();
  }
}

const args = (db: string, extra: string[] = []) => [
  'run', '--suite', 'aime25', '--data', data, '--model', `bundled:${model}`, '-n', '2', '--max-tokens', '12',
  '--temperature', '0.8', '--db', db, '--progress', 'none', ...extra,
];

describe.skipIf(!existsSync(engineBinary))('bundled engine backend', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    await writeTinyModel(model);
    writeFileSync(data, '{"id":"a","problem":"What is 2+2?","answer":"4"}\n{"id":"b","problem":"Name a prime.","answer":"7"}\n');
  });
  afterAll(async () => expect(await engines()).toEqual([]));

  it('runs a suite end to end, tokenizing with the model directory tokenizer and the V3.2 chat format', async () => {
    const db = join(dir, 'e2e.duckdb');
    const r = await dseval(args(db));
    expect(r.exitCode, r.stderr).toBe(0);
    const { runs, attempts } = await attemptsOf(db);
    expect(runs[0].status).toBe('finished');
    expect(attempts).toHaveLength(4);
    const tok = loadTokenizer(model);
    const prompt = renderChatPrompt(
      'deepseek-v3.2',
      { kind: 'chat', messages: [{ role: 'user', content: 'What is 2+2?\nPlease reason step by step, and put your final answer within \\boxed{}.' }] },
      { thinking: false },
    );
    for (const a of attempts) {
      expect(['stop', 'length']).toContain(a.finish);
      expect(a.completionTokens).toBeGreaterThan(0);
      expect(a.completionTokens).toBeLessThanOrEqual(12);
      if (a.finish === 'length') expect(a.completionTokens).toBe(12);
      if (a.itemId === 'a') expect(a.promptTokens).toBe(tok.encode(prompt).length);
      expect(a.timings.ttftMs).toBeGreaterThan(0);
    }
    expect(runs[0].fingerprintParts.tokenizer).toBe(tok.id);
    expect(runs[0].fingerprintParts.chatFormat).toBe('deepseek-v3.2@1');
    expect(r.stdout).toMatch(/avg@2/);
  });

  it('is reproducible: a fresh run with the same seeds gives the same tokens; another seed differs; --no-dsa is another run', async () => {
    const db = join(dir, 'repro.duckdb');
    expect((await dseval(args(db))).exitCode).toBe(0);
    expect((await dseval(args(db, ['--fresh']))).exitCode).toBe(0);
    const store = await Store.open(db);
    const runs = await store.listRuns();
    const [a, b] = await Promise.all(runs.map((r) => store.getAttempts(r.runId)));
    await store.close();
    expect(b.map((x) => [x.itemId, x.index, x.text, x.reasoning])).toEqual(a.map((x) => [x.itemId, x.index, x.text, x.reasoning]));
    expect(new Set(a.map((x) => x.text + x.reasoning)).size).toBeGreaterThan(1); // attempts differ from each other

    expect((await dseval(args(db, ['--seed', '5']))).exitCode).toBe(0);
    expect((await dseval(args(db, ['--no-dsa']))).exitCode).toBe(0);
    const s2 = await Store.open(db);
    const all = await s2.listRuns();
    const seeded = await s2.getAttempts(all[2].runId);
    await s2.close();
    expect(all).toHaveLength(4);
    expect(seeded.map((x) => x.text + x.reasoning)).not.toEqual(a.map((x) => x.text + x.reasoning));
    expect(all[3].fingerprintParts.engine).not.toBe(all[0].fingerprintParts.engine);
  });

  it('restarts a crashed engine and finishes the run, redoing only what the crash took', async () => {
    const db = join(dir, 'crash.duckdb');
    // The backend SIGKILLs its engine once 30 tokens have streamed back: mid-generation of the first item.
    const r = await dseval(args(db, ['--max-tokens', '24', '--concurrency', '1']), { env: { DSEVAL_FAILPOINT_KILL_ENGINE_AFTER_TOKENS: '30' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the engine stopped \(signal SIGKILL\).*; restarting the engine \(1\/3\) and retrying the requests in flight/);
    const { attempts } = await attemptsOf(db);
    expect(attempts).toHaveLength(4);
    expect(attempts.every((a) => a.finish !== 'error')).toBe(true);
    // Same tokens as an undisturbed run: the retried attempts are regenerated from their own seeds.
    const calm = join(dir, 'calm.duckdb');
    expect((await dseval(args(calm, ['--max-tokens', '24', '--concurrency', '1']))).exitCode).toBe(0);
    const { attempts: expected } = await attemptsOf(calm);
    expect(attempts.map((a) => [a.itemId, a.index, a.text, a.reasoning])).toEqual(expected.map((a) => [a.itemId, a.index, a.text, a.reasoning]));
  });

  it('shuts the engine down when the run is interrupted', async () => {
    const db = join(dir, 'int.duckdb');
    const child = spawnDseval(args(db, ['--max-tokens', '2000', '--concurrency', '1']));
    let pids: number[] = [];
    for (let i = 0; i < 1200 && pids.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      pids = await engines(child.pid);
    }
    expect(pids).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(String(r.stderr)).toMatch(/interrupted; run the same command again to resume/);
    expect(String(r.stderr)).not.toMatch(/failed/); // cancelled sequences are not stored as failures
    await expect(execa('kill', ['-0', String(pids[0])])).rejects.toThrow(); // the engine is gone
  });

  it('a broken checkpoint is a one-line error naming the tensor, and no run is created', async () => {
    const broken = join(dir, 'broken');
    cpSync(model, broken, { recursive: true });
    await corruptCheckpoint(broken, 'shape', 'model.layers.1.self_attn.kv_b_proj.weight');
    const db = join(dir, 'broken.duckdb');
    const r = await dseval(['run', '--suite', 'aime25', '--data', data, '--model', `bundled:${broken}`, '--db', db, '--progress', 'none']);
    expect(r.exitCode).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dseval run: the engine could not load .*model\.layers\.1\.self_attn\.kv_b_proj\.weight/);
    expect(existsSync(db)).toBe(false);

    const truncated = join(dir, 'truncated');
    cpSync(model, truncated, { recursive: true });
    await corruptCheckpoint(truncated, 'truncate');
    const r2 = await dseval(['run', '--suite', 'aime25', '--data', data, '--model', `bundled:${truncated}`, '--db', db, '--progress', 'none']);
    expect(r2.exitCode).toBe(1);
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
    expect(r2.stderr).toMatch(/model\.safetensors/);
  });
});

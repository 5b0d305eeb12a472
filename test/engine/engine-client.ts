/**
 * Test helpers for the native engine: spawn the real binary (`engine/build/dseval-engine`), talk NDJSON to it,
 * and write tiny test models (engine/testmodel) into temp dirs. No mocks: every test drives the real process.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { engineBinary } from '../../harness/paths.js';
import { writeTinyModel, type TinyModelOptions } from '../../engine/testmodel/generate.js';

export { engineBinary };

/**
 * The binary under test: engine/build/dseval-engine, or $DSEVAL_ENGINE_BIN (e.g. the ASan+UBSan build:
 * `make -C engine asan && DSEVAL_ENGINE_BIN=engine/build/asan/dseval-engine npx vitest run test/engine`).
 */
export function requireEngine(): string {
  const bin = process.env.DSEVAL_ENGINE_BIN || engineBinary;
  if (!existsSync(bin)) throw new Error(`${bin} is missing; build it with \`make -C engine\` (npm test does)`);
  return bin;
}

/** Slow builds (ASan) need longer waits: DSEVAL_ENGINE_TIMEOUT_SCALE=10 multiplies every default timeout. */
const SCALE = Number(process.env.DSEVAL_ENGINE_TIMEOUT_SCALE ?? '1') || 1;

/** One event line from the engine. */
export interface EngineEvent {
  id: string | null;
  event: string;
  [k: string]: unknown;
}

export interface SeqResult {
  tokens: number[];
  logprobs: number[];
  topLogprobs: [number, number][][];
  done?: EngineEvent;
}

/** A running `dseval-engine serve`. Events are collected per request id as they arrive. */
export class EngineClient {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly events: EngineEvent[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: { pred: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];
  private rawLines: string[] = [];

  constructor(args: string[] = ['serve']) {
    this.proc = spawn(requireEngine(), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    const rl = createInterface({ input: this.proc.stdout });
    rl.on('line', (line) => {
      this.rawLines.push(line);
      const e = JSON.parse(line) as EngineEvent; // every stdout line must be JSON: a parse failure fails the test
      this.events.push(e);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(e)) return true;
        w.resolve(e);
        return false;
      });
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Every stdout line, verbatim. */
  get lines(): readonly string[] {
    return this.rawLines;
  }

  send(obj: unknown): void {
    this.proc.stdin.write(`${typeof obj === 'string' ? obj : JSON.stringify(obj)}\n`);
  }

  /** The first event (already seen or future) matching pred. */
  waitFor(pred: (e: EngineEvent) => boolean, timeoutMs = 60_000 * SCALE): Promise<EngineEvent> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`engine: no matching event within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  /** Sends a request and waits for the first event carrying its id. */
  async call(obj: { id: string; [k: string]: unknown }, timeoutMs = 60_000 * SCALE): Promise<EngineEvent> {
    const start = this.events.length;
    this.send(obj);
    return this.waitFor((e) => e.id === obj.id && this.events.indexOf(e) >= start, timeoutMs);
  }

  async load(model: string, options: Record<string, unknown> = {}): Promise<EngineEvent> {
    const e = await this.call({ op: 'load', id: `load-${Math.random()}`, model, options: { threads: 1, ...options } });
    if (e.event !== 'loaded') throw new Error(`load failed: ${JSON.stringify(e)}`);
    return e;
  }

  /** Waits until every sequence of generate request `id` (n = number of seeds) is done; returns them by seq. */
  async results(id: string, n: number, timeoutMs = 60_000 * SCALE): Promise<SeqResult[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const done = this.events.filter((e) => e.id === id && e.event === 'done');
      if (done.length >= n) break;
      const err = this.events.find((e) => e.id === id && e.event === 'error');
      if (err) throw new Error(`request ${id} failed: ${String(err.message)}`);
      if (Date.now() > deadline) throw new Error(`request ${id}: ${done.length}/${n} sequences done after ${timeoutMs} ms`);
      // Wait for a *new* done/error event of this request (already-seen ones would resolve at once).
      const seen = this.events.length;
      await this.waitFor((e) => e.id === id && (e.event === 'done' || e.event === 'error') && this.events.indexOf(e) >= seen, Math.max(1, deadline - Date.now()));
    }
    const out: SeqResult[] = Array.from({ length: n }, () => ({ tokens: [], logprobs: [], topLogprobs: [] }));
    for (const e of this.events) {
      if (e.id !== id) continue;
      const s = out[e.seq as number]!;
      if (e.event === 'tokens') {
        s.tokens.push(...(e.tokens as number[]));
        if (e.logprobs) s.logprobs.push(...(e.logprobs as number[]));
        if (e.top_logprobs) s.topLogprobs.push(...(e.top_logprobs as [number, number][][]));
      } else if (e.event === 'done') {
        s.done = e;
      }
    }
    return out;
  }

  async generate(req: { id: string; tokens: number[]; [k: string]: unknown }, timeoutMs = 60_000 * SCALE): Promise<SeqResult[]> {
    this.send({ op: 'generate', ...req });
    return this.results(req.id, ((req.seeds as number[] | undefined) ?? [0]).length, timeoutMs);
  }

  /** Closes stdin (EOF) and waits for the process to exit. */
  async close(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.proc.stdin.end();
    return this.exited;
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}

/** Runs a one-shot subcommand (check, selftest, ...) synchronously. */
export function runEngine(args: string[], timeoutMs = 60_000 * SCALE): { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(requireEngine(), args, { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix = 'dseval-engine-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a tiny model (engine/testmodel) into `<root>/<name>` and returns its path. */
export async function tinyModel(root: string, name: string, opts: TinyModelOptions = {}): Promise<string> {
  const dir = join(root, name);
  await writeTinyModel(dir, opts);
  return dir;
}

/** Deterministic token ids in [2, vocab) (avoids BOS/EOS). */
export function someTokens(n: number, salt = 0, vocab = 1024): number[] {
  let x = (0x9e3779b9 ^ (salt * 0x85ebca6b)) >>> 0;
  return Array.from({ length: n }, () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return 2 + (x % (vocab - 2));
  });
}

/** Relative L2 distance between two logit rows. */
export function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** Gap between the largest and second-largest value (how "near a tie" the argmax is). */
export function top2Gap(v: ArrayLike<number>): number {
  let a = -Infinity;
  let b = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x > a) {
      b = a;
      a = x;
    } else if (x > b) b = x;
  }
  return a - b;
}

/** Logits of the engine vs the reference, position by position. */
export function compareLogits(engine: number[][], ref: ArrayLike<number>[]): { maxRel: number; meanRel: number; argmaxMismatch: number[] } {
  if (engine.length !== ref.length) throw new Error(`compareLogits: ${engine.length} engine rows vs ${ref.length} reference rows`);
  let maxRel = 0;
  let sum = 0;
  const argmaxMismatch: number[] = [];
  engine.forEach((row, t) => {
    const r = relL2(row, ref[t]!);
    maxRel = Math.max(maxRel, r);
    sum += r;
    // A different argmax only counts when the reference's top two are not within the observed noise.
    let maxAbs = 0;
    for (let v = 0; v < row.length; v++) maxAbs = Math.max(maxAbs, Math.abs(row[v]! - ref[t]![v]!));
    if (argmax(row) !== argmax(ref[t]!) && top2Gap(ref[t]!) > 2 * maxAbs) argmaxMismatch.push(t);
  });
  return { maxRel, meanRel: sum / engine.length, argmaxMismatch };
}

/**
 * Indexer selections as sets: aggregate recall of the reference's sets, the worst single set, and whether every
 * engine set has the size min(index_topk, t+1).
 */
export function compareSelected(engine: number[][][], ref: number[][][], topk: number): { recall: number; minRecall: number; sizesOk: boolean; sets: number } {
  let hit = 0;
  let total = 0;
  let minRecall = 1;
  let sizesOk = true;
  let sets = 0;
  ref.forEach((layer, l) =>
    layer.forEach((want, t) => {
      const got = engine[l]![t]!;
      if (got.length !== Math.min(topk, t + 1)) sizesOk = false;
      const g = new Set(got);
      const h = want.filter((s) => g.has(s)).length;
      hit += h;
      total += want.length;
      minRecall = Math.min(minRecall, want.length ? h / want.length : 1);
      sets++;
    }),
  );
  return { recall: total ? hit / total : 1, minRecall, sizesOk, sets };
}

/** A `forward` op's reply: fp32 logits per position and the indexer's selections per layer and position. */
export interface ForwardEvent {
  event: string;
  logits: number[][];
  selected: number[][][];
  message?: string;
}

/** All-position logits and selections for `tokens`. Logits are fp32 printed with 9 digits: Math.fround recovers them exactly. */
export async function forwardAll(e: EngineClient, tokens: number[], extra: Record<string, unknown> = {}, timeoutMs?: number): Promise<ForwardEvent> {
  const r = (await e.call({ op: 'forward', id: `f${Math.random()}`, tokens, return_logits: 'all', return_selected: true, ...extra }, timeoutMs)) as unknown as ForwardEvent;
  if (r.event !== 'forward') throw new Error(`forward failed: ${r.message}`);
  r.logits = r.logits.map((row) => row.map((v) => Math.fround(v)));
  return r;
}

/** log-softmax of one fp32 logit row at `id`, in float64. */
export function logSoftmaxAt(row: ArrayLike<number>, id: number): number {
  let m = -Infinity;
  for (let i = 0; i < row.length; i++) m = Math.max(m, row[i]!);
  let z = 0;
  for (let i = 0; i < row.length; i++) z += Math.exp(row[i]! - m);
  return row[id]! - m - Math.log(z);
}

/**
 * The bundled backend: the native engine (engine/) on a model directory in Hugging Face layout.
 * Text, tokenization and the chat format live here in TypeScript; the engine sees token ids only.
 * A crashed engine is reported, restarted and the requests in flight are retried.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Attempt, Request } from '../types.js';
import type { RunConfig } from '../config.js';
import { type Backend, FatalBackendError, attemptFrom } from './backend.js';
import { EngineCrashed, EngineProcess, type EngineEvent } from './engine-process.js';
import { loadTokenizer, promptTokenCounter, type LoadedTokenizer } from '../tokenizer.js';
import { EOS, renderChatPrompt, chatFormatVersion } from '../chat/formats.js';
import { sha256, shortHash } from '../hash.js';
import { engineBinary } from '../paths.js';

const MAX_RESTARTS = 3;

/**
 * Failpoint for tests: kill the engine (SIGKILL) once this many tokens have arrived in this process, to
 * exercise crash recovery deterministically. Unset in normal use.
 */
const killAfterTokens = Number(process.env.DSEVAL_FAILPOINT_KILL_ENGINE_AFTER_TOKENS ?? 0);
let tokensSeen = 0;

/** Identity of a checkpoint: config.json and every safetensors header (cheap: headers only, not weights). */
function checkpointHash(dir: string): string {
  const parts: string[] = [readFileSync(join(dir, 'config.json'), 'utf8')];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort()) {
    const fd = openSync(join(dir, name), 'r');
    try {
      const len = Buffer.alloc(8);
      readSync(fd, len, 0, 8, 0);
      const n = Math.min(Number(len.readBigUInt64LE()), 100 * 1024 * 1024);
      const header = Buffer.alloc(n);
      readSync(fd, header, 0, n, 8);
      parts.push(name, header.toString('utf8'), String(statSync(join(dir, name)).size));
    } finally {
      closeSync(fd);
    }
  }
  return shortHash(parts.join('\u0000'));
}

function engineBuildHash(): string {
  return existsSync(engineBinary) ? sha256(readFileSync(engineBinary)).slice(0, 16) : 'missing';
}

export async function createBundledBackend(modelDirArg: string, config: RunConfig, log: (m: string) => void): Promise<Backend> {
  const modelDir = resolve(modelDirArg);
  if (!existsSync(join(modelDir, 'config.json'))) {
    throw new FatalBackendError(`bundled:${modelDirArg}: no config.json in ${modelDir} (expected a Hugging Face model directory)`);
  }
  let tok: LoadedTokenizer;
  try {
    tok = loadTokenizer(modelDir);
  } catch (e) {
    throw new FatalBackendError(`bundled:${modelDirArg}: ${(e as Error).message}`);
  }
  const chatFormat = config.chatFormat ?? 'deepseek-v3.2';
  chatFormatVersion(chatFormat); // validates the name
  const eosId = tok.tokenId(EOS);
  if (eosId === undefined) throw new FatalBackendError(`${modelDir}/tokenizer.json has no ${EOS} token`);

  const engineOptions = {
    dsa: config.engine.dsa,
    reference_fp8: config.engine.referenceFp8,
    threads: config.engine.threads,
    max_batch: config.engine.maxBatch,
    max_seq: config.engine.maxSeq,
  };
  const engine = new EngineProcess(log);
  let restarts = 0;
  let modelInfo: Record<string, unknown> = {};

  async function startEngine(): Promise<void> {
    engine.start();
    await engine.request({ id: engine.newId('load'), op: 'load', model: modelDir, options: engineOptions }, (e) => {
      if (e.event === 'loaded') {
        modelInfo = (e.model as Record<string, unknown>) ?? {};
        return true;
      }
      return false;
    });
  }
  let ready: Promise<void> = startEngine().catch(async (e) => {
    await engine.stop();
    throw new FatalBackendError(`the engine could not load ${modelDir}: ${(e as Error).message}`);
  });
  await ready;

  /** Restarts the engine once for all the requests that saw the same crash. */
  function restart(err: EngineCrashed): Promise<void> {
    if (engine.running) return ready;
    if (restarts >= MAX_RESTARTS) throw new FatalBackendError(`${err.message}; gave up after ${MAX_RESTARTS} restarts`);
    restarts += 1;
    log(`${err.message}; restarting the engine (${restarts}/${MAX_RESTARTS}) and retrying the requests in flight`);
    ready = engine.stop().then(startEngine);
    return ready;
  }

  async function generateOnce(req: Request, onAttempt: (a: Attempt) => Promise<void>, signal: AbortSignal, prompt: number[]) {
    const id = engine.newId('gen');
    const seqs = req.seeds.map(() => ({ tokens: [] as number[], firstAt: null as number | null, done: false }));
    const started = performance.now();
    const finished: Array<Promise<void>> = [];
    let remaining = seqs.length;
    const stops = req.sampling.stop;
    const onAbort = () => engine.send({ op: 'cancel', id });
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await engine.request(
        {
          id,
          op: 'generate',
          tokens: prompt,
          seeds: req.seeds,
          max_tokens: req.sampling.maxTokens,
          temperature: req.sampling.temperature,
          top_p: req.sampling.topP,
          top_k: req.sampling.topK,
          stop_tokens: [eosId],
        },
        (e: EngineEvent) => {
          const i = Number(e.seq);
          const seq = seqs[i];
          if (!seq) return false;
          if (e.event === 'tokens') {
            seq.firstAt ??= performance.now();
            seq.tokens.push(...(e.tokens as number[]));
            tokensSeen += (e.tokens as number[]).length;
            if (killAfterTokens > 0 && tokensSeen >= killAfterTokens && tokensSeen - (e.tokens as number[]).length < killAfterTokens) engine.kill();
            if (stops.length && stops.some((s) => tok.decode(seq.tokens.slice(-64)).includes(s))) engine.send({ op: 'cancel', id, seq: i });
            return false;
          }
          if (e.event === 'done' || e.event === 'error') {
            seq.done = true;
            remaining -= 1;
            // A sequence cancelled because the run is stopping is unfinished work, not an attempt: resume redoes it.
            const interrupted = signal.aborted && e.finish === 'cancelled';
            if (!interrupted) finished.push(onAttempt(toAttempt(req, i, seq.tokens, e, started, seq.firstAt, prompt.length)));
            return remaining === 0;
          }
          return false;
        },
      );
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    await Promise.all(finished);
  }

  function toAttempt(req: Request, i: number, tokens: number[], e: EngineEvent, started: number, firstAt: number | null, promptLen: number): Attempt {
    const now = performance.now();
    let content = tok.decode(tokens.filter((t) => t !== eosId));
    let finish: Attempt['finish'] = e.event === 'error' ? 'error' : e.finish === 'length' ? 'length' : 'stop';
    for (const s of req.sampling.stop) {
      const at = content.indexOf(s);
      if (at >= 0) {
        content = content.slice(0, at);
        finish = 'stop';
      }
    }
    if (e.event === 'done' && e.finish === 'cancelled' && !req.sampling.stop.length) finish = 'error';
    const timings = (e.timings ?? {}) as Record<string, number>;
    return attemptFrom(req, i, {
      content,
      reasoning: null,
      finish,
      promptTokens: typeof e.prompt_tokens === 'number' ? e.prompt_tokens : promptLen,
      completionTokens: typeof e.completion_tokens === 'number' ? e.completion_tokens : tokens.length,
      latencyMs: now - started,
      ttftMs: firstAt === null ? null : firstAt - started,
      decodeMs: typeof timings.decode_ms === 'number' ? timings.decode_ms : firstAt !== null ? now - firstAt : null,
      error: e.event === 'error' ? String(e.message ?? 'engine error') : finish === 'error' ? 'cancelled' : null,
    });
  }

  const thinking = config.thinking ?? false;
  return {
    modelId: `bundled:${checkpointHash(modelDir)}`,
    fingerprintParts: {
      model: `bundled:${checkpointHash(modelDir)}`,
      tokenizer: tok.id,
      chatFormat: `${chatFormat}@${chatFormatVersion(chatFormat)}`,
      engine: `${engineBuildHash()}/${shortHash({ dsa: engineOptions.dsa, reference_fp8: engineOptions.reference_fp8 })}`,
    },
    versions: { engine: engineBuildHash(), modelDir, chatFormat, architecture: String(modelInfo.architecture ?? 'unknown') },
    usesLocalCompute: true,
    tokenCounter: promptTokenCounter(tok, chatFormat, { thinking }),
    async generate(req, onAttempt, signal) {
      const text = renderChatPrompt(chatFormat, req.prompt, { thinking: req.sampling.thinking ?? false });
      const prompt = tok.encode(text);
      let current = req;
      for (;;) {
        await ready;
        const delivered = new Set<number>();
        try {
          return await generateOnce(current, (a) => (delivered.add(a.index), onAttempt(a)), signal, prompt);
        } catch (e) {
          if (!(e instanceof EngineCrashed) || signal.aborted) throw e;
          // Retry only the attempts the crash took with it.
          const keep = current.attempts.flatMap((a, i) => (delivered.has(a) ? [] : [i]));
          current = { ...current, attempts: keep.map((i) => current.attempts[i]), seeds: keep.map((i) => current.seeds[i]) };
          await restart(e);
          if (current.attempts.length === 0) return;
        }
      }
    },
    async close() {
      await engine.stop();
    },
  };
}

/**
 * The backend protocol: how the harness gets attempts from a model. Two implementations: `openai`
 * (any OpenAI-compatible server) and `bundled` (the native engine). A backend streams each finished
 * attempt to the caller as soon as it has it, so the store can keep it at once.
 */
import type { Attempt, FinishReason, Request, TokenCounter } from '../types.js';
import { splitReasoning } from '../chat/reasoning.js';
import { hashSeed } from '../random.js';

export interface Backend {
  /** The model identity as it enters the fingerprint (server model name, or a hash of the checkpoint). */
  readonly modelId: string;
  /** Fingerprint components the backend decides: model, chat format, tokenizer, engine build and flags. */
  readonly fingerprintParts: Record<string, string>;
  /** Versions recorded with the run (engine build, server-reported model, …). */
  readonly versions: Record<string, string>;
  /** True when generation uses this machine's cores (the bundled engine): grading then waits until it is done. */
  readonly usesLocalCompute: boolean;
  /** Counts tokens as the model sees them, when the backend knows its tokenizer. */
  readonly tokenCounter: TokenCounter | null;
  /** Produces the attempts `req.attempts` of one item, calling onAttempt for each as soon as it is done. */
  generate(req: Request, onAttempt: (attempt: Attempt) => Promise<void>, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** A problem that makes the whole run pointless (bad credentials, unknown model): stop, don't retry. */
export class FatalBackendError extends Error {}

/**
 * The seed of attempt `index` of an item: a hash of (run seed, item id, index), so every attempt has its own
 * reproducible seed whatever the order or concurrency of the run.
 */
export function seedFor(runSeed: number, itemId: string, index: number): number {
  return hashSeed(runSeed, itemId, index) & 0x7fffffff; // below 2^31: some servers reject larger seeds
}

/** What a backend observed for one generation, before the reasoning/answer split. */
export interface Generation {
  content: string;
  /** Reasoning the server returned apart (reasoning_content), or null. */
  reasoning: string | null;
  finish: FinishReason;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number;
  ttftMs: number | null;
  /** First → last token (ms), for the decode rate; null when unknown. */
  decodeMs: number | null;
  error: string | null;
}

/** Attempt `i` of a request from what the backend observed: reasoning split from the answer, decode rate. */
export function attemptFrom(req: Request, i: number, g: Generation): Attempt {
  const split = splitReasoning(g.content, g.reasoning, req.sampling.thinking);
  const ct = g.completionTokens;
  return {
    itemId: req.itemId,
    index: req.attempts[i],
    seed: req.seeds[i],
    text: split.text,
    reasoning: split.reasoning,
    thinkingUnclosed: split.thinkingUnclosed,
    finish: g.finish,
    promptTokens: g.promptTokens,
    completionTokens: ct,
    timings: {
      latencyMs: g.latencyMs,
      ttftMs: g.ttftMs,
      // tokens after the first, over the time after the first: the decode rate, free of prefill and queueing
      tokensPerSecond: ct !== null && ct > 1 && g.decodeMs !== null && g.decodeMs > 0 ? ((ct - 1) * 1000) / g.decodeMs : null,
    },
    error: g.error,
  };
}

/** Attempt `i` of a request that produced nothing (retries exhausted, engine error …). */
export function failedAttempt(req: Request, i: number, message: string): Attempt {
  return attemptFrom(req, i, {
    content: '', reasoning: null, finish: 'error', promptTokens: null, completionTokens: null,
    latencyMs: 0, ttftMs: null, decodeMs: null, error: message,
  });
}

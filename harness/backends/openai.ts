/**
 * The OpenAI-compatible backend (vLLM, SGLang, the DeepSeek API, OpenAI): chat completions or plain
 * completions, streamed (SSE) or not, with retries, a per-request timeout, and timings per attempt.
 */
import type { Attempt, FinishReason, Prompt, Request, Sampling } from '../types.js';
import { renderChatPrompt, chatFormatVersion } from '../chat/formats.js';
import { type Backend, FatalBackendError, attemptFrom, failedAttempt } from './backend.js';
import { PermanentError, type RetryPolicy, TransientError, parseRetryAfter, withRetries } from './retry.js';
import { readSse } from './sse.js';

export interface OpenAIBackendOptions {
  baseUrl: string;
  modelName?: string;
  api: 'chat' | 'completions';
  /** Client-side chat format; required by the completions API for chat prompts. */
  chatFormat?: string;
  apiKey: string | null;
  /** The environment variable the key came from, for error messages (the key itself is never printed). */
  apiKeyEnv: string;
  timeoutMs: number;
  retry: RetryPolicy;
  /** One request with n = number of attempts, instead of one request per attempt. */
  serverN: boolean;
  stream: boolean;
  log: (message: string) => void;
}

/** What one choice of a response produced. */
interface ChoiceResult {
  content: string;
  reasoning: string | null;
  finish: FinishReason;
  completionTokens: number | null;
  firstTokenAt: number | null;
  lastTokenAt: number | null;
}

interface ResponseResult {
  choices: ChoiceResult[];
  promptTokens: number | null;
  startedAt: number;
  endedAt: number;
}

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  eos: 'stop',
  end_turn: 'stop',
  tool_calls: 'stop',
  function_call: 'stop',
  content_filter: 'stop',
  length: 'length',
  max_tokens: 'length',
};

function mapFinish(reason: unknown): FinishReason {
  if (typeof reason !== 'string') throw new TransientError('the response ended without a finish_reason (stream cut?)');
  return FINISH[reason] ?? 'stop';
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

export async function createOpenAIBackend(opts: OpenAIBackendOptions): Promise<Backend> {
  const base = trimSlash(opts.baseUrl);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;

  const modelName = await resolveModelName(base, headers, opts);
  if (opts.api === 'completions' && !opts.chatFormat) {
    opts.log('note: --api completions without --chat-format: chat prompts will be refused; text prompts are sent as they are');
  }

  async function post(path: string, body: object, signal: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const both = AbortSignal.any([signal, timeout]);
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body), signal: both });
    } catch (e) {
      if (signal.aborted) throw e;
      if (timeout.aborted) throw new TransientError(`no response within ${opts.timeoutMs / 1000}s`);
      throw new TransientError(`request failed: ${networkMessage(e)}`);
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    const detail = text.slice(0, 300).replace(/\s+/g, ' ');
    if (res.status === 429 || res.status >= 500 || res.status === 408) {
      throw new TransientError(`HTTP ${res.status}: ${detail}`, parseRetryAfter(res.headers.get('retry-after')));
    }
    if (res.status === 401 || res.status === 403) {
      throw new FatalBackendError(`${base}${path} refused the credentials (HTTP ${res.status}); check $${opts.apiKeyEnv}: ${detail}`);
    }
    if (res.status === 404) throw new FatalBackendError(`${base}${path}: HTTP 404 (wrong base URL or model name?): ${detail}`);
    throw new PermanentError(`HTTP ${res.status}: ${detail}`);
  }

  function requestBody(prompt: Prompt, s: Sampling, n: number, seed: number): { path: string; body: Record<string, unknown> } {
    const common: Record<string, unknown> = {
      model: modelName,
      temperature: s.temperature,
      top_p: s.topP,
      max_tokens: s.maxTokens,
      seed,
      n,
      stream: opts.stream,
    };
    if (s.stop.length) common.stop = s.stop;
    if (s.topK > 0) common.top_k = s.topK; // vLLM/SGLang extension
    if (opts.stream) common.stream_options = { include_usage: true };
    if (opts.api === 'chat') {
      if (prompt.kind !== 'chat') return { path: '/chat/completions', body: { ...common, messages: [{ role: 'user', content: prompt.text }] } };
      const messages = prompt.messages.map((m) => ({ ...m }));
      if (prompt.assistantPrefix) {
        // Portable placement of an answer prefix: at the end of the last user turn (RULER's advice for chat APIs).
        const last = messages[messages.length - 1];
        last.content = `${last.content}\n\n${prompt.assistantPrefix}`;
      }
      const body: Record<string, unknown> = { ...common, messages };
      if (s.thinking !== null) body.chat_template_kwargs = { thinking: s.thinking, enable_thinking: s.thinking };
      return { path: '/chat/completions', body };
    }
    let text: string;
    if (prompt.kind === 'text') text = prompt.text;
    else if (opts.chatFormat) text = renderChatPrompt(opts.chatFormat, prompt, { thinking: s.thinking ?? false });
    else throw new PermanentError('this suite renders chat prompts; the completions API needs --chat-format to render them');
    return { path: '/completions', body: { ...common, prompt: text } };
  }

  async function once(prompt: Prompt, s: Sampling, n: number, seed: number, signal: AbortSignal): Promise<ResponseResult> {
    const { path, body } = requestBody(prompt, s, n, seed);
    const startedAt = performance.now();
    const res = await post(path, body, signal);
    const result = opts.stream ? await readStreamed(res, n, opts.api) : await readWhole(res, n, opts.api);
    return { ...result, startedAt, endedAt: performance.now() };
  }

  function toAttempt(req: Request, i: number, r: ResponseResult, c: ChoiceResult, soleChoice: boolean): Attempt {
    const streamedDecode = c.firstTokenAt !== null && c.lastTokenAt !== null ? c.lastTokenAt - c.firstTokenAt : null;
    return attemptFrom(req, i, {
      content: c.content,
      reasoning: c.reasoning,
      finish: c.finish,
      promptTokens: r.promptTokens,
      completionTokens: soleChoice ? c.completionTokens : null,
      latencyMs: r.endedAt - r.startedAt,
      ttftMs: c.firstTokenAt === null ? null : c.firstTokenAt - r.startedAt,
      decodeMs: opts.stream ? streamedDecode : r.endedAt - r.startedAt,
      error: null,
    });
  }

  async function run(req: Request, which: number[], onAttempt: (a: Attempt) => Promise<void>, signal: AbortSignal) {
    const n = which.length;
    const seed = req.seeds[which[0]];
    let result: ResponseResult;
    try {
      result = await withRetries(
        opts.retry,
        () => once(req.prompt, req.sampling, n, seed, signal),
        (err, k, delay) => opts.log(`retry ${k + 1}/${opts.retry.retries} for item ${req.itemId} in ${(delay / 1000).toFixed(1)}s: ${err.message}`),
        signal,
      );
    } catch (e) {
      if (e instanceof FatalBackendError || signal.aborted) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      for (const i of which) await onAttempt(failedAttempt(req, i, msg));
      return;
    }
    if (result.choices.length < n) {
      for (const i of which) await onAttempt(failedAttempt(req, i, `the server returned ${result.choices.length} choices for n=${n}`));
      return;
    }
    for (let j = 0; j < n; j++) await onAttempt(toAttempt(req, which[j], result, result.choices[j], n === 1));
  }

  return {
    modelId: `openai:${modelName}`,
    fingerprintParts: {
      model: `openai:${modelName}`,
      chatFormat: opts.api === 'chat' ? 'server' : opts.chatFormat ? `${opts.chatFormat}@${chatFormatVersion(opts.chatFormat)}` : 'none',
      api: opts.api,
    },
    versions: { server: base, model: modelName },
    usesLocalCompute: false,
    tokenCounter: null,
    async generate(req, onAttempt, signal) {
      const indices = req.attempts.map((_, i) => i);
      if (opts.serverN) await run(req, indices, onAttempt, signal);
      else await Promise.all(indices.map((i) => run(req, [i], onAttempt, signal)));
    },
    async close() {},
  };
}

function networkMessage(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message} (${cause})` : String(err.message ?? e);
}

/** GET /models: checks the server is reachable and picks the model name when none was given. */
async function resolveModelName(base: string, headers: Record<string, string>, opts: OpenAIBackendOptions): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${base}/models`, { headers, signal: AbortSignal.timeout(Math.min(opts.timeoutMs, 30_000)) });
  } catch (e) {
    throw new FatalBackendError(`cannot reach the server at ${base}: ${networkMessage(e)}`);
  }
  if (res.status === 401 || res.status === 403) {
    throw new FatalBackendError(`the server at ${base} refused the credentials (HTTP ${res.status}); check $${opts.apiKeyEnv}`);
  }
  if (!res.ok) {
    if (opts.modelName) return opts.modelName;
    throw new FatalBackendError(`${base}/models answered HTTP ${res.status}; name the model with --model-name`);
  }
  let ids: string[] = [];
  try {
    const body = (await res.json()) as { data?: Array<{ id?: unknown }> };
    ids = (body.data ?? []).map((m) => String(m.id));
  } catch {
    if (opts.modelName) return opts.modelName;
    throw new FatalBackendError(`${base}/models did not return JSON; name the model with --model-name`);
  }
  if (opts.modelName) {
    if (ids.length && !ids.includes(opts.modelName)) {
      opts.log(`warning: the server lists models ${ids.join(', ')}, not "${opts.modelName}"`);
    }
    return opts.modelName;
  }
  if (ids.length === 1) return ids[0];
  throw new FatalBackendError(
    ids.length === 0
      ? `the server at ${base} lists no models; name one with --model-name`
      : `the server at ${base} serves several models (${ids.join(', ')}); pick one with --model-name`,
  );
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function parseJson(text: string, what: string): Json {
  try {
    const v = JSON.parse(text);
    if (v === null || typeof v !== 'object') throw new Error('not an object');
    return v as Json;
  } catch {
    throw new TransientError(`malformed JSON in ${what}: ${text.slice(0, 120)}`);
  }
}

function emptyChoice(): ChoiceResult {
  return { content: '', reasoning: null, finish: 'stop', completionTokens: null, firstTokenAt: null, lastTokenAt: null };
}

async function readWhole(res: Response, n: number, api: 'chat' | 'completions'): Promise<Omit<ResponseResult, 'startedAt' | 'endedAt'>> {
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new TransientError(`the response broke off: ${networkMessage(e)}`);
  }
  const body = parseJson(text, 'the response');
  if (body.error) throw new TransientError(`server error: ${JSON.stringify(body.error).slice(0, 200)}`);
  if (!Array.isArray(body.choices)) throw new TransientError('the response has no choices array');
  const choices: ChoiceResult[] = [];
  for (const c of body.choices as Json[]) {
    const idx = typeof c.index === 'number' ? c.index : choices.length;
    const msg = api === 'chat' ? (c.message ?? {}) : c;
    const content = api === 'chat' ? msg.content : msg.text;
    choices[idx] = {
      content: typeof content === 'string' ? content : '',
      reasoning: typeof msg.reasoning_content === 'string' ? msg.reasoning_content : typeof msg.reasoning === 'string' ? msg.reasoning : null,
      finish: mapFinish(c.finish_reason),
      completionTokens: null,
      firstTokenAt: null,
      lastTokenAt: null,
    };
  }
  const usage = body.usage ?? {};
  if (n === 1 && choices[0] && typeof usage.completion_tokens === 'number') choices[0].completionTokens = usage.completion_tokens;
  return { choices: choices.filter(Boolean), promptTokens: typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : null };
}

async function readStreamed(res: Response, n: number, api: 'chat' | 'completions'): Promise<Omit<ResponseResult, 'startedAt' | 'endedAt'>> {
  const choices: ChoiceResult[] = [];
  const finished: Array<string | null> = [];
  let promptTokens: number | null = null;
  let completionTokens: number | null = null;
  let done = false;
  try {
    for await (const data of readSse(res.body!)) {
      if (data === '[DONE]') {
        done = true;
        break;
      }
      const chunk = parseJson(data, 'a stream event');
      if (chunk.error) throw new TransientError(`server error in stream: ${JSON.stringify(chunk.error).slice(0, 200)}`);
      if (chunk.usage) {
        if (typeof chunk.usage.prompt_tokens === 'number') promptTokens = chunk.usage.prompt_tokens;
        if (typeof chunk.usage.completion_tokens === 'number') completionTokens = chunk.usage.completion_tokens;
      }
      for (const c of (chunk.choices ?? []) as Json[]) {
        const idx = typeof c.index === 'number' ? c.index : 0;
        const choice = (choices[idx] ??= emptyChoice());
        const delta = api === 'chat' ? (c.delta ?? {}) : c;
        const piece = api === 'chat' ? delta.content : delta.text;
        const reasoning = delta.reasoning_content ?? delta.reasoning;
        const now = performance.now();
        if (typeof piece === 'string' && piece.length) {
          choice.content += piece;
          choice.firstTokenAt ??= now;
          choice.lastTokenAt = now;
        }
        if (typeof reasoning === 'string' && reasoning.length) {
          choice.reasoning = (choice.reasoning ?? '') + reasoning;
          choice.firstTokenAt ??= now;
          choice.lastTokenAt = now;
        }
        if (c.finish_reason) finished[idx] = c.finish_reason;
      }
    }
  } catch (e) {
    if (e instanceof TransientError) throw e;
    throw new TransientError(`the stream broke off: ${networkMessage(e)}`);
  }
  for (let i = 0; i < n; i++) {
    if (!choices[i]) choices[i] = emptyChoice();
    if (!finished[i]) {
      throw new TransientError(done ? `choice ${i} ended without a finish_reason` : 'the stream ended before it finished (cut in the middle)');
    }
    choices[i].finish = mapFinish(finished[i]);
  }
  if (n === 1) choices[0].completionTokens = completionTokens;
  return { choices, promptTokens };
}

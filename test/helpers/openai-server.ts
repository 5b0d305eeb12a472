/**
 * A real HTTP server on loopback that speaks the OpenAI API the way vLLM does (chat and plain completions,
 * streaming and not, reasoning_content, n > 1, usage) and injects faults on request: 429 with Retry-After,
 * 500, dropped connections, malformed JSON, a stream cut in the middle, a response slower than the timeout.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Completion {
  reasoning?: string;
  content: string;
  finish?: 'stop' | 'length';
}

export interface CompletionRequest {
  path: string;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: IncomingMessage['headers'];
  /** The user message (chat) or the prompt (completions). */
  prompt: string;
  /** When the request arrived (ms since the epoch). */
  at: number;
}

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'drop' }
  | { kind: 'malformed' }
  | { kind: 'cut' }
  | { kind: 'slow'; ms: number };

export interface FakeServerOptions {
  model?: string;
  /** Produces choice `index` of a request; `seed` is the request's seed. */
  respond: (req: CompletionRequest, index: number) => Completion;
  /** Where the reasoning goes: a separate field (vLLM/SGLang/DeepSeek) or `<think>` tags in the content. */
  reasoning?: 'field' | 'tags';
  /** Called for each completion request (numbered from 0); returns a fault to inject, or null. */
  fault?: (requestNumber: number, req: CompletionRequest) => Fault | null;
  /** Required bearer token, if any. */
  apiKey?: string;
  /** Delay between streamed chunks (ms). */
  chunkDelayMs?: number;
}

export interface FakeServer {
  url: string;
  port: number;
  requests: CompletionRequest[];
  /** Completion requests that got a normal answer. */
  served: number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Splits text into stream pieces of a few characters, like tokens. */
function pieces(text: string): string[] {
  return text.match(/[\s\S]{1,7}/g) ?? [];
}

function tokenCount(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export async function startFakeServer(opts: FakeServerOptions): Promise<FakeServer> {
  const model = opts.model ?? 'fake-model';
  const requests: CompletionRequest[] = [];
  const state = { served: 0 };
  const sockets = new Set<import('node:net').Socket>();

  const server: Server = createServer(async (req, res) => {
    try {
      await handle(req, res);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500).end(String(e));
      else res.destroy();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'invalid api key' } }));
      return;
    }
    const url = req.url ?? '';
    if (req.method === 'GET' && url.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: model, object: 'model' }] }));
      return;
    }
    const isChat = url.endsWith('/chat/completions');
    if (req.method !== 'POST' || (!isChat && !url.endsWith('/completions'))) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = JSON.parse(await readBody(req));
    const prompt = isChat ? String(body.messages?.filter((m: { role: string }) => m.role === 'user').at(-1)?.content ?? '') : String(body.prompt);
    const creq: CompletionRequest = { path: url, body, headers: req.headers, prompt, at: Date.now() };
    const number = requests.length;
    requests.push(creq);
    const fault = opts.fault?.(number, creq) ?? null;

    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      res.writeHead(fault.status, headers).end(fault.body ?? JSON.stringify({ error: { message: `injected ${fault.status}` } }));
      return;
    }
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') await sleep(fault.ms);

    const n = body.n ?? 1;
    const choices = Array.from({ length: n }, (_, i) => opts.respond(creq, i));
    const reasoningMode = opts.reasoning ?? 'field';
    // Plain completions have no reasoning field: the text continues the prompt's opened <think> block.
    const asContent = (c: Completion) =>
      c.reasoning === undefined
        ? c.content
        : !isChat
          ? `${c.reasoning}</think>${c.content}`
          : reasoningMode === 'tags'
            ? `<think>${c.reasoning}</think>${c.content}`
            : c.content;
    const usage = {
      prompt_tokens: tokenCount(prompt),
      completion_tokens: choices.reduce((s, c) => s + tokenCount((c.reasoning ?? '') + c.content), 0),
    };

    if (!body.stream) {
      if (fault?.kind === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "x", "choices": [ {"index": 0, "mess');
        return;
      }
      const out = {
        id: `cmpl-${number}`,
        object: isChat ? 'chat.completion' : 'text_completion',
        model,
        choices: choices.map((c, index) =>
          isChat
            ? {
                index,
                message: {
                  role: 'assistant',
                  content: asContent(c),
                  ...(reasoningMode === 'field' && c.reasoning !== undefined ? { reasoning_content: c.reasoning } : {}),
                },
                finish_reason: c.finish ?? 'stop',
              }
            : { index, text: asContent(c), finish_reason: c.finish ?? 'stop' },
        ),
        usage,
      };
      state.served += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (obj: unknown) => res.write(`data: ${typeof obj === 'string' ? obj : JSON.stringify(obj)}\n\n`);
    const chunk = (index: number, delta: Record<string, string>, finish: string | null = null) =>
      isChat
        ? { id: `cmpl-${number}`, object: 'chat.completion.chunk', model, choices: [{ index, delta, finish_reason: finish }] }
        : { id: `cmpl-${number}`, object: 'text_completion', model, choices: [{ index, text: delta.content ?? '', finish_reason: finish }] };
    if (isChat) for (let i = 0; i < n; i++) send(chunk(i, { role: 'assistant' }));
    let sent = 0;
    for (let i = 0; i < n; i++) {
      const c = choices[i];
      if (reasoningMode === 'field' && c.reasoning !== undefined && isChat) {
        for (const p of pieces(c.reasoning)) {
          send(chunk(i, { reasoning_content: p }));
          if (opts.chunkDelayMs) await sleep(opts.chunkDelayMs);
        }
      }
      for (const p of pieces(reasoningMode === 'field' && isChat ? c.content : asContent(c))) {
        send(chunk(i, { content: p }));
        sent += 1;
        if (fault?.kind === 'malformed' && sent === 2) res.write('data: {"choices": [{"delta": {"content": "oops\n\n');
        if (fault?.kind === 'cut' && sent === 2) {
          res.destroy();
          return;
        }
        if (opts.chunkDelayMs) await sleep(opts.chunkDelayMs);
      }
      send(chunk(i, {}, c.finish ?? 'stop'));
    }
    if (body.stream_options?.include_usage) send({ id: `cmpl-${number}`, object: 'chat.completion.chunk', model, choices: [], usage });
    send('[DONE]');
    state.served += 1;
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    get served() {
      return state.served;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A deterministic stand-in for a model solving math problems: correct with probability p per (prompt, seed). */
export function mathResponder(answers: Map<string, string>, p = 0.6): (req: CompletionRequest, index: number) => Completion {
  return (req, index) => {
    const gold = [...answers.entries()].find(([problem]) => req.prompt.includes(problem))?.[1];
    const seed = Number(req.body.seed ?? 0) + index;
    const h = hash01(`${req.prompt}|${seed}`);
    const answer = gold === undefined ? '0' : h < p ? gold : `${(Number.parseInt(gold, 10) || 7) + 1 + Math.floor(h * 10)}`;
    return {
      reasoning: `Let me think about this carefully (seed ${seed}). `.repeat(3),
      content: `The answer is therefore $\\boxed{${answer}}$.`,
    };
  };
}

export function hash01(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  h ^= h >>> 13;
  h = Math.imul(h, 0x5bd1e995);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

/** Parsing what servers send: SSE framing, reasoning/answer splitting, Retry-After, backoff; chat formats. */
import { describe, expect, it } from 'vitest';
import { readSse } from '../../harness/backends/sse.js';
import { splitReasoning } from '../../harness/chat/reasoning.js';
import { backoffDelay, parseRetryAfter } from '../../harness/backends/retry.js';
import { renderChatPrompt } from '../../harness/chat/formats.js';
import { seedFor } from '../../harness/backends/backend.js';
import { parseExtraOptions } from '../../harness/commands/extra-options.js';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
}

async function collect(chunks: string[]) {
  const out: string[] = [];
  for await (const d of readSse(streamOf(chunks))) out.push(d);
  return out;
}

describe('readSse', () => {
  it('splits events across arbitrary chunk boundaries, CRLF, comments and multi-line data', async () => {
    expect(await collect(['data: {"a"', ':1}\r\n\r', '\n: keep-alive\n\nevent: x\ndata: l1\ndata: l2\n\ndata: [DONE]\n\n'])).toEqual([
      '{"a":1}',
      'l1\nl2',
      '[DONE]',
    ]);
  });
  it('yields a final event without its blank line; multi-byte characters split between chunks survive', async () => {
    const bytes = new TextEncoder().encode('data: 答案\n\ndata: end');
    const s = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, 8));
        c.enqueue(bytes.slice(8));
        c.close();
      },
    });
    const out: string[] = [];
    for await (const d of readSse(s)) out.push(d);
    expect(out).toEqual(['答案', 'end']);
  });
});

describe('splitReasoning', () => {
  it('takes reasoning_content as given', () => {
    expect(splitReasoning('The answer is 4.', 'think think', true)).toEqual({ reasoning: 'think think', text: 'The answer is 4.', thinkingUnclosed: false });
  });
  it('an empty answer beside reasoning_content means the thinking never closed', () => {
    expect(splitReasoning('', 'still thinking', true).thinkingUnclosed).toBe(true);
  });
  it('splits <think>…</think> in the content, with or without the opening tag', () => {
    expect(splitReasoning('<think>a b</think>\n\nAnswer: 5', null, null)).toEqual({ reasoning: 'a b', text: 'Answer: 5', thinkingUnclosed: false });
    expect(splitReasoning('a b</think>Answer: 5', null, true)).toEqual({ reasoning: 'a b', text: 'Answer: 5', thinkingUnclosed: false });
  });
  it('flags an unclosed thinking block', () => {
    expect(splitReasoning('<think>and then I', null, null)).toEqual({ reasoning: 'and then I', text: '', thinkingUnclosed: true });
    expect(splitReasoning('and then I', null, true)).toEqual({ reasoning: 'and then I', text: '', thinkingUnclosed: true });
  });
  it('plain answers stay answers', () => {
    expect(splitReasoning('\\boxed{3}', null, false)).toEqual({ reasoning: '', text: '\\boxed{3}', thinkingUnclosed: false });
    expect(splitReasoning('x </think>-like text? no: 1 < 2', null, null).thinkingUnclosed).toBe(false);
  });
});

describe('retries', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
  it('backs off exponentially with jitter, capped, and honours Retry-After', () => {
    const policy = { retries: 5, baseMs: 100, maxMs: 1000 };
    expect(backoffDelay({ ...policy, random: () => 0 }, 0, null)).toBe(50);
    expect(backoffDelay({ ...policy, random: () => 1 }, 0, null)).toBe(100);
    expect(backoffDelay({ ...policy, random: () => 1 }, 3, null)).toBe(800);
    expect(backoffDelay({ ...policy, random: () => 1 }, 10, null)).toBe(1000);
    expect(backoffDelay(policy, 0, 700)).toBe(700);
    expect(backoffDelay(policy, 0, 60_000)).toBe(1000);
  });
});

describe('chat formats', () => {
  const prompt = { kind: 'chat' as const, messages: [{ role: 'system' as const, content: 'S' }, { role: 'user' as const, content: 'Q' }] };
  it('DeepSeek-V3.2: the think marker belongs to the last user turn', () => {
    expect(renderChatPrompt('deepseek-v3.2', prompt, { thinking: true })).toBe('<｜begin▁of▁sentence｜>S<｜User｜>Q<｜Assistant｜><think>');
    expect(renderChatPrompt('deepseek-v3.2', prompt, { thinking: false })).toBe('<｜begin▁of▁sentence｜>S<｜User｜>Q<｜Assistant｜></think>');
    const multi = {
      kind: 'chat' as const,
      messages: [
        { role: 'user' as const, content: 'Q1' },
        { role: 'assistant' as const, content: 'hmm</think>A1' },
        { role: 'user' as const, content: 'Q2' },
      ],
    };
    expect(renderChatPrompt('deepseek-v3.2', multi, { thinking: true })).toBe(
      '<｜begin▁of▁sentence｜><｜User｜>Q1<｜Assistant｜></think>A1<｜end▁of▁sentence｜><｜User｜>Q2<｜Assistant｜><think>',
    );
  });
  it('DeepSeek-V3.1: past assistant turns carry </think> and the generation prompt picks the mode', () => {
    const multi = {
      kind: 'chat' as const,
      messages: [
        { role: 'user' as const, content: 'Q1' },
        { role: 'assistant' as const, content: 'A1' },
        { role: 'user' as const, content: 'Q2' },
      ],
    };
    expect(renderChatPrompt('deepseek-v3.1', multi, { thinking: false })).toBe(
      '<｜begin▁of▁sentence｜><｜User｜>Q1<｜Assistant｜></think>A1<｜end▁of▁sentence｜><｜User｜>Q2<｜Assistant｜></think>',
    );
  });
  it('an answer prefix is continued after the generation prompt', () => {
    expect(renderChatPrompt('deepseek-v3', { ...prompt, assistantPrefix: 'Answer:' }, { thinking: false })).toBe(
      '<｜begin▁of▁sentence｜>S<｜User｜>Q<｜Assistant｜>Answer:',
    );
  });
  it('an unknown format is named', () => {
    expect(() => renderChatPrompt('llama', prompt, { thinking: false })).toThrow(/unknown chat format "llama"; known: deepseek-v3.2/);
  });
});

describe('seeds and options', () => {
  it('seedFor is stable, distinct per attempt and item, and below 2^31', () => {
    expect(seedFor(0, 'a', 0)).toBe(seedFor(0, 'a', 0));
    const seeds = new Set<number>();
    for (const item of ['a', 'b', 'c']) for (let i = 0; i < 100; i++) seeds.add(seedFor(7, item, i));
    expect(seeds.size).toBe(300);
    for (const s of seeds) expect(s).toBeLessThan(2 ** 31);
    expect(seedFor(1, 'a', 0)).not.toBe(seedFor(0, 'a', 0));
  });
  it('unknown flags become camel-cased suite options', () => {
    expect(parseExtraOptions(['--lengths', '4096,8192', '--start-date=2024-08-01', '--public-only'], ['k=v'])).toEqual({
      k: 'v',
      lengths: '4096,8192',
      startDate: '2024-08-01',
      publicOnly: true,
    });
    expect(() => parseExtraOptions(['stray'], [])).toThrow(/unexpected argument "stray"/);
  });
});

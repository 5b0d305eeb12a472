/**
 * The NDJSON serve protocol (engine/README.md) on the real binary and the tiny FP8 model: many requests at once,
 * bad requests among good ones, cancel, seeds reproducible across batch compositions and prefix sharing, stop
 * tokens, max_tokens → "length", stats, EOF and shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient, someTokens, tempDir, tinyModel, type SeqResult } from './engine-client.js';

let tmp: ReturnType<typeof tempDir>;
let model: string;
let eng: EngineClient;

beforeAll(async () => {
  tmp = tempDir();
  model = await tinyModel(tmp.dir, 'fp8', { seed: 2 });
  eng = new EngineClient();
  await eng.load(model, { max_seq: 512, max_batch: 8, prefill_chunk: 64 });
});

afterAll(async () => {
  eng?.kill();
  tmp?.cleanup();
});

const sampled = (id: string, tokens: number[], seeds: number[], extra: Record<string, unknown> = {}) => ({
  id,
  tokens,
  seeds,
  temperature: 0.9,
  top_p: 0.95,
  top_k: 100,
  max_tokens: 24,
  logprobs: true,
  ...extra,
});

async function stats(e: EngineClient): Promise<Record<string, number>> {
  const s = await e.call({ op: 'stats', id: `stats-${Math.random()}` });
  expect(s.event).toBe('stats');
  return s.stats as Record<string, number>;
}

describe('serve protocol', () => {
  it('loaded event carries the config summary and options', async () => {
    const loaded = eng.events.find((e) => e.event === 'loaded')!;
    expect(loaded.model).toMatchObject({ architecture: 'DeepseekV32ForCausalLM', vocab_size: 1024, index_topk: 32 });
    expect(loaded.options).toMatchObject({ dsa: true, reference_fp8: false, max_seq: 512, max_batch: 8, prefill_chunk: 64 });
    // Logs go to stderr, never stdout (every stdout line parsed as JSON, or the client would have thrown).
    for (let i = 0; i < 100 && !eng.stderr.includes('loaded'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(eng.stderr).toContain('loaded');
  });

  it('many requests at once all complete, each with consistent counts and timings', async () => {
    const reqs = Array.from({ length: 6 }, (_, i) => sampled(`many${i}`, someTokens(20 + 13 * i, 100 + i), Array.from({ length: 1 + (i % 3) }, (_, k) => 1000 * i + k)));
    for (const r of reqs) eng.send({ op: 'generate', ...r });
    for (const r of reqs) {
      const res = await eng.results(r.id, r.seeds.length);
      res.forEach((s, k) => {
        expect(s.done!.seq).toBe(k);
        expect(['length', 'stop']).toContain(s.done!.finish);
        expect(s.done!.completion_tokens).toBe(s.tokens.length);
        expect(s.done!.prompt_tokens).toBe(r.tokens.length);
        expect(s.logprobs).toHaveLength(s.tokens.length);
        s.logprobs.forEach((lp) => expect(lp).toBeLessThanOrEqual(0));
        const t = s.done!.timings as Record<string, number>;
        for (const k of ['queue_ms', 'prefill_ms', 'first_token_ms', 'decode_ms']) expect(t[k]).toBeGreaterThanOrEqual(0);
        expect(t.first_token_ms).toBeGreaterThanOrEqual(t.prefill_ms);
      });
    }
    // Nothing leaks: idle engine holds no cache blocks and no reservations.
    const s = await stats(eng);
    expect(s).toMatchObject({ requests_queued: 0, requests_running: 0, sequences_decoding: 0, cache_blocks_used: 0, cache_blocks_reserved: 0 });
    expect(s.generated_tokens).toBeGreaterThan(0);
    expect(s.decode_tok_s).toBeGreaterThan(0);
    expect(s.rss_bytes).toBeGreaterThan(0);
  });

  it('seeds are reproducible whatever else is in the batch, and with or without prefix sharing', async () => {
    const prompt = someTokens(70, 7); // two prefill chunks of 64 + 6
    const alone = await eng.generate(sampled('alone', prompt, [11, 12, 13]));
    // The same request while four others (other prompts, other seeds, other lengths) share the steps.
    const others = Array.from({ length: 4 }, (_, i) => sampled(`busy${i}`, someTokens(30 + 40 * i, 50 + i), [i, i + 100], { max_tokens: 40 }));
    eng.send({ op: 'generate', ...others[0] });
    eng.send({ op: 'generate', ...others[1] });
    eng.send({ op: 'generate', ...sampled('busy', prompt, [11, 12, 13]) });
    eng.send({ op: 'generate', ...others[2] });
    eng.send({ op: 'generate', ...others[3] });
    const busy = await eng.results('busy', 3);
    for (const o of others) await eng.results(o.id, 2);
    expect(busy.map((s) => s.tokens)).toEqual(alone.map((s) => s.tokens));
    expect(busy.map((s) => s.logprobs)).toEqual(alone.map((s) => s.logprobs));
    // One seed on its own (no prefix sharing) gives that seed's sequence.
    const [single] = await eng.generate(sampled('single', prompt, [12]));
    expect(single!.tokens).toEqual(alone[1]!.tokens);
    expect(single!.logprobs).toEqual(alone[1]!.logprobs);
    // Different seeds do give different samples.
    expect(alone[0]!.tokens).not.toEqual(alone[1]!.tokens);
  });

  it('more sequences than max_batch take turns and still reproduce', async () => {
    const e = new EngineClient();
    try {
      await e.load(model, { max_seq: 256, max_batch: 2, prefill_chunk: 64 });
      const prompt = someTokens(70, 7);
      const res = await e.generate(sampled('wide', prompt, [11, 12, 13]));
      const [single] = await eng.generate(sampled('single2', prompt, [13]));
      expect(res[2]!.tokens).toEqual(single!.tokens);
      expect(res[2]!.logprobs).toEqual(single!.logprobs);
    } finally {
      await e.close();
    }
  });

  it('a bad request among good ones gets its own error; the others complete', async () => {
    eng.send({ op: 'generate', ...sampled('goodA', someTokens(12, 1), [1]) });
    eng.send('{"op": "generate", "id": "broken", "tokens": [1, 2');
    eng.send({ op: 'fly', id: 'unknown-op' });
    eng.send({ op: 'generate', id: 'range', tokens: [5, 1024, 7] });
    eng.send({ op: 'generate', id: 'toolong', tokens: someTokens(600, 3) });
    eng.send({ op: 'generate', id: 'hot', tokens: [5, 6], temperature: 'hot' });
    eng.send({ op: 'generate', tokens: [5, 6] });
    eng.send({ op: 'generate', id: 'huge', tokens: [5, 6], seeds: Array.from({ length: 200 }, (_, i) => i), max_tokens: 500 });
    eng.send({ op: 'generate', ...sampled('goodB', someTokens(12, 2), [2]) });
    const err = (id: string | null) => eng.waitFor((e) => e.event === 'error' && e.id === id);
    expect(String((await err(null)).message)).toMatch(/JSON error at byte \d+/);
    expect(String((await err('unknown-op')).message)).toMatch(/unknown op "fly"/);
    expect(String((await err('range')).message)).toMatch(/field "tokens"\[1\]: token id 1024 is out of range \(vocabulary size 1024\)/);
    expect(String((await err('toolong')).message)).toMatch(/prompt too long: 600 tokens, the engine was loaded with max_seq 512/);
    expect(String((await err('hot')).message)).toMatch(/field "temperature": expected a number/);
    expect(String((await err('huge')).message)).toMatch(/request needs \d+ cache blocks/);
    // The anonymous generate's error has no id.
    expect(eng.events.filter((e) => e.event === 'error' && e.id === null).map((e) => String(e.message))).toEqual(
      expect.arrayContaining([expect.stringMatching(/generate: field "id" is required/)]),
    );
    const [a] = await eng.results('goodA', 1);
    const [b] = await eng.results('goodB', 1);
    expect(a!.tokens).toHaveLength(24);
    expect(b!.tokens).toHaveLength(24);
  });

  it('cancel stops a running request with finish "cancelled"; cancelling what already finished is a quiet no-op', async () => {
    eng.send({ op: 'generate', ...sampled('long', someTokens(16, 4), [1, 2], { max_tokens: 400 }) });
    await eng.waitFor((e) => e.id === 'long' && e.event === 'tokens');
    eng.send({ op: 'cancel', id: 'long' });
    const res = await eng.results('long', 2);
    for (const s of res) {
      expect(s.done!.finish).toBe('cancelled');
      expect(s.tokens.length).toBeLessThan(400);
      expect(s.done!.completion_tokens).toBe(s.tokens.length);
    }
    // A cancel that races with completion (or names nothing) gets no event — clients route events by id —
    // and the engine keeps serving.
    const before = eng.events.length;
    eng.send({ op: 'cancel', id: 'long' });
    eng.send({ op: 'cancel', id: 'never-existed', seq: 0 });
    expect((await stats(eng)).requests_running).toBe(0);
    expect(eng.events.slice(before).filter((e) => e.id === 'long' || e.id === 'never-existed')).toEqual([]);
    expect(await stats(eng)).toMatchObject({ requests_running: 0, cache_blocks_used: 0, cache_blocks_reserved: 0 });
  });

  it('cancel of one sequence (seq) leaves its siblings running, unchanged', async () => {
    const prompt = someTokens(33, 14);
    const full = await eng.generate(sampled('sib-full', prompt, [5, 6, 7], { max_tokens: 60 }));
    eng.send({ op: 'generate', ...sampled('sib', prompt, [5, 6, 7], { max_tokens: 60 }) });
    await eng.waitFor((e) => e.id === 'sib' && e.event === 'tokens' && e.seq === 1);
    eng.send({ op: 'cancel', id: 'sib', seq: 1 });
    const res = await eng.results('sib', 3);
    expect(res[1]!.done!.finish).toBe('cancelled');
    expect(res[1]!.tokens.length).toBeLessThan(60);
    expect(res[1]!.tokens).toEqual(full[1]!.tokens.slice(0, res[1]!.tokens.length));
    for (const k of [0, 2]) {
      expect(res[k]!.done!.finish).toBe(full[k]!.done!.finish);
      expect(res[k]!.tokens).toEqual(full[k]!.tokens);
      expect(res[k]!.logprobs).toEqual(full[k]!.logprobs);
    }
    // A sequence index the request does not have is a client bug: an error event.
    eng.send({ op: 'generate', ...sampled('sib2', prompt, [1], { max_tokens: 200 }) });
    await eng.waitFor((e) => e.id === 'sib2' && e.event === 'tokens');
    // sib2 keeps streaming tokens meanwhile, so wait for the error event itself, not the next event of sib2.
    eng.send({ op: 'cancel', id: 'sib2', seq: 4 });
    const err = await eng.waitFor((e) => e.id === 'sib2' && e.event !== 'tokens');
    expect(err.event).toBe('error');
    expect(String(err.message)).toMatch(/request "sib2" has 1 sequences, there is no seq 4/);
    eng.send({ op: 'cancel', id: 'sib2' });
    expect((await eng.waitFor((e) => e.id === 'sib2' && e.event === 'done')).finish).toBe('cancelled');
  });

  it('cancel of a request still queued for cache space', async () => {
    const e = new EngineClient();
    try {
      // 256 cache tokens = 4 blocks: the first request reserves them all, the second must wait.
      await e.load(model, { max_seq: 256, cache_tokens: 256 });
      e.send({ op: 'generate', ...sampled('holder', someTokens(64, 5), [1], { max_tokens: 150 }) });
      e.send({ op: 'generate', ...sampled('waiter', someTokens(10, 6), [1, 2], { max_tokens: 20 }) });
      await e.waitFor((ev) => ev.id === 'holder' && ev.event === 'tokens');
      expect((await stats(e)).requests_queued).toBe(1);
      e.send({ op: 'cancel', id: 'waiter' });
      const waiter = await e.results('waiter', 2);
      for (const s of waiter) expect(s.done).toMatchObject({ finish: 'cancelled', completion_tokens: 0 });
      const [holder] = await e.results('holder', 1);
      expect(holder!.done!.finish).toBe('length');
    } finally {
      await e.close();
    }
  });

  it('stop tokens end a sequence with finish "stop" (the stop token is the last one emitted)', async () => {
    const prompt = someTokens(30, 8);
    const [free] = await eng.generate({ id: 'free', tokens: prompt, temperature: 0, max_tokens: 20 });
    const stop = free!.tokens[6]!;
    const first = free!.tokens.indexOf(stop);
    const [stopped] = await eng.generate({ id: 'stopped', tokens: prompt, temperature: 0, max_tokens: 20, stop_tokens: [999, stop] });
    expect(stopped!.done!.finish).toBe('stop');
    expect(stopped!.tokens).toEqual(free!.tokens.slice(0, first + 1));
  });

  it('max_tokens ends a sequence with finish "length"', async () => {
    const res: SeqResult[] = await eng.generate({ id: 'len', tokens: someTokens(9, 9), seeds: [1, 2], temperature: 1, max_tokens: 5 });
    for (const s of res) expect(s.done).toMatchObject({ finish: 'length', completion_tokens: 5, prompt_tokens: 9 });
  });

  it('top_logprobs lists the most likely tokens, best first, including the greedy pick', async () => {
    const [r] = await eng.generate({ id: 'top', tokens: someTokens(9, 10), temperature: 0, max_tokens: 3, top_logprobs: 4 });
    r!.topLogprobs.forEach((top, k) => {
      expect(top).toHaveLength(4);
      expect(top[0]![0]).toBe(r!.tokens[k]);
      expect(top[0]![1]).toBeCloseTo(r!.logprobs[k]!, 12);
      for (let i = 1; i < 4; i++) expect(top[i]![1]).toBeLessThanOrEqual(top[i - 1]![1]);
    });
  });

  it('EOF on stdin finishes the work in flight, then exits 0', async () => {
    const e = new EngineClient();
    await e.load(model, { max_seq: 128 });
    e.send({ op: 'generate', ...sampled('eof', someTokens(20, 11), [1, 2], { max_tokens: 30 }) });
    const exit = await e.close();
    expect(exit).toEqual({ code: 0, signal: null });
    const done = e.events.filter((ev) => ev.id === 'eof' && ev.event === 'done');
    expect(done.map((d) => d.finish)).toEqual(['length', 'length']);
  });

  it('shutdown cancels what is running, answers, and exits 0', async () => {
    const e = new EngineClient();
    await e.load(model, { max_seq: 512 });
    e.send({ op: 'generate', ...sampled('sd', someTokens(20, 12), [1], { max_tokens: 450 }) });
    await e.waitFor((ev) => ev.id === 'sd' && ev.event === 'tokens');
    e.send({ op: 'shutdown', id: 'bye' });
    const exit = await e.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(e.events.find((ev) => ev.id === 'sd' && ev.event === 'done')!.finish).toBe('cancelled');
    expect(e.events.at(-1)).toMatchObject({ id: 'bye', event: 'shutdown' });
  });
});

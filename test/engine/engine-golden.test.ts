/**
 * The engine against the independent float64 TypeScript reference (engine/reference) on the tiny FP8 V3.2 model
 * (spec §13 test sequences): logits at every position, indexer selections as sets, greedy continuations, the
 * serve path against the debug forward op, chunked vs one-shot prefill, naive vs absorbed MLA, and the reference
 * FP8 mode. Models are written at test time (engine/testmodel); nothing is committed.
 *
 * Tolerances (spec §12): without activation FP8 the spec expects ≈2–5e-2 relative; we require ≤ 3e-2 per
 * position and ≤ 1e-2 on average (measured: ≈7e-3 / 1.4e-2 worst, dominated by near-tie indexer selections).
 * With reference_fp8 the spec expects ≲1e-2; we require ≤ 3e-3 (measured ≈3e-4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReferenceModel, type RefModel } from '../../engine/reference/model.js';
import { EngineClient, argmax, forwardAll, logSoftmaxAt, compareLogits, compareSelected, someTokens, tempDir, tinyModel, top2Gap } from './engine-client.js';

const TOPK = 32; // spec §13 index_topk
const TOL_MAX = 3e-2;
const TOL_MEAN = 1e-2;
const TOL_REF_FP8 = 3e-3;

let tmp: ReturnType<typeof tempDir>;
let modelDir: string;
let ref: RefModel;
let eng: EngineClient;

beforeAll(async () => {
  tmp = tempDir();
  modelDir = await tinyModel(tmp.dir, 'fp8', { seed: 1 });
  ref = await loadReferenceModel(modelDir);
  eng = new EngineClient();
  await eng.load(modelDir, { max_seq: 512, max_batch: 4, prefill_chunk: 256 });
});

afterAll(async () => {
  await eng?.close();
  tmp?.cleanup();
});

/**
 * A prompt of `p` tokens, `g` greedy tokens from the engine's serve path, then the debug forward op over
 * prompt + the first g−1 generated tokens, chunked exactly as serving ran it (prefill, then one token per step).
 */
async function greedyRun(p: number, g: number, salt: number) {
  const prompt = someTokens(p, salt);
  const [gen] = await eng.generate({ id: `g${salt}`, tokens: prompt, seeds: [7], temperature: 0, max_tokens: g, logprobs: true });
  expect(gen!.tokens).toHaveLength(g);
  expect(gen!.done).toMatchObject({ finish: 'length', prompt_tokens: p, completion_tokens: g });
  const seq = [...prompt, ...gen!.tokens.slice(0, g - 1)];
  const fwd = await forwardAll(eng, seq, { chunks: [p, ...Array(g - 1).fill(1)] });
  const want = ref.forward(seq, { dsa: true });
  return { prompt, gen: gen!, seq, fwd, want };
}

describe('engine vs reference: tiny FP8 V3.2 model', () => {
  it('(a) prefill 24, greedy decode to 40 (crossing index_topk 32): logits, selections, continuation', async () => {
    const { gen, seq, fwd, want } = await greedyRun(24, 16, 1);
    const cmp = compareLogits(fwd.logits, want.logits);
    expect(cmp.maxRel).toBeLessThan(TOL_MAX);
    expect(cmp.meanRel).toBeLessThan(TOL_MEAN);
    expect(cmp.argmaxMismatch).toEqual([]);
    expectGreedyMatches(gen.tokens.slice(0, 15), fwd.logits.slice(23), want.logits.slice(23));
    // The serve path and the forward op ran the same chunks: identical logits, so identical logprobs.
    gen.logprobs.slice(0, 15).forEach((lp, k) => expect(Math.abs(lp - logSoftmaxAt(fwd.logits[23 + k]!, gen.tokens[k]!))).toBeLessThan(1e-9));
    const sel = compareSelected(fwd.selected, want.selected, TOPK);
    expect(sel.sizesOk).toBe(true);
    expect(sel.sets).toBe(4 * seq.length);
    expect(sel.recall).toBeGreaterThanOrEqual(0.99);
    // Positions with t+1 ≤ 32 attend densely: the selection is every key 0..t.
    for (const layer of fwd.selected) for (let t = 0; t < 32; t++) expect(layer[t]).toEqual(Array.from({ length: t + 1 }, (_, s) => s));
  });

  let bRun: Awaited<ReturnType<typeof greedyRun>>;
  it('(b) prefill 96 (sparse for t ≥ 32), then 32 greedy decode steps', async () => {
    bRun = await greedyRun(96, 32, 2);
    const { gen, fwd, want } = bRun;
    const cmp = compareLogits(fwd.logits, want.logits);
    expect(cmp.maxRel).toBeLessThan(TOL_MAX);
    expect(cmp.meanRel).toBeLessThan(TOL_MEAN);
    expect(cmp.argmaxMismatch).toEqual([]);
    expectGreedyMatches(gen.tokens.slice(0, 31), fwd.logits.slice(95), want.logits.slice(95));
    const sel = compareSelected(fwd.selected, want.selected, TOPK);
    expect(sel.sizesOk).toBe(true);
    expect(sel.recall).toBeGreaterThanOrEqual(0.99);
    expect(sel.minRecall).toBeGreaterThanOrEqual(0.9);
  });

  it('(d) chunked prefill 64+32 matches one-shot prefill of 96 (bit-identical per MLA formulation) and the reference', async () => {
    const seq = bRun.seq.slice(0, 96);
    // With the MLA formulation fixed, every row is computed the same way whatever the chunking.
    for (const mla of ['naive', 'absorbed']) {
      const whole = await forwardAll(eng, seq, { mla });
      const chunked = await forwardAll(eng, seq, { mla, chunks: [64, 32] });
      expect(chunked.logits).toEqual(whole.logits);
      expect(chunked.selected).toEqual(whole.selected);
    }
    // Auto picks the formulation per chunk by cost, so chunked and one-shot may differ by formulation noise.
    const whole = await forwardAll(eng, seq);
    const chunked = await forwardAll(eng, seq, { chunks: [64, 32] });
    const cmp = compareLogits(chunked.logits, whole.logits);
    expect(cmp.maxRel).toBeLessThan(TOL_MAX);
    expect(cmp.argmaxMismatch).toEqual([]);
    expect(compareSelected(chunked.selected, whole.selected, TOPK).recall).toBeGreaterThanOrEqual(0.98);
    // The reference is causal, so the first 96 rows of (b)'s reference forward are the 96-token answer.
    const vsRef = compareLogits(chunked.logits, bRun.want.logits.slice(0, 96));
    expect(vsRef.maxRel).toBeLessThan(TOL_MAX);
    expect(vsRef.meanRel).toBeLessThan(TOL_MEAN);
  });

  it('naive (MHA) and absorbed (MQA) MLA agree with each other and the reference', async () => {
    // The two differ only in where bf16 rounding happens (naive rounds the decompressed k_nope and v);
    // on this random model that alone moves logits by ~1e-2.
    const seq = bRun.seq.slice(0, 80);
    const naive = await forwardAll(eng, seq, { mla: 'naive' });
    const absorbed = await forwardAll(eng, seq, { mla: 'absorbed' });
    const cmp = compareLogits(naive.logits, absorbed.logits);
    expect(cmp.maxRel).toBeLessThan(TOL_MAX);
    expect(cmp.argmaxMismatch).toEqual([]);
    expect(compareSelected(naive.selected, absorbed.selected, TOPK).recall).toBeGreaterThanOrEqual(0.98);
    for (const f of [naive, absorbed]) {
      const c = compareLogits(f.logits, bRun.want.logits.slice(0, 80));
      expect(c.maxRel).toBeLessThan(TOL_MAX);
      expect(c.meanRel).toBeLessThan(TOL_MEAN);
    }
  });

  it('(c) a batch of two sequences is bit-identical to each run alone', async () => {
    const a = someTokens(40, 31);
    const b = someTokens(40, 32);
    const req = (id: string, tokens: number[]) => ({ id, tokens, seeds: [3], temperature: 0, max_tokens: 12, logprobs: true, top_logprobs: 3 });
    const aloneA = await eng.generate(req('ca', a));
    const aloneB = await eng.generate(req('cb', b));
    eng.send({ op: 'generate', ...req('ca2', a) });
    eng.send({ op: 'generate', ...req('cb2', b) });
    const [togetherA] = await eng.results('ca2', 1);
    const [togetherB] = await eng.results('cb2', 1);
    expect(togetherA!.tokens).toEqual(aloneA[0]!.tokens);
    expect(togetherB!.tokens).toEqual(aloneB[0]!.tokens);
    // Logprobs are printed with 17 digits: equal strings mean bit-identical logits.
    expect(togetherA!.logprobs).toEqual(aloneA[0]!.logprobs);
    expect(togetherB!.logprobs).toEqual(aloneB[0]!.logprobs);
    expect(togetherA!.topLogprobs).toEqual(aloneA[0]!.topLogprobs);
    // They really ran together: their token events interleave.
    const order = eng.events.filter((ev) => ev.event === 'tokens' && (ev.id === 'ca2' || ev.id === 'cb2')).map((ev) => ev.id);
    expect(order.indexOf('cb2')).toBeLessThan(order.lastIndexOf('ca2'));
  });
});

describe('engine invariance', () => {
  it('results do not depend on the thread count (threads split output columns, never the sum)', async () => {
    const e = new EngineClient();
    try {
      await e.load(modelDir, { threads: 2, max_seq: 512, max_batch: 4 });
      const seq = someTokens(72, 21);
      const two = await forwardAll(e, seq, { chunks: [64, 8] });
      const one = await forwardAll(eng, seq, { chunks: [64, 8] });
      expect(two.logits).toEqual(one.logits);
      expect(two.selected).toEqual(one.selected);
      const req = { id: 'thr', tokens: seq.slice(0, 40), seeds: [5, 6], temperature: 1, max_tokens: 10, logprobs: true };
      const a = await e.generate(req);
      const b = await eng.generate({ ...req, id: 'thr1' });
      expect(a.map((s) => s.logprobs)).toEqual(b.map((s) => s.logprobs));
    } finally {
      await e.close();
    }
  });
});

describe('engine vs reference: switches', () => {
  it('dsa: false matches a dense reference (and differs from DSA past index_topk)', async () => {
    const e = new EngineClient();
    try {
      await e.load(modelDir, { dsa: false, max_seq: 256 });
      const seq = someTokens(48, 5);
      const dense = await forwardAll(e, seq, { mla: 'naive' });
      const want = ref.forward(seq, { dsa: false });
      const cmp = compareLogits(dense.logits, want.logits);
      expect(cmp.maxRel).toBeLessThan(TOL_MAX);
      expect(cmp.meanRel).toBeLessThan(TOL_MEAN);
      expect(dense.selected.every((layer) => layer.every((s) => s.length === 0))).toBe(true);
      // Same engine model with DSA on: identical while t+1 ≤ 32, different afterwards.
      const sparse = await forwardAll(eng, seq, { mla: 'naive' });
      for (let t = 0; t < 32; t++) expect(sparse.logits[t]).toEqual(dense.logits[t]);
      expect(compareLogits(sparse.logits.slice(40), dense.logits.slice(40)).maxRel).toBeGreaterThan(1e-3);
    } finally {
      await e.close();
    }
  });

  it('reference_fp8 (act_quant before every FP8 linear) matches the reference FP8-activation mode tightly', async () => {
    const e = new EngineClient();
    try {
      await e.load(modelDir, { reference_fp8: true, max_seq: 256 });
      const seq = someTokens(64, 6);
      // The reference computes attention in the naive (MHA) formulation; so does this run.
      const got = await forwardAll(e, seq, { mla: 'naive' });
      const want = ref.forward(seq, { dsa: true, fp8Activations: true });
      const cmp = compareLogits(got.logits, want.logits);
      expect(cmp.maxRel).toBeLessThan(TOL_REF_FP8);
      expect(cmp.argmaxMismatch).toEqual([]);
      expect(compareSelected(got.selected, want.selected, TOPK).recall).toBeGreaterThanOrEqual(0.999);
    } finally {
      await e.close();
    }
  });
});

/**
 * Each greedy token is the engine's argmax and the reference's argmax — except where the reference's top two are
 * closer than twice the engine–reference difference at that position (a near tie the tolerance cannot decide).
 * At least three quarters of the steps must be decided.
 */
function expectGreedyMatches(tokens: number[], engineLogits: number[][], refLogits: ArrayLike<number>[]): void {
  let decided = 0;
  tokens.forEach((tok, k) => {
    expect(tok, `step ${k}: engine greedy token vs engine logits`).toBe(argmax(engineLogits[k]!));
    let maxAbs = 0;
    for (let v = 0; v < engineLogits[k]!.length; v++) maxAbs = Math.max(maxAbs, Math.abs(engineLogits[k]![v]! - refLogits[k]![v]!));
    if (top2Gap(refLogits[k]!) <= 2 * maxAbs) return;
    decided++;
    expect(tok, `step ${k}: engine greedy token vs reference argmax`).toBe(argmax(refLogits[k]!));
  });
  expect(decided).toBeGreaterThanOrEqual(Math.ceil(tokens.length * 0.75));
}

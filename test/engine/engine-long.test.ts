/**
 * A long prompt through the engine's long-context paths, against the float64 TypeScript reference: 2,048 tokens,
 * 64× index_topk (32), prefilled in chunks of 256 as serving does. That exercises, beyond the short goldens: the
 * indexer's key tiles and its query-block split, the top-k filter (n ≥ 8k), absorbed attention over a long cache,
 * the naive (MHA) row × key tiles for dense rows, decode over a long cache (DSA, and dense with the key-split
 * absorbed path), the register-blocked GEMM, and the serve path (chunked prefill, then decode) — checked against
 * the reference at every position, and bit-identical between chunkings where the README promises it.
 *
 * The reference is O(L) in its float64 linear layers and O(L²) in its indexer: the model here is the spec §13 tiny
 * configuration with 2 layers instead of 4 (layer 0 dense, layer 1 MoE, so every kind of layer is still covered),
 * which halves the reference's time (≈30 s for the DSA pass, ≈20 s dense). Tolerances as in engine-golden and spec
 * §12 (measured 2026-11-29: DSA max/mean relative L2 1.3e-2 / 3.7e-3, selection recall 0.992 with the worst set
 * 0.91 — FP8 near-ties; dense 1.8e-3 / 3.1e-4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReferenceModel, type RefModel, type RefSession } from '../../engine/reference/model.js';
import { EngineClient, argmax, forwardAll, logSoftmaxAt, compareLogits, compareSelected, someTokens, tempDir, tinyModel, top2Gap } from './engine-client.js';

const L = 2048;
const CHUNK = 256;
const TOPK = 32;
const TOL_MAX = 3e-2;
const TOL_MEAN = 1e-2;
const GEN = 6;

let tmp: ReturnType<typeof tempDir>;
let modelDir: string;
let ref: RefModel;
const prompt = someTokens(L, 77);
/** The float64 reference over 2,048 tokens takes ~30 s here and minutes on a loaded CI machine: generous timeouts. */
const LONG_TEST_MS = 600_000;
const forward = (e: EngineClient, tokens: number[], extra: Record<string, unknown> = {}) => forwardAll(e, tokens, extra, 300_000);
const chunks = (n: number, c: number) => Array.from({ length: Math.ceil(n / c) }, (_, i) => Math.min(c, n - i * c));

/**
 * Greedy decode through the serve path after the long prompt: the first token's logprob equals the forward op's
 * last-position logits (same chunks, so bit-identical), and every token is the reference's argmax at that position
 * unless the reference's top two are closer than the engine–reference difference there.
 */
async function greedyVsReference(e: EngineClient, session: RefSession, lastRow: Float64Array, id: string) {
  const [gen] = await e.generate({ id, tokens: prompt, seeds: [1], temperature: 0, max_tokens: GEN, logprobs: true }, 300_000);
  expect(gen!.tokens).toHaveLength(GEN);
  const rows = [lastRow];
  for (const tok of gen!.tokens.slice(0, -1)) rows.push(session.feed([tok]).logits[0]!);
  const fwd = await forward(e, [...prompt, ...gen!.tokens.slice(0, -1)], { chunks: [...chunks(L, CHUNK), ...Array(GEN - 1).fill(1)], return_selected: false });
  const engineRows = fwd.logits.slice(L - 1);
  expect(Math.abs(gen!.logprobs[0]! - logSoftmaxAt(engineRows[0]!, gen!.tokens[0]!))).toBeLessThan(1e-9);
  const cmp = compareLogits(engineRows, rows);
  expect(cmp.maxRel).toBeLessThan(TOL_MAX);
  gen!.tokens.forEach((tok, k) => {
    expect(tok, `step ${k}: greedy token vs the engine's own logits`).toBe(argmax(engineRows[k]!));
    let maxAbs = 0;
    for (let v = 0; v < engineRows[k]!.length; v++) maxAbs = Math.max(maxAbs, Math.abs(engineRows[k]![v]! - rows[k]![v]!));
    if (top2Gap(rows[k]!) > 2 * maxAbs) expect(tok, `step ${k}: greedy token vs the reference's argmax`).toBe(argmax(rows[k]!));
  });
}

beforeAll(async () => {
  tmp = tempDir();
  modelDir = await tinyModel(tmp.dir, 'tiny2', { seed: 9, config: { num_hidden_layers: 2 } });
  ref = await loadReferenceModel(modelDir);
});

afterAll(() => tmp?.cleanup());

describe(`engine vs reference: a ${L}-token prompt (64× index_topk)`, () => {
  it('DSA: logits at every position and indexer selections match the reference; chunkings agree bit for bit; decode continues it', async () => {
    const e = new EngineClient();
    try {
      await e.load(modelDir, { threads: 2, max_seq: 4096, max_batch: 4, prefill_chunk: CHUNK });
      const got = await forward(e, prompt, { chunks: chunks(L, CHUNK) });
      const session = ref.session({ dsa: true });
      const want = session.feed(prompt);
      const cmp = compareLogits(got.logits, want.logits);
      expect(cmp.maxRel).toBeLessThan(TOL_MAX);
      expect(cmp.meanRel).toBeLessThan(TOL_MEAN);
      expect(cmp.argmaxMismatch).toEqual([]);
      const sel = compareSelected(got.selected, want.selected, TOPK);
      expect(sel.sizesOk).toBe(true);
      expect(sel.sets).toBe(2 * L);
      expect(sel.recall).toBeGreaterThanOrEqual(0.99);

      // With the MLA formulation fixed, how the prompt is cut never changes a result: one chunk of 2,048 (the
      // indexer then splits its 2,016 scored rows into blocks) vs 256-token chunks vs uneven ones.
      const oneShot = await forward(e, prompt, { mla: 'absorbed' });
      const chunked = await forward(e, prompt, { mla: 'absorbed', chunks: chunks(L, CHUNK) });
      const uneven = await forward(e, prompt, { mla: 'absorbed', chunks: [1000, 37, 500, 511] });
      expect(chunked.logits).toEqual(oneShot.logits);
      expect(chunked.selected).toEqual(oneShot.selected);
      expect(uneven.logits).toEqual(oneShot.logits);

      await greedyVsReference(e, session, want.logits.at(-1)!, 'g-dsa');
    } finally {
      await e.close();
    }
  }, LONG_TEST_MS);

  it('dense (dsa: false): logits at every position match a dense reference; decode continues it', async () => {
    const e = new EngineClient();
    try {
      await e.load(modelDir, { threads: 2, dsa: false, max_seq: 4096, max_batch: 4, prefill_chunk: CHUNK });
      const got = await forward(e, prompt, { chunks: chunks(L, CHUNK), return_selected: false });
      const session = ref.session({ dsa: false });
      const want = session.feed(prompt);
      const cmp = compareLogits(got.logits, want.logits);
      expect(cmp.maxRel).toBeLessThan(TOL_MAX);
      expect(cmp.meanRel).toBeLessThan(TOL_MEAN);
      expect(cmp.argmaxMismatch).toEqual([]);
      // The naive formulation's row × key tiles, whatever the chunking.
      const naive = await forward(e, prompt, { mla: 'naive', chunks: [700, 1348], return_selected: false });
      const naiveChunked = await forward(e, prompt, { mla: 'naive', chunks: chunks(L, CHUNK), return_selected: false });
      expect(naiveChunked.logits).toEqual(naive.logits);
      await greedyVsReference(e, session, want.logits.at(-1)!, 'g-dense');
    } finally {
      await e.close();
    }
  }, LONG_TEST_MS);
});

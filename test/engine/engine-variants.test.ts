/**
 * The engine against the TypeScript reference on the other checkpoint variants: BF16 weights, the V3
 * architecture (no indexer: dense attention), and a sharded checkpoint (model.safetensors.index.json), which must
 * give exactly the logits of the single-file one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReferenceModel } from '../../engine/reference/model.js';
import { EngineClient, compareLogits, compareSelected, someTokens, tempDir, tinyModel } from './engine-client.js';

const TOL_MAX = 3e-2;
const TOL_MEAN = 1e-2;

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp?.cleanup());

async function engineForward(modelDir: string, tokens: number[], extra: Record<string, unknown> = {}, load: Record<string, unknown> = {}) {
  const e = new EngineClient();
  try {
    const loaded = await e.load(modelDir, { max_seq: 256, ...load });
    const r = await e.call({ op: 'forward', id: 'f', tokens, return_logits: 'all', return_selected: true, ...extra });
    expect(r.event, String(r.message)).toBe('forward');
    return {
      loaded,
      logits: (r.logits as number[][]).map((row) => row.map((v) => Math.fround(v))),
      selected: r.selected as number[][][],
    };
  } finally {
    expect((await e.close()).code).toBe(0);
  }
}

describe('engine vs reference: checkpoint variants', () => {
  it('BF16 weights (no activation FP8 anywhere; latent and indexer FP8 still ue8m0)', async () => {
    const dir = await tinyModel(tmp.dir, 'bf16', { dtype: 'bf16', seed: 3 });
    const ref = await loadReferenceModel(dir);
    const seq = someTokens(48, 11);
    const got = await engineForward(dir, seq);
    const want = ref.forward(seq, { dsa: true });
    const cmp = compareLogits(got.logits, want.logits);
    expect(cmp.maxRel).toBeLessThan(TOL_MAX);
    expect(cmp.meanRel).toBeLessThan(TOL_MEAN);
    expect(cmp.argmaxMismatch).toEqual([]);
    expect(compareSelected(got.selected, want.selected, 32).recall).toBeGreaterThanOrEqual(0.99);
    // reference_fp8 changes nothing on a model without FP8 weights.
    const again = await engineForward(dir, seq, {}, { reference_fp8: true });
    expect(again.logits).toEqual(got.logits);
  });

  it('V3 architecture (no indexer): dense attention, no selections, matches the reference', async () => {
    const dir = await tinyModel(tmp.dir, 'v3', { arch: 'v3', seed: 4 });
    const ref = await loadReferenceModel(dir);
    const seq = someTokens(48, 12);
    const got = await engineForward(dir, seq);
    expect((got.loaded.model as { architecture: string }).architecture).toBe('DeepseekV3ForCausalLM');
    const want = ref.forward(seq);
    const cmp = compareLogits(got.logits, want.logits);
    expect(cmp.maxRel).toBeLessThan(TOL_MAX);
    expect(cmp.meanRel).toBeLessThan(TOL_MEAN);
    expect(cmp.argmaxMismatch).toEqual([]);
    expect(got.selected.every((layer) => layer.every((s) => s.length === 0))).toBe(true);
  });

  it('a sharded checkpoint gives exactly the logits of the single-file one', async () => {
    const single = await tinyModel(tmp.dir, 'single', { seed: 5 });
    const sharded = await tinyModel(tmp.dir, 'sharded', { seed: 5, shards: 3 });
    const seq = someTokens(20, 13);
    const a = await engineForward(single, seq);
    const b = await engineForward(sharded, seq);
    expect(b.logits).toEqual(a.logits);
  });
});

/**
 * Benchmark of the test-model generator and the float64 reference forward pass (tiny config, spec §13).
 * Run: `npm run build && node scripts/bench/reference.mjs` (or `npm run bench -- reference`).
 *
 * Baseline, measured in the same run: the reference's own `linear()` on one 2048×512 projection (the indexer's
 * wq_b) over 96 rows, as multiply-adds per second. Each forward is reported as time and as its share of that
 * rate ("efficiency" = MACs in its projections / (time · baseline MAC rate)).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyModel } from '../testmodel/generate.js';
import { loadReferenceModel, type ForwardOptions, type RefModel } from './model.js';
import { linear } from './ops.js';
import type { ModelConfig } from './config.js';

const REPS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void, reps = REPS): number {
  fn(); // warm-up (JIT)
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** Multiply-adds in the projections of a T-token forward (attention scores and indexer scores excluded). */
function projectionMacs(c: ModelConfig, T: number, scoredQueries: number): number {
  const attn = c.dim * c.qLoraRank + c.qLoraRank * c.nHeads * c.qkHeadDim + c.dim * (c.kvLoraRank + c.qkRopeHeadDim) + c.kvLoraRank * c.nHeads * (c.qkNopeHeadDim + c.vHeadDim) + c.nHeads * c.vHeadDim * c.dim;
  const idxKeys = c.arch === 'v32' ? c.dim * c.indexHeadDim : 0;
  const idxQuery = c.arch === 'v32' ? c.qLoraRank * c.indexNHeads * c.indexHeadDim + c.dim * c.indexNHeads : 0;
  const dense = 3 * c.dim * c.interDim;
  const moe = c.dim * c.nRoutedExperts + 3 * c.dim * c.moeInterDim * (c.nActivatedExperts + c.nSharedExperts);
  let total = 0;
  for (let l = 0; l < c.nLayers; l++) total += T * (attn + idxKeys + (l < c.nDenseLayers ? dense : moe)) + scoredQueries * idxQuery;
  return total + T * c.dim * c.vocabSize;
}

export async function runReferenceBench(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'dseval-refbench-'));
  try {
    const dir = join(root, 'fp8');
    const gen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await writeTinyModel(join(root, `gen${i}`));
      gen.push(performance.now() - t0);
    }
    await writeTinyModel(dir);
    const loads: number[] = [];
    let model: RefModel | null = null;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      model = await loadReferenceModel(dir);
      loads.push(performance.now() - t0);
    }
    const m = model!;
    const c = m.config;

    const W = m.weights.layers[0]!.indexer!.wqB;
    const rows = Array.from({ length: 96 }, (_, t) => Float64Array.from({ length: W.cols }, (_, k) => Math.sin(t * 131 + k)));
    const baseMs = time(() => linear(rows, W, { fp8Activations: false, scaleFmt: 'ue8m0' }));
    const baseRate = (96 * W.rows * W.cols) / (baseMs / 1000);

    console.log(`reference bench (tiny config, 12.6 M params; median of ${REPS})`);
    console.log(`  writeTinyModel (fp8, single file)     ${median(gen).toFixed(0)} ms`);
    console.log(`  loadReferenceModel                    ${median(loads).toFixed(0)} ms`);
    console.log(`  baseline linear 96×2048×512           ${baseMs.toFixed(1)} ms = ${(baseRate / 1e9).toFixed(2)} GMAC/s`);

    const tokens = Array.from({ length: 96 }, (_, i) => 3 + ((i * 389 + 11) % 1000));
    const cases: [string, ForwardOptions, number][] = [
      ['forward 96 tokens, DSA on (default)', {}, 96 - c.indexTopk],
      ['forward 96 tokens, DSA off', { dsa: false }, 0],
      ['forward 96 tokens, DSA on, FP8 activations', { fp8Activations: true }, 96 - c.indexTopk],
    ];
    let dsaOnMs = 0;
    for (const [name, opts, scored] of cases) {
      const ms = time(() => m.forward(tokens, opts));
      if (!dsaOnMs) dsaOnMs = ms;
      const eff = projectionMacs(c, 96, scored) / (ms / 1000) / baseRate;
      console.log(`  ${name.padEnd(44)} ${ms.toFixed(0)} ms  (×${(ms / dsaOnMs).toFixed(2)} of DSA on; ${(eff * 100).toFixed(0)}% of baseline MAC rate)`);
    }
    const greedyMs = time(() => m.greedy(tokens.slice(0, 24), 16), 3);
    console.log(`  greedy: prefill 24 + 16 decode steps                 ${greedyMs.toFixed(0)} ms  (${(greedyMs / 16).toFixed(1)} ms/step incl. prefill share)`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

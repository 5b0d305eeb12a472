/**
 * Unit goldens of the engine's numeric building blocks (spec §12.1), run inside the real binary
 * (`dseval-engine selftest`), plus an independent cross-check in TypeScript of the raw values the binary dumps.
 */
import { describe, expect, it } from 'vitest';
import { runEngine } from './engine-client.js';

// Every check the selftest must report, with the spec section it covers.
const EXPECTED_CHECKS = [
  'yarn_frequency_table', // §2.7 golden f'_i
  'mla_softmax_scale', // §1.2
  'rope_cos_sin', // §2.7 step 4, t ∈ {0,1,4095,4096,100000}
  'rope_interleaved_vs_complex', // §2.7 MLA layout
  'rope_half_split_vs_complex', // §2.7 indexer layout
  'hadamard_sylvester_entries', // §2.8
  'hadamard_involution', // H·H = 128·I
  'fp8_decode_256_codes', // §2.1
  'fp8_encode_roundtrip',
  'fp8_encode_round_nearest_even',
  'fp8_encode_saturation',
  'fp8_vector_decode',
  'act_quant_ue8m0_examples', // §2.3
  'ue8m0_ceil',
  'block_dequant_edge_blocks', // §2.2, 576-row case
  'linear_batch_invariant',
  'linear_vs_fp64',
  'router_group_top2_sum', // §6.2
  'router_bias_selection_only',
  'router_routed_scaling',
  'router_only_kept_groups',
  'topk_select', // §5.2 step 10
  'philox4x32_10_known_answers',
  'sampler',
  'thread_pool_fork_join',
  // Blocked / vectorised kernels of the long-context paths, bit-identical to their per-row statements.
  'gemm_rows_bit_identical',
  'index_score_fixed_order', // §5.2 step 8
  'round_bf16_vector',
  'act_quant_hadamard_vector', // §2.3, §2.8
];

describe('engine selftest (unit goldens inside the binary)', () => {
  const r = runEngine(['selftest']);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { check?: string; ok?: boolean; detail?: string; selftest?: string; failed?: number });
  const checks = new Map(lines.filter((l) => l.check).map((l) => [l.check!, l]));

  it('exits 0 and reports no failures', () => {
    expect(r.signal).toBeNull();
    expect(lines.at(-1)).toMatchObject({ selftest: 'done', failed: 0 });
    expect(r.code).toBe(0);
  });

  it.each(EXPECTED_CHECKS)('%s passes', (name) => {
    const c = checks.get(name);
    expect(c, `check ${name} missing from the selftest output`).toBeDefined();
    expect(c!.ok, c!.detail).toBe(true);
  });
});

// Spec §2.7 golden f'_i (fp64), i = 0..31.
const YARN_GOLDEN = [
  1.0, 7.498942093e-1, 5.623413252e-1, 4.216965034e-1, 3.16227766e-1, 2.371373706e-1, 1.77827941e-1, 1.333521432e-1, 1.0e-1, 7.498942093e-2,
  5.623413252e-2, 3.900692657e-2, 2.687936011e-2, 1.837814622e-2, 1.244795587e-2, 8.334508951e-3, 5.5e-3, 3.561997494e-3, 2.249365301e-3,
  1.370513636e-3, 7.90569415e-4, 4.149903985e-4, 1.77827941e-4, 3.33380358e-5, 2.5e-5, 1.874735523e-5, 1.405853313e-5, 1.054241259e-5,
  7.90569415e-6, 5.928434264e-6, 4.445698525e-6, 3.33380358e-6,
];

/** FP8 E4M3 value of a code, from the format definition (spec §2.1). */
function e4m3(code: number): number {
  const s = code & 0x80 ? -1 : 1;
  const e = (code >> 3) & 15;
  const m = code & 7;
  if (e === 15 && m === 7) return NaN;
  return e === 0 ? s * 2 ** -6 * (m / 8) : s * 2 ** (e - 7) * (1 + m / 8);
}

/** Nearest-even FP8 encoding by exhaustive search over the codes (independent of the engine's bit tricks). */
function encodeBySearch(x: number): number {
  const v = Math.max(-448, Math.min(448, x));
  let best = -1;
  let bestErr = Infinity;
  for (let c = 0; c < 256; c++) {
    const d = e4m3(c);
    if (Number.isNaN(d) || (c === 0x80 && !Object.is(v, -0) && v >= 0)) continue;
    if (Math.sign(d) !== 0 && Math.sign(d) !== Math.sign(v) && v !== 0) continue;
    const err = Math.abs(d - v);
    if (err < bestErr || (err === bestErr && (c & 1) === 0 && (best & 1) === 1)) {
      best = c;
      bestErr = err;
    }
  }
  return best;
}

describe('engine numerics dump, checked independently in TypeScript', () => {
  const r = runEngine(['selftest', '--dump']);
  // Floats are printed with 9 significant digits, which reads back to the same fp32 value via Math.fround.
  const dump = JSON.parse(r.stdout, (_k, v) => (typeof v === 'number' ? Math.fround(v) : v)) as {
    yarn_freqs: number[];
    cos_sin: Record<string, { cos: number[]; sin: number[] }>;
    fp8_decode: (number | null)[];
    fp8_encode_probes: [number, number][];
  };

  it('YaRN frequencies are the fp32 values of the spec table', () => {
    expect(dump.yarn_freqs).toHaveLength(32);
    dump.yarn_freqs.forEach((f, i) => expect(Math.abs(f - YARN_GOLDEN[i]!) / YARN_GOLDEN[i]!).toBeLessThanOrEqual(2 ** -24 + 1e-9));
    // Dims 0..10 keep θ^(−2i/64); dims ≥ 23 are divided by 40 (spec §2.7 step 3).
    for (let i = 0; i <= 10; i++) expect(dump.yarn_freqs[i]).toBe(Math.fround(10000 ** (-2 * i / 64)));
    for (let i = 23; i < 32; i++) expect(dump.yarn_freqs[i]).toBe(Math.fround(10000 ** (-2 * i / 64) / 40));
  });

  it('cos/sin at t ∈ {0,1,4095,4096,100000} are of the fp32 angle t·f′ (within 1 ulp)', () => {
    for (const t of [0, 1, 4095, 4096, 100000]) {
      const cs = dump.cos_sin[String(t)]!;
      for (let i = 0; i < 32; i++) {
        const phi = Math.fround(t * dump.yarn_freqs[i]!); // the fp32 product the reference forms
        const ulp = (v: number) => 2 ** (Math.floor(Math.log2(Math.max(Math.abs(v), 2 ** -126))) - 23);
        expect(Math.abs(cs.cos[i]! - Math.cos(phi))).toBeLessThanOrEqual(ulp(Math.cos(phi)));
        expect(Math.abs(cs.sin[i]! - Math.sin(phi))).toBeLessThanOrEqual(Math.max(ulp(Math.sin(phi)), 1e-45));
      }
    }
    // At t = 0 the rotation is the identity.
    expect(dump.cos_sin['0']!.cos.every((c) => c === 1)).toBe(true);
    expect(dump.cos_sin['0']!.sin.every((s) => s === 0)).toBe(true);
  });

  it('FP8 decode table matches the format definition on all 256 codes', () => {
    expect(dump.fp8_decode).toHaveLength(256);
    dump.fp8_decode.forEach((v, c) => {
      const want = e4m3(c);
      if (Number.isNaN(want)) expect(v).toBeNull();
      else expect(v).toBe(want);
    });
  });

  it('FP8 encoding rounds to nearest even and saturates, like an exhaustive search', () => {
    expect(dump.fp8_encode_probes.length).toBeGreaterThan(10);
    for (const [x, code] of dump.fp8_encode_probes) expect([x, code]).toEqual([x, encodeBySearch(x)]);
  });
});

// RoPE / YaRN goldens (spec §2.7, §12.1) and the two rotation layouts against a brute-force complex rotation.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../engine/reference/config.js';
import { toBf16 } from '../../engine/reference/numerics.js';
import { RopeTable, ropeFrequencies, ropeHalfSplit, ropeInterleaved, yarnRange, type RopeParams } from '../../engine/reference/rope.js';
import { tinyConfig } from '../../engine/testmodel/tiny-config.js';

const V32: RopeParams = { dim: 64, theta: 10000, yarn: { factor: 40, originalSeqLen: 4096, betaFast: 32, betaSlow: 1 } };

// Spec §2.7 golden f'_i (fp64 arithmetic, 10 significant digits).
const GOLDEN = [
  1.0, 7.498942093e-1, 5.623413252e-1, 4.216965034e-1, 3.16227766e-1, 2.371373706e-1, 1.77827941e-1, 1.333521432e-1,
  1.0e-1, 7.498942093e-2, 5.623413252e-2, 3.900692657e-2, 2.687936011e-2, 1.837814622e-2, 1.244795587e-2, 8.334508951e-3,
  5.5e-3, 3.561997494e-3, 2.249365301e-3, 1.370513636e-3, 7.90569415e-4, 4.149903985e-4, 1.77827941e-4, 3.33380358e-5,
  2.5e-5, 1.874735523e-5, 1.405853313e-5, 1.054241259e-5, 7.90569415e-6, 5.928434264e-6, 4.445698525e-6, 3.33380358e-6,
];

// cos/sin of fp32(t · f'_i) with the fp32 frequency pipeline of the reference, computed independently with
// Python's libm and struct-packed fp32 rounding: [t, i, cos, sin].
const ANGLES: [number, number, number, number][] = [
  [0, 0, 1, 0], [0, 31, 1, 0],
  [1, 0, 0.5403022766113281, 0.8414709568023682], [1, 5, 0.9720144271850586, 0.23492106795310974],
  [1, 10, 0.9984192848205566, 0.05620449408888817], [1, 16, 0.999984860420227, 0.0054999724961817265],
  [1, 23, 1.0, 3.333803761051968e-5], [1, 31, 1.0, 3.3338037610519677e-6],
  [4095, 0, -0.06597599387168884, -0.9978212118148804], [4095, 5, -0.9475278258323669, -0.3196732997894287],
  [4095, 10, -0.587768018245697, -0.8090295195579529], [4095, 16, -0.8621225953102112, -0.5066997408866882],
  [4095, 23, 0.9906957149505615, 0.13609559834003448], [4095, 31, 0.9999068379402161, 0.013651502318680286],
  [4096, 0, 0.8039906024932861, -0.5946419835090637], [4096, 5, -0.8459211587905884, -0.5333079695701599],
  [4096, 10, -0.5413724184036255, -0.840782880783081], [4096, 16, -0.8593223094940186, -0.5114344358444214],
  [4096, 23, 0.9906911849975586, 0.13612861931324005], [4096, 31, 0.9999067783355713, 0.013654835522174835],
  [100000, 0, -0.9993607997894287, 0.03574879840016365], [100000, 5, 0.5445206761360168, 0.8387474417686462],
  [100000, 10, 0.9992870092391968, -0.03775501251220703], [100000, 16, -0.9756026864051819, -0.21954362094402313],
  [100000, 23, -0.9815842509269714, -0.1910296380519867], [100000, 31, 0.9449415802955627, 0.32723915576934814],
];

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('YaRN frequency table', () => {
  it('has low = 10 and high = 23 for the V3.2 parameters', () => {
    expect(yarnRange({ ...V32, yarn: V32.yarn! })).toEqual({ low: 10, high: 23 });
  });

  it('matches the spec golden table in fp64 and within fp32 rounding in the reference fp32 pipeline', () => {
    const f64 = ropeFrequencies(V32, 'f64');
    const f32 = ropeFrequencies(V32, 'f32');
    GOLDEN.forEach((g, i) => {
      expect(Math.abs(f64[i]! - g) / g).toBeLessThan(6e-10);
      expect(Math.abs(f32[i]! - g) / g).toBeLessThan(3e-7);
      expect(Math.fround(f32[i]!)).toBe(f32[i]);
    });
  });

  it('gives the golden cos/sin at t ∈ {0, 1, 4095, 4096, 100000}', () => {
    const table = new RopeTable(V32);
    for (const [t, i, c, s] of ANGLES) {
      expect(Math.abs(table.at(t).cos[i]! - c)).toBeLessThan(1.5e-7);
      expect(Math.abs(table.at(t).sin[i]! - s)).toBeLessThan(1.5e-7);
    }
  });

  it('forms the angle as an fp32 product (visible at large t)', () => {
    const table = new RopeTable(V32);
    // fp32 ulp of angles near 1e4–1e5 rad is 1e-3–1e-2: somewhere the rounded angle moves cos visibly.
    let worst = 0;
    table.freqs.forEach((f, i) => (worst = Math.max(worst, Math.abs(table.at(100000).cos[i]! - Math.cos(100000 * f)))));
    expect(worst).toBeGreaterThan(5e-4);
  });

  it('applies YaRN to every position, also below original_max_position_embeddings', () => {
    const plain = ropeFrequencies({ dim: 64, theta: 10000, yarn: null }, 'f64');
    const yarn = ropeFrequencies(V32, 'f64');
    expect(yarn[31]! / plain[31]!).toBeCloseTo(1 / 40, 12);
    expect(yarn[0]).toBe(plain[0]);
    const t5 = new RopeTable(V32).at(5);
    expect(t5.cos[31]).toBe(Math.fround(Math.cos(Math.fround(5 * Math.fround(yarn[31]!)))));
  });

  it('derives the softmax scales of spec §1.2 and §13', () => {
    expect(parseConfig(tinyConfig('v32', 'fp8')).softmaxScale).toBeCloseTo(0.19125, 5);
    const big = tinyConfig('v32', 'fp8', { qk_nope_head_dim: 128, qk_rope_head_dim: 64 });
    expect(parseConfig(big).softmaxScale).toBeCloseTo(0.13523378, 7);
    const stress = parseConfig(tinyConfig('v32', 'fp8', { rope_scaling: { type: 'yarn', factor: 4, original_max_position_embeddings: 256, beta_fast: 32, beta_slow: 1, mscale: 1, mscale_all_dim: 1 } }));
    expect(stress.softmaxScale).toBeCloseTo(96 ** -0.5 * 1.29649, 4);
    expect(yarnRange({ dim: 64, theta: 10000, yarn: { factor: 4, originalSeqLen: 256, betaFast: 32, betaSlow: 1 } })).toEqual({ low: 0, high: 13 });
  });
});

describe('RoPE layouts against a brute-force complex rotation', () => {
  const table = new RopeTable(V32);
  const rnd = lcg(9);
  const x = Float64Array.from({ length: 64 }, () => toBf16(rnd() * 4 - 2));

  /** Rotate the complex number a + ib by angle index i at position t. */
  const rotate = (a: number, b: number, t: number, i: number): [number, number] => {
    const { cos, sin } = table.at(t);
    // (a + ib)(cos + i·sin)
    return [a * cos[i]! - b * sin[i]!, a * sin[i]! + b * cos[i]!];
  };

  for (const t of [0, 1, 7, 4095, 100000]) {
    it(`interleaved pairs (x[2i], x[2i+1]) at t = ${t} (MLA)`, () => {
      const y = Float64Array.from(x);
      ropeInterleaved(y, 0, 64, table.at(t));
      for (let i = 0; i < 32; i++) {
        const [re, im] = rotate(x[2 * i]!, x[2 * i + 1]!, t, i);
        expect(y[2 * i]).toBe(toBf16(re));
        expect(y[2 * i + 1]).toBe(toBf16(im));
      }
    });

    it(`half-split pairs (x[i], x[i+32]) at t = ${t} (indexer)`, () => {
      const y = Float64Array.from(x);
      ropeHalfSplit(y, 0, 64, table.at(t));
      for (let i = 0; i < 32; i++) {
        const [re, im] = rotate(x[i]!, x[i + 32]!, t, i);
        expect(y[i]).toBe(toBf16(re));
        expect(y[i + 32]).toBe(toBf16(im));
      }
    });
  }

  it('half-split equals interleaved on the de-interleaved vector, and the two layouts differ', () => {
    const t = 123;
    const half = Float64Array.from(x);
    ropeHalfSplit(half, 0, 64, table.at(t));
    const perm = new Float64Array(64);
    for (let i = 0; i < 32; i++) {
      perm[2 * i] = x[i]!;
      perm[2 * i + 1] = x[i + 32]!;
    }
    ropeInterleaved(perm, 0, 64, table.at(t));
    for (let i = 0; i < 32; i++) {
      expect(half[i]).toBe(perm[2 * i]);
      expect(half[i + 32]).toBe(perm[2 * i + 1]);
    }
    const inter = Float64Array.from(x);
    ropeInterleaved(inter, 0, 64, table.at(t));
    expect([...inter]).not.toEqual([...half]);
  });

  it('rotates in place at an offset, leaving the rest untouched', () => {
    const buf = new Float64Array(96).fill(0.5);
    buf.set(x, 32);
    ropeInterleaved(buf, 32, 64, table.at(3));
    expect([...buf.subarray(0, 32)].every((v) => v === 0.5)).toBe(true);
    const y = Float64Array.from(x);
    ropeInterleaved(y, 0, 64, table.at(3));
    expect([...buf.subarray(32)]).toEqual([...y]);
  });
});

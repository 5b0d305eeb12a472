// Unit goldens for the reference's number formats (spec §2.1–§2.3, §2.8, §12.1).
import { describe, expect, it } from 'vitest';
import {
  actQuant,
  blockDequantize,
  blockQuantize,
  decodeE4M3,
  dequantize,
  E4M3_TABLE,
  encodeE4M3,
  hadamardRotate,
  quantScale,
  scaleShape,
  toBf16,
  ue8m0Ceil,
  walshHadamard,
} from '../../engine/reference/numerics.js';

/** Independent E4M3 decoder, written from the bit fields (spec §2.1). */
function e4m3Value(code: number): number {
  const s = code >> 7 ? -1 : 1;
  const e = (code >> 3) & 15;
  const m = code & 7;
  if (e === 15 && m === 7) return NaN;
  return e === 0 ? s * m * 2 ** -9 : s * (8 + m) * 2 ** (e - 10);
}

/** Brute-force encoder: clamp to ±448, then the nearest finite code, ties to the even code (mantissa LSB 0). */
function bruteEncode(x: number): number {
  const neg = x < 0 || Object.is(x, -0);
  const v = Math.min(448, Math.abs(x));
  let best = 0;
  for (let c = 1; c < 0x7f; c++) {
    const dc = Math.abs(e4m3Value(c) - v);
    const db = Math.abs(e4m3Value(best) - v);
    if (dc < db || (dc === db && (c & 1) === 0)) best = c;
  }
  return best | (neg ? 0x80 : 0);
}

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('FP8 E4M3 codec', () => {
  it('decodes all 256 codes as the spec formula says', () => {
    let finite = 0;
    for (let c = 0; c < 256; c++) {
      const want = e4m3Value(c);
      if (Number.isNaN(want)) expect(decodeE4M3(c)).toBeNaN();
      else {
        expect(Object.is(decodeE4M3(c), want) || decodeE4M3(c) === want).toBe(true);
        finite++;
      }
    }
    expect(finite).toBe(254);
    expect(decodeE4M3(0x7e)).toBe(448);
    expect(decodeE4M3(0xfe)).toBe(-448);
    expect(decodeE4M3(0x08)).toBe(2 ** -6);
    expect(decodeE4M3(0x01)).toBe(2 ** -9);
    expect(decodeE4M3(0x07)).toBe(7 * 2 ** -9);
    expect(decodeE4M3(0x38)).toBe(1);
    expect(Object.is(decodeE4M3(0x80), -0)).toBe(true);
  });

  it('round-trips every finite code', () => {
    for (let c = 0; c < 256; c++) if (!Number.isNaN(E4M3_TABLE[c]!)) expect(encodeE4M3(E4M3_TABLE[c]!)).toBe(c);
  });

  it('rounds to nearest even at every midpoint, and just off it to the nearer code', () => {
    const positives = [...Array(127).keys()].filter((c) => !Number.isNaN(e4m3Value(c)));
    for (let i = 0; i + 1 < positives.length; i++) {
      const lo = positives[i]!;
      const hi = positives[i + 1]!;
      const mid = (e4m3Value(lo) + e4m3Value(hi)) / 2;
      const even = (lo & 1) === 0 ? lo : hi;
      expect(encodeE4M3(mid)).toBe(even);
      expect(encodeE4M3(-mid)).toBe(even | 0x80);
      // Not fp32-representable offsets exercise the float64 path; fp32 offsets the fast path.
      const tiny = mid * 1e-12;
      expect(encodeE4M3(mid + tiny)).toBe(hi);
      expect(encodeE4M3(mid - tiny)).toBe(lo);
      const ulp32 = mid * 2 ** -20;
      expect(encodeE4M3(Math.fround(mid + ulp32))).toBe(hi);
      expect(encodeE4M3(Math.fround(mid - ulp32))).toBe(lo);
    }
  });

  it('saturates at ±448 and maps NaN to 0x7F', () => {
    expect(encodeE4M3(448)).toBe(0x7e);
    expect(encodeE4M3(449)).toBe(0x7e);
    expect(encodeE4M3(464)).toBe(0x7e); // the midpoint to the NaN code's value 480
    expect(encodeE4M3(1e6)).toBe(0x7e);
    expect(encodeE4M3(Infinity)).toBe(0x7e);
    expect(encodeE4M3(-1e30)).toBe(0xfe);
    expect(encodeE4M3(NaN)).toBe(0x7f);
    expect(encodeE4M3(2 ** -10)).toBe(0); // half the smallest subnormal: ties to even (0)
    expect(encodeE4M3(3 * 2 ** -10)).toBe(2); // between codes 1 and 2: even wins
  });

  it('agrees with a brute-force nearest-even search on random values', () => {
    const rnd = lcg(7);
    const mismatches: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const mag = 2 ** (rnd() * 24 - 14);
      const x = (rnd() < 0.5 ? -1 : 1) * mag * (1 + rnd());
      if (encodeE4M3(x) !== bruteEncode(x)) mismatches.push(x);
      if (encodeE4M3(Math.fround(x)) !== bruteEncode(Math.fround(x))) mismatches.push(Math.fround(x));
    }
    expect(mismatches).toEqual([]);
  });
});

describe('bf16 rounding', () => {
  it('rounds to nearest even through fp32, as the reference does', () => {
    expect(toBf16(1 + 2 ** -8)).toBe(1); // tie → even
    expect(toBf16(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6); // tie → even (mantissa 2)
    expect(toBf16(1 + 2 ** -8 + 2 ** -12)).toBe(1 + 2 ** -7);
    // The fp64 value is first an fp32: 2^-30 is lost there, leaving an exact tie → 1.
    expect(toBf16(1 + 2 ** -8 + 2 ** -30)).toBe(1);
    expect(toBf16(-3.140625)).toBe(-3.140625);
    expect(toBf16(NaN)).toBeNaN();
    expect(toBf16(3.4e38)).toBe(Infinity);
  });
});

describe('act_quant (spec §2.3)', () => {
  const group = (amax: number) => {
    const x = new Float64Array(128);
    x[17] = amax;
    x[50] = -amax / 3;
    return x;
  };

  it('gives the ue8m0 scales of the spec examples', () => {
    expect(actQuant(group(1.0), 'ue8m0').scales[0]).toBe(2 ** -8);
    expect(actQuant(group(448), 'ue8m0').scales[0]).toBe(1);
    expect(actQuant(group(1000), 'ue8m0').scales[0]).toBe(4);
    expect(actQuant(group(0.3), 'ue8m0').scales[0]).toBe(2 ** -10);
    // The amax floor 1e-4: s = 2^ceil(log2(1e-4/448)).
    expect(actQuant(new Float64Array(128), 'ue8m0').scales[0]).toBe(2 ** -22);
  });

  it('quantises each 128-group on its own and reconstructs within FP8 precision', () => {
    const rnd = lcg(3);
    const x = Float64Array.from({ length: 512 }, (_, i) => toBf16((rnd() - 0.5) * 2 ** (i >> 7) * 3));
    const q = actQuant(x, 'ue8m0');
    expect(q.scales.length).toBe(4);
    const back = dequantize(q);
    for (let g = 0; g < 4; g++) {
      const s = q.scales[g]!;
      expect(Number.isInteger(Math.log2(s))).toBe(true);
      let amax = 0;
      for (let i = 0; i < 128; i++) amax = Math.max(amax, Math.abs(x[g * 128 + i]!));
      expect(amax / s).toBeLessThanOrEqual(448);
      expect(amax / s).toBeGreaterThan(224);
      for (let i = 0; i < 128; i++) {
        const v = x[g * 128 + i]!;
        expect(Math.abs(back[g * 128 + i]! - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -4, s * 2 ** -9));
        expect(back[g * 128 + i]).toBe(decodeE4M3(encodeE4M3(v / s)) * s);
      }
    }
  });

  it('uses amax/448 unrounded with the fp32 scale format', () => {
    expect(actQuant(group(1.0), 'fp32').scales[0]).toBe(Math.fround(1 * Math.fround(1 / 448)));
    expect(quantScale(3, 'fp32')).toBe(Math.fround(3 * Math.fround(1 / 448)));
  });

  it('computes ceil(log2) from the fp32 bits', () => {
    expect(ue8m0Ceil(2 ** -8)).toBe(2 ** -8);
    expect(ue8m0Ceil(Math.fround(2 ** -8 * (1 + 2 ** -23)))).toBe(2 ** -7);
    expect(ue8m0Ceil(0.75)).toBe(1);
  });

  it('rejects lengths that are not a multiple of the group', () => {
    expect(() => actQuant(new Float64Array(100), 'ue8m0')).toThrow(/multiple of the group size/);
  });
});

describe('128×128 block dequantisation (spec §2.2)', () => {
  it('maps each element to its block scale, including the 64-row edge block of a 576-row weight', () => {
    const rows = 576;
    const cols = 256;
    expect(scaleShape(rows, cols)).toEqual([5, 2]);
    const codes = new Uint8Array(rows * cols).fill(0x38); // 1.0
    const scales = Float64Array.from({ length: 10 }, (_, i) => 2 ** i);
    const w = blockDequantize(codes, rows, cols, scales);
    let wrong = 0;
    for (let n = 0; n < rows; n++) for (let k = 0; k < cols; k++) if (w[n * cols + k] !== 2 ** (Math.floor(n / 128) * 2 + Math.floor(k / 128))) wrong++;
    expect(wrong).toBe(0);
    expect(w[575 * cols + 255]).toBe(2 ** 9); // last element: edge row block 4, column block 1
  });

  it('quantises with per-block power-of-two scales from the real elements of edge blocks', () => {
    const rows = 576;
    const cols = 200; // edge blocks in both dimensions
    const rnd = lcg(11);
    const w = Float64Array.from({ length: rows * cols }, (_, i) => {
      const n = Math.floor(i / cols);
      const k = i % cols;
      const blockAmp = 0.01 * 2 ** (Math.floor(n / 128) + 3 * Math.floor(k / 128));
      return toBf16((rnd() * 2 - 1) * blockAmp);
    });
    const { codes, scales } = blockQuantize(w, rows, cols);
    expect(scales.length).toBe(5 * 2);
    for (let bi = 0; bi < 5; bi++) {
      for (let bj = 0; bj < 2; bj++) {
        let amax = 0;
        for (let n = bi * 128; n < Math.min(rows, bi * 128 + 128); n++) for (let k = bj * 128; k < Math.min(cols, bj * 128 + 128); k++) amax = Math.max(amax, Math.abs(w[n * cols + k]!));
        expect(scales[bi * 2 + bj]).toBe(2 ** Math.ceil(Math.log2(amax / 448)));
      }
    }
    const back = blockDequantize(codes, rows, cols, scales);
    let worst = 0;
    for (let i = 0; i < w.length; i++) {
      const s = scales[Math.floor(Math.floor(i / cols) / 128) * 2 + Math.floor((i % cols) / 128)]!;
      worst = Math.max(worst, Math.abs(back[i]! - w[i]!) / Math.max(Math.abs(w[i]!) * 2 ** -4, s * 2 ** -10));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('Hadamard rotation (spec §2.8)', () => {
  const H = Array.from({ length: 128 }, (_, j) => walshHadamard(Float64Array.from({ length: 128 }, (_, i) => (i === j ? 1 : 0))));

  it('is the Sylvester matrix and H·H = 128·I', () => {
    const popcount = (v: number) => v.toString(2).split('').filter((b) => b === '1').length;
    let wrong = 0;
    for (let i = 0; i < 128; i++) for (let j = 0; j < 128; j++) if (H[j]![i] !== (-1) ** popcount(i & j)) wrong++;
    expect(wrong).toBe(0);
    for (let i = 0; i < 128; i++) {
      for (let j = 0; j < 128; j++) {
        let s = 0;
        for (let k = 0; k < 128; k++) s += H[k]![i]! * H[j]![k]!;
        if (s !== (i === j ? 128 : 0)) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  it('scales by 1/√128, preserves dot products and rounds to bf16', () => {
    const rnd = lcg(5);
    const q = Float64Array.from({ length: 128 }, () => toBf16(rnd() - 0.5));
    const k = Float64Array.from({ length: 128 }, () => toBf16(rnd() - 0.5));
    const hq = walshHadamard(q);
    const hk = walshHadamard(k);
    let d0 = 0;
    let d1 = 0;
    for (let i = 0; i < 128; i++) {
      d0 += q[i]! * k[i]!;
      d1 += (hq[i]! * hk[i]!) / 128;
    }
    expect(d1).toBeCloseTo(d0, 12);
    const r = hadamardRotate(q);
    for (let i = 0; i < 128; i++) expect(r[i]).toBe(toBf16(hq[i]! / Math.sqrt(128)));
  });
});

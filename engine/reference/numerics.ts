/**
 * Number formats of the reference forward pass (spec §2.1–§2.3, §2.8): fp32 and bf16 rounding, the FP8 E4M3
 * codec, UE8M0 power-of-two scales, `act_quant`, 128×128 block (de)quantisation and the Hadamard rotation.
 *
 * Everything is computed in float64 and rounded to the format the DeepSeek reference stores at that point, so a
 * value here is "a bf16 number held in a double". Rounding helpers are exact emulations, not approximations.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Round a double to the nearest fp32 (round-to-nearest-even). */
export const toF32 = Math.fround;

/** The IEEE bit pattern of fp32(x). */
export function f32Bits(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** The fp32 value of a bit pattern. */
export function f32FromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0]!;
}

/**
 * Round to bf16 the way the reference does: the value is first an fp32 (the reference computes in fp32), then
 * fp32 → bf16 with round-to-nearest-even on the upper 16 bits. NaN stays NaN; overflow rounds to ±inf.
 */
export function toBf16(x: number): number {
  f32[0] = x;
  const u = u32[0]!;
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x007fffff) !== 0) return Number.NaN;
  u32[0] = ((u + 0x7fff + ((u >>> 16) & 1)) & 0xffff0000) >>> 0;
  return f32[0]!;
}

/** bf16 bit pattern (16 bits) of a value already representable in bf16 (or rounded to it). */
export function bf16Bits(x: number): number {
  return f32Bits(toBf16(x)) >>> 16;
}

/** Value of a 16-bit bf16 pattern. */
export function bf16FromBits(bits: number): number {
  return f32FromBits((bits & 0xffff) << 16);
}

/** Round every element of `x` to bf16 in place; returns `x`. */
export function roundBf16InPlace(x: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = toBf16(x[i]!);
  return x;
}

// ---------------------------------------------------------------------------------------------------------------
// FP8 E4M3 ("fn" variant: no infinities, S.1111.111 is NaN, max ±448)

export const FP8_MAX = 448;
const FP8_MIN_SUBNORMAL = 2 ** -9;

function decodeE4M3Formula(code: number): number {
  const sign = code & 0x80 ? -1 : 1;
  const e = (code >>> 3) & 0xf;
  const m = code & 0x7;
  if (e === 0xf && m === 0x7) return Number.NaN;
  if (e === 0) return sign * 2 ** -6 * (m / 8);
  return sign * 2 ** (e - 7) * (1 + m / 8);
}

/** Decoded value of every FP8 E4M3 code (index = byte). */
export const E4M3_TABLE: Float64Array = Float64Array.from({ length: 256 }, (_, c) => decodeE4M3Formula(c));

export function decodeE4M3(code: number): number {
  return E4M3_TABLE[code & 0xff]!;
}

/** Round-half-to-even of a non-negative double. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Encode a double to FP8 E4M3: clamp to ±448 first (saturating, as the reference's `act_quant` does), then round
 * to nearest even. NaN encodes as 0x7F. −0 keeps its sign bit.
 */
export function encodeE4M3(x: number): number {
  if (toF32(x) === x) return encodeE4M3F32(x);
  if (Number.isNaN(x)) return 0x7f;
  const sign = x < 0 || Object.is(x, -0) ? 0x80 : 0;
  let a = Math.abs(x);
  if (a > FP8_MAX) a = FP8_MAX;
  if (a < 2 ** -6) {
    // Subnormal range: steps of 2^-9. m = 8 lands exactly on the smallest normal (code 0x08), which is correct.
    return sign | roundHalfEven(a / FP8_MIN_SUBNORMAL);
  }
  let e = exponentOf(a); // a = 2^e · [1, 2)
  let m = roundHalfEven((a / 2 ** e - 1) * 8);
  if (m === 8) {
    m = 0;
    e += 1;
  }
  return sign | ((e + 7) << 3) | m;
}

/**
 * The same encoding for a value that is exactly an fp32 (the common case: bf16/fp32 activations and weights),
 * done on the fp32 bit pattern: keep 3 mantissa bits with round-to-nearest-even on the 20 dropped bits.
 */
function encodeE4M3F32(x: number): number {
  const bits = f32Bits(x);
  const sign = (bits >>> 24) & 0x80;
  const absBits = bits & 0x7fffffff;
  if (absBits >= 0x43e00000) return sign | 0x7e; // |x| ≥ 448 (incl. inf): saturate
  const e = (absBits >>> 23) - 127;
  if (e < -6) return sign | roundHalfEven(f32FromBits(absBits) / FP8_MIN_SUBNORMAL);
  const man = absBits & 0x7fffff;
  let m = man >>> 20;
  const rest = man & 0xfffff;
  if (rest > 0x80000 || (rest === 0x80000 && (m & 1) === 1)) m++;
  // m = 8 carries into the exponent; (e+7)<<3 | 8 equals (e+8)<<3 | 0, so plain addition does it.
  return sign | (((e + 7) << 3) + m);
}

/** floor(log2(a)) for a positive normal double, exact (read from the bit pattern, not Math.log2). */
const f64View = new DataView(new ArrayBuffer(8));
function exponentOf(a: number): number {
  f64View.setFloat64(0, a);
  return ((f64View.getUint16(0) >>> 4) & 0x7ff) - 1023;
}

/** The FP8 round trip of a value: decode(encode(x)). */
export function roundE4M3(x: number): number {
  return E4M3_TABLE[encodeE4M3(x)]!;
}

// ---------------------------------------------------------------------------------------------------------------
// Scales and act_quant (spec §2.3)

export type ScaleFormat = 'ue8m0' | 'fp32';

/** 1/448 as the reference kernel holds it (an fp32 constant). */
const INV_FP8_MAX_F32 = Math.fround(1 / FP8_MAX);
/** The amax floor of `act_quant` (1e-4 as fp32). */
const AMAX_FLOOR_F32 = Math.fround(1e-4);

/**
 * 2^ceil(log2(v)) for a positive fp32 value, computed like the reference kernel: exponent − 127, plus 1 when the
 * mantissa is non-zero, from the fp32 bit pattern.
 */
export function ue8m0Ceil(v: number): number {
  const bits = f32Bits(v);
  const exp = (bits >>> 23) & 0xff;
  const man = bits & 0x7fffff;
  return 2 ** (exp - 127 + (man !== 0 ? 1 : 0));
}

/** The quantisation scale for a group whose max |x| is `amax` (fp32 arithmetic, as the kernel does). */
export function quantScale(amax: number, fmt: ScaleFormat): number {
  const a = Math.max(toF32(amax), AMAX_FLOOR_F32);
  const s = toF32(a * INV_FP8_MAX_F32);
  return fmt === 'ue8m0' ? ue8m0Ceil(s) : s;
}

export interface Quantized {
  /** FP8 E4M3 codes, same length as the input. */
  codes: Uint8Array;
  /** One scale per group of `groupSize` elements (the dequantisation multiplier). */
  scales: Float64Array;
}

/**
 * `act_quant` (spec §2.3): groups of `groupSize` contiguous elements, amax ≥ 1e-4, s = amax/448 (rounded up to a
 * power of two for ue8m0), q = e4m3(clamp(x/s, ±448)). The length must be a multiple of the group size, as in the
 * reference kernel.
 */
export function actQuant(x: ArrayLike<number>, fmt: ScaleFormat, groupSize = 128): Quantized {
  if (x.length % groupSize !== 0) {
    throw new Error(`act_quant: length ${x.length} is not a multiple of the group size ${groupSize}`);
  }
  const groups = x.length / groupSize;
  const codes = new Uint8Array(x.length);
  const scales = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    const base = g * groupSize;
    let amax = 0;
    for (let i = 0; i < groupSize; i++) amax = Math.max(amax, Math.abs(x[base + i]!));
    const s = quantScale(amax, fmt);
    scales[g] = s;
    for (let i = 0; i < groupSize; i++) codes[base + i] = encodeE4M3(toF32(x[base + i]! / s));
  }
  return { codes, scales };
}

/** Dequantised values of `act_quant` output: fp32(code · scale). */
export function dequantize(q: Quantized, groupSize = 128): Float64Array {
  const out = new Float64Array(q.codes.length);
  for (let i = 0; i < out.length; i++) out[i] = toF32(E4M3_TABLE[q.codes[i]!]! * q.scales[Math.floor(i / groupSize)]!);
  return out;
}

/** The FP8 round trip of an activation row: dequant(act_quant(x)), rounded to bf16 as the reference stores it. */
export function fp8RoundTrip(x: ArrayLike<number>, fmt: ScaleFormat, groupSize = 128): Float64Array {
  return roundBf16InPlace(dequantize(actQuant(x, fmt, groupSize), groupSize));
}

// ---------------------------------------------------------------------------------------------------------------
// 128×128 block-quantised weights (spec §2.2, §7.5)

export const WEIGHT_BLOCK = 128;

/** Shape of the `weight_scale_inv` tensor of a [rows, cols] FP8 weight. */
export function scaleShape(rows: number, cols: number, block = WEIGHT_BLOCK): [number, number] {
  return [Math.ceil(rows / block), Math.ceil(cols / block)];
}

/**
 * Dequantise a block-quantised weight: W[n,k] = decode(code[n,k]) · S[n/128, k/128], as fp32. Edge blocks cover
 * the remaining `rows − 128·i` rows / columns.
 */
export function blockDequantize(
  codes: Uint8Array,
  rows: number,
  cols: number,
  scales: ArrayLike<number>,
  block = WEIGHT_BLOCK,
): Float32Array {
  const [, sCols] = scaleShape(rows, cols, block);
  const out = new Float32Array(rows * cols);
  for (let n = 0; n < rows; n++) {
    const sRow = Math.floor(n / block) * sCols;
    for (let k = 0; k < cols; k++) {
      out[n * cols + k] = E4M3_TABLE[codes[n * cols + k]!]! * scales[sRow + Math.floor(k / block)]!;
    }
  }
  return out;
}

/**
 * Block-quantise a [rows, cols] weight (spec §13): per 128×128 block (edge blocks use only their real elements,
 * which equals zero-padding), s = 2^ceil(log2(amax/448)), codes = e4m3(w/s). Returns the codes and the fp32
 * `weight_scale_inv` (= s, the dequantisation multiplier).
 */
export function blockQuantize(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  block = WEIGHT_BLOCK,
): { codes: Uint8Array; scales: Float32Array } {
  const [sRows, sCols] = scaleShape(rows, cols, block);
  const amax = new Float64Array(sRows * sCols);
  for (let n = 0; n < rows; n++) {
    const sRow = Math.floor(n / block) * sCols;
    for (let k = 0; k < cols; k++) {
      const a = Math.abs(w[n * cols + k]!);
      const b = sRow + Math.floor(k / block);
      if (a > amax[b]!) amax[b] = a;
    }
  }
  const scales = Float32Array.from(amax, (a) => quantScale(a, 'ue8m0'));
  const codes = new Uint8Array(rows * cols);
  for (let n = 0; n < rows; n++) {
    const sRow = Math.floor(n / block) * sCols;
    for (let k = 0; k < cols; k++) codes[n * cols + k] = encodeE4M3(w[n * cols + k]! / scales[sRow + Math.floor(k / block)]!);
  }
  return { codes, scales };
}

// ---------------------------------------------------------------------------------------------------------------
// Hadamard rotation (spec §2.8)

/**
 * y = bf16( H·x / √n ) with H the Sylvester-ordered ±1 Hadamard matrix (H[i][j] = (−1)^popcount(i&j)), computed by
 * the fast Walsh–Hadamard butterfly. `n` = x.length must be a power of two.
 */
export function hadamardRotate(x: ArrayLike<number>): Float64Array {
  const y = walshHadamard(x);
  const scale = 1 / Math.sqrt(y.length);
  for (let i = 0; i < y.length; i++) y[i] = toBf16(y[i]! * scale);
  return y;
}

/** Unnormalised Walsh–Hadamard transform H·x (no scaling, no rounding). */
export function walshHadamard(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  if (n === 0 || (n & (n - 1)) !== 0) throw new Error(`Hadamard: length ${n} is not a power of two`);
  const y = Float64Array.from(x);
  for (let h = 1; h < n; h *= 2) {
    for (let i = 0; i < n; i += 2 * h) {
      for (let j = i; j < i + h; j++) {
        const a = y[j]!;
        const b = y[j + h]!;
        y[j] = a + b;
        y[j + h] = a - b;
      }
    }
  }
  return y;
}

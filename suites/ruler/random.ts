/**
 * Seeded randomness for generated suites. Every item draws from its own stream, derived by hashing
 * (data seed, task, length, sample, purpose), so an item does not change when other items, lengths or
 * sample counts are added, and two runs with the same seed produce identical items on any machine.
 */

export { hashSeed } from '../../harness/random.js';
import { hashSeed } from '../../harness/random.js';

/** xoshiro128** seeded through splitmix32: fast, 128-bit state, good statistical quality. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A stream named by `parts` under a base seed: `Rng.derive(seed, 'niah_single_1', 4096, 0, 'keys')`. */
  static derive(...parts: Array<string | number>): Rng {
    return new Rng(hashSeed(...parts));
  }

  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 bits. */
  next(): number {
    return ((this.uint32() >>> 5) * 67108864 + (this.uint32() >>> 6)) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    if (!(n > 0)) throw new Error(`Rng.below: need n > 0, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /**
   * The index (before shuffling) of the element that `shuffle` of a `length`-element array would put
   * last, drawing exactly what shuffle draws first — so a fresh stream gives the same answer as shuffling.
   */
  lastOfShuffle(length: number): number {
    return length > 1 ? this.below(length) : 0;
  }

  /** `k` distinct indices of [0, n) in random order (partial Fisher–Yates, O(k) memory). */
  sample(n: number, k: number): number[] {
    if (k > n) throw new Error(`Rng.sample: cannot draw ${k} distinct values from ${n}`);
    const perm = new LazyPermutation(n, this);
    return Array.from({ length: k }, (_, i) => perm.at(i));
  }

  /** A random version-4 UUID (RFC 4122 layout), lower case. */
  uuid4(): string {
    const w = [this.uint32(), this.uint32(), this.uint32(), this.uint32()];
    w[1] = ((w[1] & 0xffff0fff) | 0x00004000) >>> 0; // version 4
    w[2] = ((w[2] & 0x3fffffff) | 0x80000000) >>> 0; // variant 10
    const hex = w.map((x) => x.toString(16).padStart(8, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * A random permutation of [0, n) produced one position at a time (sparse Fisher–Yates). Its first k values
 * are a uniform k-sample, and they do not depend on how many more are drawn later — so "the first m
 * distractors" is a prefix of "the first m' > m distractors", which lets haystack sizing search over m.
 */
export class LazyPermutation {
  private readonly swaps = new Map<number, number>();
  private readonly drawn: number[] = [];

  constructor(
    readonly n: number,
    private readonly rng: Rng,
  ) {}

  at(i: number): number {
    if (i >= this.n) throw new Error(`LazyPermutation: position ${i} outside [0, ${this.n})`);
    while (this.drawn.length <= i) {
      const k = this.drawn.length;
      const j = k + this.rng.below(this.n - k);
      const vj = this.swaps.get(j) ?? j;
      const vk = this.swaps.get(k) ?? k;
      this.swaps.set(j, vk);
      this.swaps.delete(k);
      this.drawn.push(vj);
    }
    return this.drawn[i];
  }
}

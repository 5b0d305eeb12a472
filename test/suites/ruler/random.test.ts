/** The seeded generator behind every generated item. */
import { describe, expect, it } from 'vitest';
import { hashSeed, LazyPermutation, Rng } from '../../../suites/ruler/random.js';

describe('Rng', () => {
  it('repeats a stream for the same seed and differs for another', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.uint32())(new Rng(42)));
    const b = Array.from({ length: 5 }, ((r) => () => r.uint32())(new Rng(42)));
    const c = Array.from({ length: 5 }, ((r) => () => r.uint32())(new Rng(43)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(Rng.derive(42, 'vt', 4096, 0, 'chains').uint32()).toBe(new Rng(hashSeed(42, 'vt', 4096, 0, 'chains')).uint32());
    expect(hashSeed(42, 'vt')).not.toBe(hashSeed(42, 'cwe'));
  });
  it('draws in range, uniformly enough', () => {
    const r = new Rng(7);
    const hist = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) hist[r.below(10)]++;
    for (const h of hist) expect(Math.abs(h - 10_000)).toBeLessThan(500);
    for (let i = 0; i < 1000; i++) {
      const x = r.int(1_000_000, 9_999_999);
      expect(x).toBeGreaterThanOrEqual(1_000_000);
      expect(x).toBeLessThanOrEqual(9_999_999);
      const f = r.next();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
  });
  it('makes RFC 4122 version-4 UUIDs', () => {
    const r = new Rng(1);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const u = r.uuid4();
      expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(u);
    }
    expect(seen.size).toBe(500);
  });
  it('samples distinct values, and a permutation prefix does not depend on how far it is drawn', () => {
    const s = new Rng(3).sample(50, 50);
    expect([...s].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const short = new LazyPermutation(1_000_000, new Rng(9));
    const long = new LazyPermutation(1_000_000, new Rng(9));
    const first = Array.from({ length: 10 }, (_, i) => short.at(i));
    long.at(500);
    expect(Array.from({ length: 10 }, (_, i) => long.at(i))).toEqual(first);
    expect(() => new Rng(1).sample(3, 4)).toThrow(/cannot draw 4/);
  });
  it("predicts the element a shuffle puts last from the shuffle's first draw", () => {
    for (let seed = 0; seed < 50; seed++) {
      const items = Array.from({ length: 37 }, (_, i) => i);
      const last = new Rng(seed).lastOfShuffle(items.length);
      expect(new Rng(seed).shuffle(items).at(-1)).toBe(last);
    }
  });
});

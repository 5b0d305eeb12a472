/**
 * Option values as they arrive: strings from the command line (`--lengths 4k,8192`, `--samples 5`) or typed
 * values from a config file (`lengths: [4096, 8192]`). These zod pieces accept both and coerce once.
 */
import { z } from 'zod';

/** "4096", "4k", "4K", "128k" (k = 1024), or a number. */
export function parseTokenLength(v: unknown): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+)\s*([kKmM]?)\s*$/.exec(v);
  if (!m) return null;
  return Number(m[1]) * (m[2] ? (m[2].toLowerCase() === 'k' ? 1024 : 1024 * 1024) : 1);
}

/** A list given as "a,b,c", ["a", "b"], or a single value. */
export function listOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return [v];
}

/** An integer from a number or a numeric string, within [min, max]. */
export const intOption = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  });

/** A number from a number or a numeric string. */
export const numberOption = (min: number, max: number) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `expected a number in [${min}, ${max}], got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  });

/** A list of token lengths ("4096,8k" or [4096, "8k"]), each in [min, max], duplicates dropped. */
export const lengthsOption = (min: number, max: number) =>
  z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]).transform((v, ctx) => {
    const out: number[] = [];
    for (const x of listOf(v)) {
      const n = parseTokenLength(x);
      if (n === null || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `"${String(x)}" is not a length in tokens between ${min} and ${max} (e.g. 4096 or 4k)` });
        return z.NEVER;
      }
      if (!out.includes(n)) out.push(n);
    }
    if (out.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'expected at least one length' });
      return z.NEVER;
    }
    return out;
  });

/** A list of names ("a,b" or ["a", "b"]). */
export const namesOption = z.union([z.string(), z.array(z.string())]).transform((v) => listOf(v).map(String));

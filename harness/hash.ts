/** Hashing for fingerprints: stable JSON (sorted keys) and short SHA-256 digests. */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal values always hash equally. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** 16 hex digits of SHA-256 over the stable JSON of a value (strings are hashed as they are). */
export function shortHash(value: unknown): string {
  return sha256(typeof value === 'string' ? value : stableJson(value)).slice(0, 16);
}

/**
 * Retries with exponential backoff and full jitter, honouring Retry-After. Only transient failures are
 * retried: 429, 5xx, connection resets and refusals, timeouts, and responses that broke off or did not parse.
 */

/** A failure worth retrying; `retryAfterMs` comes from the server's Retry-After header when it sent one. */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** A failure of this one request that retrying will not fix (400, 422 …): the attempt ends in `error`. */
export class PermanentError extends Error {}

/** Parses Retry-After: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

export interface RetryPolicy {
  retries: number;
  baseMs: number;
  /** Upper bound of one wait (Retry-After included). */
  maxMs: number;
  random?: () => number;
}

/** The wait before retry number `attempt` (0-based): full jitter over base·2^attempt, or the server's Retry-After. */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs: number | null): number {
  if (retryAfterMs !== null) return Math.min(policy.maxMs, retryAfterMs);
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  const rand = policy.random ?? Math.random;
  return Math.round(cap / 2 + (rand() * cap) / 2);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

/**
 * Runs `fn` until it succeeds, fails permanently, or the retries are spent. `onRetry` sees each transient
 * failure (for logs and counters). The last transient error is rethrown when the retries run out.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  onRetry: (err: TransientError, attempt: number, delayMs: number) => void = () => {},
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof TransientError) || attempt >= policy.retries) throw e;
      const delay = backoffDelay(policy, attempt, e.retryAfterMs);
      onRetry(e, attempt, delay);
      await sleep(delay, signal);
    }
  }
}

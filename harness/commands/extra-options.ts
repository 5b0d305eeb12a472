/**
 * Suite options from the command line: `-o key=value` and any `--flag value` / `--flag=value` / `--flag`
 * that dseval itself does not define (e.g. `--lengths 4096,8192`, `--start-date 2024-08-01`).
 * Names are camel-cased (start-date → startDate); values stay strings (true for bare flags) and each
 * suite validates and coerces its own.
 */
import type { JsonObject } from '../types.js';

const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function parseExtraOptions(args: string[], pairs: string[]): JsonObject {
  const out: JsonObject = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`-o expects key=value, got "${pair}"`);
    out[camel(pair.slice(0, eq))] = pair.slice(eq + 1);
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    if (eq > 0) {
      out[camel(arg.slice(2, eq))] = arg.slice(eq + 1);
    } else if (i + 1 < args.length && !args[i + 1].startsWith('--')) {
      out[camel(arg.slice(2))] = args[++i];
    } else {
      out[camel(arg.slice(2))] = true;
    }
  }
  return out;
}

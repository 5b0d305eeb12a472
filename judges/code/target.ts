/**
 * What the code judge grades against (Item.target of code suites): the tests of one problem. `fnName` decides
 * the mode exactly as in LiveCodeBench: a function name means call-based (LeetCode), none means stdin/stdout.
 */
import { z } from 'zod';
import type { Item, Json } from '../../harness/types.js';

export const CodeTestSchema = z.object({ input: z.string(), output: z.string() }).strict();

export const CodeTargetSchema = z
  .object({
    testType: z.enum(['stdin', 'functional']),
    fnName: z.string().min(1).nullable(),
    tests: z.array(CodeTestSchema).min(1, 'a problem needs at least one test'),
    /** How many of `tests` (from the front) are the public ones; the rest are private. */
    publicTests: z.number().int().nonnegative(),
  })
  .strict()
  .refine((t) => (t.testType === 'functional') === (t.fnName !== null), {
    message: 'functional problems need fnName and stdin problems must not have one',
  });

export type CodeTarget = z.infer<typeof CodeTargetSchema>;
export type CodeTest = z.infer<typeof CodeTestSchema>;

/** Validates an item's target, with an error naming the item and the field. */
export function parseCodeTarget(item: Item): CodeTarget {
  const r = CodeTargetSchema.safeParse(item.target);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new Error(`item ${item.id}: target.${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** Builds a target (loaders use this so the shape stays in one place). */
export function codeTarget(fnName: string | null, tests: CodeTest[], publicTests: number): CodeTarget & Json {
  return { testType: fnName ? 'functional' : 'stdin', fnName, tests, publicTests };
}

/** What a task generator receives for one item, and what it hands to the sizer. */
import type { JsonObject } from '../../harness/types.js';
import type { ChunkedText } from './chunked-text.js';
import type { ContextModel, PromptShape } from './fit.js';
import type { QaData } from './qa-data.js';
import { Rng } from './random.js';
import type { TaskName } from './tasks.js';
import type { TokenLengths } from './tokens.js';
import type { WordLists } from './words.js';

export interface GenContext {
  task: TaskName;
  /** Target length in tokens (prompt + answer budget). */
  length: number;
  sample: number;
  seed: number;
  lengths: TokenLengths;
  words: WordLists;
  /** RULER's essay haystack, when a task needs it. */
  essay: ChunkedText | null;
  qa: Partial<Record<'squad' | 'hotpotqa', QaData>>;
  /** Answer prefix in the user turn (thinking mode) instead of the assistant turn. */
  prefixInUser: boolean;
  /** Use the task's short-context form (cwe: RULER's below-4K frequencies) even at this length. */
  compact?: boolean;
}

/** The random stream of one purpose within one item. */
export function itemRng(g: GenContext, purpose: string, ...more: Array<string | number>): Rng {
  return Rng.derive(g.seed, g.task, g.length, g.sample, purpose, ...more);
}

export interface Instance {
  shape: PromptShape;
  model: ContextModel;
  budget: number;
  match: 'all' | 'part';
  /** The references and task-specific metadata (query, word source …) of the fitted haystack size. */
  describe(units: number): { references: string[]; metadata: JsonObject };
}

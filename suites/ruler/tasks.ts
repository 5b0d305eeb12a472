/**
 * RULER's 13 tasks (NVIDIA/RULER scripts/synthetic.yaml) and their answer budgets (tokens_to_generate in
 * scripts/data/synthetic/constants.py).
 */

export type NeedleType = 'words' | 'numbers' | 'uuids';

export interface NiahTask {
  kind: 'niah';
  haystack: 'noise' | 'essay' | 'needle';
  key: NeedleType;
  value: NeedleType;
  keys: number;
  values: number;
  queries: number;
}
export interface VtTask {
  kind: 'vt';
  chains: number;
  hops: number;
}
export interface CweTask {
  kind: 'cwe';
  freqCommon: number;
  freqUncommon: number;
  common: number;
}
export interface FweTask {
  kind: 'fwe';
  alpha: number;
  wordLength: number;
}
export interface QaTask {
  kind: 'qa';
  dataset: 'squad' | 'hotpotqa';
}
export type TaskSpec = NiahTask | VtTask | CweTask | FweTask | QaTask;

const niah = (haystack: NiahTask['haystack'], key: NeedleType, value: NeedleType, keys = 1, values = 1, queries = 1): NiahTask => ({
  kind: 'niah',
  haystack,
  key,
  value,
  keys,
  values,
  queries,
});

export const TASKS = {
  niah_single_1: niah('noise', 'words', 'numbers'),
  niah_single_2: niah('essay', 'words', 'numbers'),
  niah_single_3: niah('essay', 'words', 'uuids'),
  niah_multikey_1: niah('essay', 'words', 'numbers', 4),
  niah_multikey_2: niah('needle', 'words', 'numbers'),
  niah_multikey_3: niah('needle', 'uuids', 'uuids'),
  niah_multivalue: niah('essay', 'words', 'numbers', 1, 4),
  niah_multiquery: niah('essay', 'words', 'numbers', 1, 1, 4),
  vt: { kind: 'vt', chains: 1, hops: 4 },
  cwe: { kind: 'cwe', freqCommon: 30, freqUncommon: 3, common: 10 },
  fwe: { kind: 'fwe', alpha: 2.0, wordLength: 6 },
  qa_1: { kind: 'qa', dataset: 'squad' },
  qa_2: { kind: 'qa', dataset: 'hotpotqa' },
} satisfies Record<string, TaskSpec>;

export type TaskName = keyof typeof TASKS;
export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

/** Answer budgets: tokens_to_generate per task family. */
export const BUDGETS: Record<TaskSpec['kind'], number> = { niah: 128, vt: 30, cwe: 120, fwe: 50, qa: 32 };

/** RULER's default sequence lengths (scripts/config_models.sh). */
export const DEFAULT_LENGTHS = [4096, 8192, 16384, 32768, 65536, 131072];

/** Named task sets for --tasks. `no-files` runs without any data file (pseudo-words stand in for word lists). */
export const TASK_GROUPS: Record<string, TaskName[]> = {
  all: TASK_NAMES,
  niah: TASK_NAMES.filter((t) => t.startsWith('niah_')),
  synthetic: TASK_NAMES.filter((t) => !t.startsWith('qa_')),
  'no-files': ['niah_single_1', 'niah_multikey_2', 'niah_multikey_3', 'vt', 'cwe', 'fwe'],
};

/** The data file a task cannot run without (word lists have a recorded fallback). */
export function requiredData(task: TaskName): 'essays' | 'squad' | 'hotpotqa' | null {
  const spec: TaskSpec = TASKS[task];
  if (spec.kind === 'niah' && spec.haystack === 'essay') return 'essays';
  if (spec.kind === 'qa') return spec.dataset;
  return null;
}

/** Tasks that draw words from the word lists (keys, or cwe's list). */
export function usesWords(task: TaskName): boolean {
  const spec: TaskSpec = TASKS[task];
  return spec.kind === 'cwe' || (spec.kind === 'niah' && (spec.key === 'words' || spec.value === 'words'));
}

/**
 * Test fixtures in code_generation_lite's own encoding, made by the real Python (pickle + zlib + base64), so
 * the TypeScript reader is checked against what Python actually writes rather than against itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** Runs a Python snippet with `input` (JSON) on stdin and returns its stdout parsed as JSON. */
export function python<T>(code: string, input: unknown): T {
  return JSON.parse(execFileSync(PYTHON, ['-I', '-c', code], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 })) as T;
}

/** base64(zlib(pickle(s, protocol))) for each string, as LCB's dataset stores private tests. */
export function encodePrivate(strings: string[], protocol = 4): string[] {
  return python<string[]>(
    `import sys, json, pickle, zlib, base64
args = json.load(sys.stdin)
print(json.dumps([base64.b64encode(zlib.compress(pickle.dumps(s, protocol=args["p"]))).decode() for s in args["s"]]))`,
    { s: strings, p: protocol },
  );
}

export interface HfProblem {
  id: string;
  title?: string;
  content?: string;
  platform?: string;
  date: string;
  difficulty?: string;
  starter?: string;
  fnName?: string;
  publicTests: Array<{ input: string; output: string }>;
  privateTests: Array<{ input: string; output: string }>;
}

/** One code_generation_lite row (the exact field names and string-encoded JSON of the HF files). */
export function hfRow(p: HfProblem, privateBlob: string): Record<string, unknown> {
  const testtype = p.fnName ? 'functional' : 'stdin';
  return {
    question_title: p.title ?? `Problem ${p.id}`,
    question_content: p.content ?? `Solve problem ${p.id}.`,
    platform: p.platform ?? (p.fnName ? 'leetcode' : 'atcoder'),
    question_id: p.id,
    contest_id: `contest-${p.id}`,
    contest_date: p.date,
    starter_code: p.starter ?? (p.fnName ? `class Solution:\n    def ${p.fnName}(self, a):\n        ` : ''),
    difficulty: p.difficulty ?? 'easy',
    public_test_cases: JSON.stringify(p.publicTests.map((t) => ({ ...t, testtype }))),
    private_test_cases: privateBlob,
    metadata: JSON.stringify(p.fnName ? { func_name: p.fnName } : {}),
  };
}

/** Writes problems as HF release files: `files` maps a file name (test.jsonl, test2.jsonl …) to its problems. */
export function writeHfLayout(dir: string, files: Record<string, HfProblem[]>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, problems] of Object.entries(files)) {
    const blobs = encodePrivate(problems.map((p) => JSON.stringify(p.privateTests.map((t) => ({ ...t, testtype: p.fnName ? 'functional' : 'stdin' })))));
    writeFileSync(join(dir, name), problems.map((p, i) => JSON.stringify(hfRow(p, blobs[i]))).join('\n') + '\n');
  }
}

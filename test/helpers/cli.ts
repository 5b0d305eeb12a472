/** Runs the real `dseval` command (bin/dseval.js → dist/) as a child process, as a user would. */
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..', '..');
export const bin = join(root, 'bin', 'dseval.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function dseval(args: string[], opts: { env?: Record<string, string>; cwd?: string; timeout?: number } = {}): Promise<CliResult> {
  const r = await execa('node', [bin, ...args], {
    reject: false,
    cwd: opts.cwd ?? root,
    env: { DSEVAL_DATA_DIR: '', ...opts.env },
    extendEnv: true,
    timeout: opts.timeout ?? 120_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Starts `dseval` without waiting, for tests that signal or kill it. */
export function spawnDseval(args: string[], env: Record<string, string> = {}): ResultPromise {
  return execa('node', [bin, ...args], { reject: false, cwd: root, env, extendEnv: true, buffer: true, forceKillAfterDelay: 30_000 });
}

export function tempDir(prefix = 'dseval-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a small AIME-style JSONL fixture: problem i asks for i·7 mod 1000. */
export function writeMathFixture(dir: string, count: number, name = 'mini.jsonl'): { path: string; answers: Map<string, string> } {
  const answers = new Map<string, string>();
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const problem = `Fixture problem ${i}: compute ${i} times 7.`;
    const answer = String((i * 7) % 1000);
    answers.set(problem, answer);
    lines.push(JSON.stringify({ id: `fx-${i}`, problem, answer, answer_type: 'integer' }));
  }
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, answers };
}

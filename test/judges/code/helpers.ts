/** Shared pieces of the code-judge tests: items, attempts, and whether this machine can sandbox. */
import type { Attempt, Item } from '../../../harness/types.js';
import { codeTarget, type CodeTest } from '../../../judges/code/target.js';
import { findExecutable, setupSandbox } from '../../../judges/code/probe.js';

/**
 * A reason to skip the sandboxed tests: only that bubblewrap is not installed on a developer machine. CI
 * installs it (.ci/run), and an installed bwrap that cannot start a sandbox is a failure, not a skip.
 */
export function sandboxMissing(): string | null {
  if (!findExecutable('bwrap') && !process.env.DSEVAL_BWRAP && !process.env.CI) {
    console.warn('skipping sandboxed code-judge tests: bubblewrap is not installed (apt-get install -y bubblewrap)');
    return 'bubblewrap is not installed';
  }
  setupSandbox({ unsafe: false, probeCommand: ['/usr/bin/python3', '-c', "print('ok')"], expect: 'ok' });
  return null;
}

export function codeItem(id: string, fnName: string | null, tests: CodeTest[]): Item {
  return { id, fields: {}, target: codeTarget(fnName, tests, tests.length), metadata: {} };
}

export function answer(code: string, itemId = 'x', index = 0): Attempt {
  return {
    itemId,
    index,
    seed: 0,
    text: `Here is my solution.\n\n\`\`\`python\n${code}\n\`\`\`\n`,
    reasoning: '',
    thinkingUnclosed: false,
    finish: 'stop',
    promptTokens: null,
    completionTokens: null,
    timings: { latencyMs: 0, ttftMs: null, tokensPerSecond: null },
    error: null,
  };
}

/**
 * The code judge: Python solutions judged with LiveCodeBench's exact semantics inside the bubblewrap sandbox.
 * grade() extracts the program (LCB's last-fenced-block rule), runs it against the item's tests in a sandbox
 * (at most `judgeConcurrency` at once, all asynchronous child processes, so the harness's event loop never
 * waits on a program) and returns a Grade whose details hold LCB's per-test record and our verdicts.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { Attempt, Grade, Item, Judge, JsonObject } from '../../harness/types.js';
import { createLimiter } from '../../harness/limiter.js';
import { extractCode } from './extract.js';
import { encodeTests, RUNNER_HASH, runPython, type EncodedTests, type ExecutionReport, type PythonRunOptions } from './python.js';
import { setupSandbox } from './probe.js';
import { DEFAULT_LIMITS, type SandboxSetup } from './sandbox.js';
import { parseCodeTarget } from './target.js';

const flag = z.preprocess((v) => (v === 'true' || v === '1' || v === 'yes' ? true : v === 'false' || v === '0' || v === 'no' ? false : v), z.boolean());

/** Judge options; they arrive in the suite's option bag (CLI `--test-timeout 6`, `-o memoryMb=2048` …). */
export const CodeJudgeOptionsShape = {
  /** Per-test time limit in whole seconds (LCB's --timeout, default 6); the global limit is (t+1)·tests+5 s. */
  testTimeout: z.coerce.number().int().min(1).max(600).default(6),
  /** Address-space limit per program (MiB). LCB sets none; 4 GiB contains runaway allocations. */
  memoryMb: z.coerce.number().int().min(128).max(1024 * 1024).default(4096),
  /** Programs judged at once (default: the machine's cores). */
  judgeConcurrency: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
  /** Captured stdout per test beyond this many MiB is "output limit exceeded". */
  outputLimitMb: z.coerce.number().min(1).max(4096).default(64),
  /** Run generated code WITHOUT the sandbox (rlimits only). Dangerous; says so loudly. */
  unsafeNoSandbox: flag.default(false),
  /** The interpreter (Debian's; the python3 first on PATH may be a slow pyenv shim). */
  python: z.string().min(1).default('/usr/bin/python3'),
};
const CodeJudgeOptionsSchema = z.object(CodeJudgeOptionsShape);
export type CodeJudgeOptions = z.infer<typeof CodeJudgeOptionsSchema>;
export const CODE_JUDGE_OPTION_KEYS = Object.keys(CodeJudgeOptionsShape);

export function parseCodeJudgeOptions(raw: JsonObject): CodeJudgeOptions {
  const picked = Object.fromEntries(Object.entries(raw).filter(([k]) => CODE_JUDGE_OPTION_KEYS.includes(k)));
  const r = CodeJudgeOptionsSchema.safeParse(picked);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  --${String(i.path[0] ?? '(option)').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`);
    throw new Error(`invalid code judge options:\n${lines.join('\n')}`);
  }
  return r.data;
}

const PROBE = "import sys, json, decimal, statistics\nprint('dseval-probe-ok', sys.version.split()[0])";

export interface CodeJudge extends Judge {
  sandbox: SandboxSetup;
  pythonVersion: string;
}

function pythonVersionFrom(probeOutput: string): string {
  return /dseval-probe-ok (\S+)/.exec(probeOutput)?.[1] ?? 'unknown';
}

/**
 * Creates the judge. Probes the sandbox once (synchronously, before any grading) and refuses with a clear
 * message when bubblewrap cannot run here, unless `unsafeNoSandbox` is set.
 */
export function createCodeJudge(raw: JsonObject = {}, log: (m: string) => void = (m) => process.stderr.write(`${m}\n`)): CodeJudge {
  const opts = parseCodeJudgeOptions(raw);
  const setup = setupSandbox({ unsafe: opts.unsafeNoSandbox, probeCommand: [opts.python, '-s', '-P', '-c', PROBE], expect: 'dseval-probe-ok' });
  const pythonVersion = pythonVersionFrom(setup.probeOutput);
  if (setup.mode === 'none') {
    log(
      'dseval: WARNING: --unsafe-no-sandbox: generated code runs WITHOUT a sandbox — as your user, with your network, ' +
        'your files and your processes in reach. Only resource limits apply. Never do this outside a throwaway machine.',
    );
  } else if (!setup.processLimitEnforced) {
    log(`dseval: warning: ${setup.description}; a fork bomb is contained only by the time limit`);
  }
  const runOptions: PythonRunOptions = {
    python: opts.python,
    timeoutSeconds: opts.testTimeout,
    memoryBytes: opts.memoryMb * 1024 * 1024,
    outputLimitBytes: Math.floor(opts.outputLimitMb * 1024 * 1024),
    limits: DEFAULT_LIMITS,
  };
  const limit = createLimiter(opts.judgeConcurrency);
  const controller = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  // Validated and encoded once per problem: a problem with thousands of private tests is not re-read per attempt.
  const prepared = new WeakMap<object, { tests: EncodedTests; publicTests: number }>();
  const testsOf = (item: Item): { tests: EncodedTests; publicTests: number } => {
    const key = item.target !== null && typeof item.target === 'object' ? (item.target as object) : null;
    const hit = key && prepared.get(key);
    if (hit) return hit;
    const target = parseCodeTarget(item);
    const p = { tests: encodeTests(target.fnName, target.tests), publicTests: target.publicTests };
    if (key) prepared.set(key, p);
    return p;
  };

  const grade = async (item: Item, attempt: Attempt): Promise<Grade> => {
    if (controller.signal.aborted) throw new Error('the code judge is closed');
    const code = extractCode(attempt.text);
    if (code === null || code.trim() === '') {
      return {
        outcome: 'no_answer',
        score: 0,
        extracted: code,
        answerKey: null,
        judgeDisagreement: null,
        details: { reason: code === null ? 'no fenced code block (LCB needs two lines with ```)' : 'the fenced code block is empty' },
      };
    }
    const { tests, publicTests } = testsOf(item);
    const run = limit(() => runPython(setup, code, tests, runOptions, controller.signal));
    inFlight.add(run);
    try {
      return gradeFrom(await run, code, tests.count, publicTests, setup);
    } finally {
      inFlight.delete(run);
    }
  };

  return {
    name: 'code-python-lcb',
    // Everything that can change a verdict; the judge options stay out of the suite-options fingerprint.
    version: `1 runner=${RUNNER_HASH} python=${pythonVersion} timeout=${opts.testTimeout}s memory=${opts.memoryMb}MiB output=${opts.outputLimitMb}MiB sandbox=${setup.mode}`,
    sandbox: setup,
    pythonVersion,
    grade,
    gradeMany: (pairs) => Promise.all(pairs.map(({ item, attempt }) => grade(item, attempt))),
    async close() {
      controller.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}

function gradeFrom(r: ExecutionReport, code: string, total: number, publicTests: number, setup: SandboxSetup): Grade {
  const details: JsonObject = {
    verdict: r.verdict,
    lcb: r.lcb,
    tests: r.tests.map((t) => ({ i: t.index, v: t.verdict, ms: t.ms })),
    testsPassed: r.tests.filter((t) => t.verdict === 'AC').length,
    testsTotal: total,
    publicTests,
    stage: r.stage,
    message: r.message,
    failure: r.failure,
    wallMs: r.wallMs,
    sandbox: setup.mode,
  };
  if (r.status === 'infra-error') {
    return {
      outcome: 'error',
      score: 0,
      extracted: code,
      answerKey: null,
      judgeDisagreement: null,
      details: { ...details, reason: 'judge failed', error: r.message, diagnostics: r.diagnostics ?? null },
    };
  }
  return { outcome: r.passed ? 'correct' : 'wrong', score: r.passed ? 1 : 0, extracted: code, answerKey: null, judgeDisagreement: null, details };
}

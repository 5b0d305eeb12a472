/**
 * Judging one Python program against a test set: the sandboxed runner.py (LiveCodeBench's semantics, see its
 * docstring) gets the program and the tests on stdin and reports per-test verdicts on fd 3; this module
 * builds that payload, applies LCB's global timeout and turns what came back — or how the process died —
 * into an ExecutionReport.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { assetPath } from '../../harness/paths.js';
import { runSandboxed, type SandboxLimits, type SandboxOutcome, type SandboxSetup } from './sandbox.js';

export const VERDICTS = ['AC', 'WA', 'TLE', 'RE', 'MLE', 'CE', 'OLE'] as const;
export type Verdict = (typeof VERDICTS)[number];
/** What lcb_runner records per test: true, false (call-based wrong answer), -1 global timeout/crash, -2 wrong, -3 timeout, -4 error. */
export type LcbResult = boolean | number;

export interface TestVerdict {
  index: number;
  verdict: Verdict;
  ms: number;
}

export interface ExecutionReport {
  /** `judged`: the program ran and got a verdict; `infra-error`: the judge itself failed (not the program's fault). */
  status: 'judged' | 'infra-error';
  passed: boolean;
  /** Overall verdict: AC, or the verdict of the first failing test. */
  verdict: Verdict;
  /** Exactly what lcb_runner would have recorded for this generation. */
  lcb: LcbResult[];
  /** Per-test verdicts of the tests that ran (the runner stops at the first failure, as LCB does). */
  tests: TestVerdict[];
  message: string | null;
  /** Where it ended: compile, tests, escaped (the program killed its judge), global-timeout, crash. */
  stage: string;
  /** Truncated input / expected / output of the failing test, when known. */
  failure: { input?: string; expected?: string; output?: string } | null;
  wallMs: number;
  /** Diagnostics for infra errors (bwrap's or the interpreter's stderr). */
  diagnostics?: string;
}

export interface PythonRunOptions {
  python: string;
  /** Per-test timeout in whole seconds (LCB default 6); also the compile timeout. */
  timeoutSeconds: number;
  memoryBytes: number;
  /** Captured stdout per test beyond this is OLE. */
  outputLimitBytes: number;
  limits: Pick<SandboxLimits, 'processes' | 'fileSizeBytes' | 'openFiles' | 'tmpBytes' | 'keepOutputBytes' | 'keepChannelBytes'>;
}

const RUNNER_SOURCE = readFileSync(assetPath(import.meta.url, 'runner.py'), 'utf8');
/** Identifies the runner's semantics; part of the judge version (and so of the run fingerprint). */
export const RUNNER_HASH = createHash('sha256').update(RUNNER_SOURCE).digest('hex').slice(0, 12);

/** The interpreter command: site-packages of the user off, no script dir on sys.path, fixed hash seed via env. */
export function pythonCommand(python: string): string[] {
  return [python, '-s', '-P', '-c', RUNNER_SOURCE];
}

/** A fixed hash seed: set iteration order, and so any output that depends on it, is the same run to run. */
export const PYTHON_ENV = { PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1' };

/** The tests part of the payload, encoded once per problem and shared by all its attempts. */
export interface EncodedTests {
  fnName: string | null;
  count: number;
  json: Buffer;
}

export function encodeTests(fnName: string | null, tests: Array<{ input: string; output: string }>): EncodedTests {
  const json = Buffer.from(JSON.stringify({ inputs: tests.map((t) => t.input), outputs: tests.map((t) => t.output) }));
  return { fnName, count: tests.length, json };
}

/** LCB's global guard: (timeout + 1) × tests + 5 s, plus a second for sandbox and interpreter start-up. */
export function globalTimeoutMs(timeoutSeconds: number, tests: number): number {
  return ((timeoutSeconds + 1) * tests + 5) * 1000 + 1000;
}

interface Record_ {
  ev: string;
  [key: string]: unknown;
}

function parseChannel(channel: string, nonce: string): Record_[] {
  const records: Record_[] = [];
  for (const line of channel.split('\n')) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as Record_;
      if (r && r.k === nonce && typeof r.ev === 'string') records.push(r);
    } catch {
      // something other than the runner wrote to the channel; ignore it
    }
  }
  return records;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Runs `code` against the encoded tests in the sandbox. Never throws. */
export async function runPython(
  setup: SandboxSetup,
  code: string,
  tests: EncodedTests,
  opts: PythonRunOptions,
  signal?: AbortSignal,
): Promise<ExecutionReport> {
  const nonce = randomUUID();
  const header = JSON.stringify({ nonce, code, fnName: tests.fnName, timeout: opts.timeoutSeconds, outputLimit: opts.outputLimitBytes });
  const wallMs = globalTimeoutMs(opts.timeoutSeconds, tests.count);
  const outcome = await runSandboxed(setup, {
    command: pythonCommand(opts.python),
    stdin: Buffer.concat([Buffer.from(header + '\n'), tests.json]),
    env: PYTHON_ENV,
    signal,
    limits: {
      ...opts.limits,
      wallMs,
      cpuSeconds: Math.ceil(wallMs / 1000) + 1,
      memoryBytes: opts.memoryBytes,
    },
  });
  return reportFrom(outcome, parseChannel(outcome.channel, nonce), tests.count);
}

function reportFrom(o: SandboxOutcome, records: Record_[], testCount: number): ExecutionReport {
  const tests: TestVerdict[] = records
    .filter((r) => r.ev === 'test')
    .map((r) => ({ index: Number(r.i), verdict: r.verdict as Verdict, ms: Number(r.ms) }));
  const base = { tests, wallMs: Math.round(o.wallMs), failure: null };
  const ready = records.some((r) => r.ev === 'ready');
  const result = records.find((r) => r.ev === 'result');
  const internal = records.find((r) => r.ev === 'internal');
  const diagnostics = [o.spawnError, o.stderr.trim(), o.stdout.trim()].filter(Boolean).join('\n').slice(0, 4000);

  if (o.aborted) {
    return { ...base, status: 'infra-error', passed: false, verdict: 'RE', lcb: [], message: 'judging was cancelled', stage: 'cancelled' };
  }
  if (internal || !ready) {
    const why = internal
      ? String(internal.message)
      : o.spawnError
        ? `the sandbox did not start: ${o.spawnError}`
        : o.timedOut
          ? 'the runner did not start within the time limit'
          : `the runner ended before reading its tests (exit ${o.exitCode ?? o.termSignal})`;
    return { ...base, status: 'infra-error', passed: false, verdict: 'RE', lcb: [], message: why, stage: 'runner', diagnostics };
  }
  if (result) {
    const lcb = (result.lcb as LcbResult[]) ?? [];
    const verdict = result.verdict as Verdict;
    const passed = verdict === 'AC' && lcb.length === testCount && lcb.every((x) => x === true);
    const failure = result.input !== undefined || result.expected !== undefined || result.output !== undefined
      ? { input: str(result.input), expected: str(result.expected), output: str(result.output) }
      : null;
    return { ...base, failure, status: 'judged', passed, verdict, lcb, message: str(result.message) ?? null, stage: str(result.stage) ?? 'tests' };
  }
  // The program was running and the process died without a result: LCB then records -1 for every test.
  const lcb = Array<LcbResult>(testCount).fill(-1);
  const running = tests.length; // index of the test in progress
  if (o.timedOut) {
    return { ...base, status: 'judged', passed: false, verdict: 'TLE', lcb, stage: 'global-timeout', message: `global time limit (${Math.round(o.wallMs / 1000)} s) reached during test ${running}` };
  }
  const sig = o.termSignal;
  const verdict: Verdict = sig === 'SIGXCPU' ? 'TLE' : 'RE';
  const how = sig ? `killed by ${sig}${sig === 'SIGKILL' ? ' (out of memory, or the CPU limit)' : sig === 'SIGSEGV' ? ' (e.g. a C stack overflow from deep recursion)' : ''}` : `exit status ${o.exitCode}`;
  return { ...base, status: 'judged', passed: false, verdict, lcb, stage: 'crash', message: `the program's process died during test ${running}: ${how}`, diagnostics: diagnostics || undefined };
}

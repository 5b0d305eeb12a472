// Code judge: (1) sandbox start-up — bubblewrap + prlimit around /usr/bin/true and around Python, against the
// same commands spawned without a sandbox; (2) judged tests per second with both cores busy, for stdin and
// call-based problems, with few tests per attempt (public-test sets) and many (private-test sets), against the
// same judge run without a sandbox (--unsafe-no-sandbox) as the baseline.
// Run: npm run build && node scripts/bench/code-judge.mjs        (needs bubblewrap; Linux)
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { setupSandbox } = await import(join(root, 'dist/judges/code/probe.js'));
const { runSandboxed, DEFAULT_LIMITS } = await import(join(root, 'dist/judges/code/sandbox.js'));
const { createCodeJudge } = await import(join(root, 'dist/judges/code/judge.js'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const PY = '/usr/bin/python3';
const cores = availableParallelism();

// ── 1. start-up ──
const probe = { probeCommand: [PY, '-c', "print('ok')"], expect: 'ok' };
const sandboxed = setupSandbox({ unsafe: false, ...probe });
const bare = setupSandbox({ unsafe: true, ...probe });
const STARTS = 30;
async function startups(setup, command) {
  const times = [];
  for (let i = 0; i < STARTS + 3; i++) {
    const o = await runSandboxed(setup, { command, stdin: Buffer.alloc(0), limits: DEFAULT_LIMITS });
    if (o.exitCode !== 0) throw new Error(`${command.join(' ')} failed: ${o.stderr || o.spawnError}`);
    if (i >= 3) times.push(o.wallMs); // the first runs warm the page cache
  }
  return median(times);
}
const trueBox = await startups(sandboxed, ['/usr/bin/true']);
const trueBare = await startups(bare, ['/usr/bin/true']);
const pyBox = await startups(sandboxed, [PY, '-s', '-P', '-c', 'pass']);
const pyBare = await startups(bare, [PY, '-s', '-P', '-c', 'pass']);
console.log(`sandbox: ${sandboxed.description}`);
console.log(
  `start-up, median of ${STARTS}: /usr/bin/true ${trueBox.toFixed(1)} ms sandboxed vs ${trueBare.toFixed(1)} ms bare ` +
    `(sandbox cost ${(trueBox - trueBare).toFixed(1)} ms); python3 ${pyBox.toFixed(1)} ms vs ${pyBare.toFixed(1)} ms ` +
    `(ratio ${(pyBox / pyBare).toFixed(2)}x)`,
);

// ── 2. throughput ──
const attemptOf = (code, i) => ({
  itemId: 'bench', index: i, seed: i, text: `\`\`\`python\n${code}\n\`\`\``, reasoning: '', thinkingUnclosed: false, finish: 'stop',
  promptTokens: null, completionTokens: null, timings: { latencyMs: 0, ttftMs: null, tokensPerSecond: null }, error: null,
});
const itemOf = (fnName, tests) => ({ id: 'bench', fields: {}, metadata: {}, target: { testType: fnName ? 'functional' : 'stdin', fnName, tests, publicTests: tests.length } });
const stdinTests = (n) => Array.from({ length: n }, (_, i) => ({ input: `${i + 1}\n${Array.from({ length: 200 }, (_, k) => k + i).join(' ')}\n`, output: `${(i + 1) * 2} ${Array.from({ length: 200 }, (_, k) => k + i).reduce((a, b) => a + b, 0)}\n` }));
const callTests = (n) => Array.from({ length: n }, (_, i) => ({ input: `${i + 1}\n${JSON.stringify(Array.from({ length: 200 }, (_, k) => k + i))}`, output: JSON.stringify([(i + 1) * 2, Array.from({ length: 200 }, (_, k) => k + i).reduce((a, b) => a + b, 0)]) }));
const STDIN_CODE = 'import sys\ninput = sys.stdin.readline\nn = int(input())\na = list(map(int, input().split()))\nprint(n * 2, sum(a))';
const CALL_CODE = 'class Solution:\n    def f(self, n: int, a: List[int]) -> List[int]:\n        return [n * 2, sum(a)]';
const ATTEMPTS = 24;

async function throughput(judge, kind, testsPerAttempt) {
  const item = kind === 'stdin' ? itemOf(null, stdinTests(testsPerAttempt)) : itemOf('f', callTests(testsPerAttempt));
  const code = kind === 'stdin' ? STDIN_CODE : CALL_CODE;
  await judge.grade(item, attemptOf(code, 0)); // warm-up
  const t = performance.now();
  const grades = await Promise.all(Array.from({ length: ATTEMPTS }, (_, i) => judge.grade(item, attemptOf(code, i))));
  const s = (performance.now() - t) / 1000;
  const bad = grades.filter((g) => g.outcome !== 'correct');
  if (bad.length) throw new Error(`${kind}: ${bad.length} attempts not AC: ${JSON.stringify(bad[0].details)}`);
  return { testsPerSecond: (ATTEMPTS * testsPerAttempt) / s, attemptsPerSecond: ATTEMPTS / s };
}

const judge = createCodeJudge({ judgeConcurrency: cores });
const unsafe = createCodeJudge({ judgeConcurrency: cores, unsafeNoSandbox: true }, () => {});

// One attempt at a time: what a single judged generation costs end to end (one tiny test).
async function latency(j) {
  const item = itemOf(null, stdinTests(1));
  const times = [];
  for (let i = 0; i < 18; i++) {
    const t = performance.now();
    const g = await j.grade(item, attemptOf(STDIN_CODE, i));
    if (g.outcome !== 'correct') throw new Error(JSON.stringify(g.details));
    if (i >= 3) times.push(performance.now() - t);
  }
  return median(times);
}
const latBox = await latency(judge);
const latBare = await latency(unsafe);
console.log(`one judged attempt (1 test), median of 15: ${latBox.toFixed(1)} ms sandboxed vs ${latBare.toFixed(1)} ms without sandbox (ratio ${(latBox / latBare).toFixed(2)}x)`);
console.log(`throughput: ${ATTEMPTS} attempts per row, ${cores} at once (judgeConcurrency = cores), all AC`);
for (const kind of ['stdin', 'call-based']) {
  for (const n of [3, 30]) {
    const box = await throughput(judge, kind === 'stdin' ? 'stdin' : 'call', n);
    const base = await throughput(unsafe, kind === 'stdin' ? 'stdin' : 'call', n);
    console.log(
      `  ${kind.padEnd(10)} ${String(n).padStart(2)} tests/attempt: ${box.testsPerSecond.toFixed(0).padStart(5)} tests/s ` +
        `(${box.attemptsPerSecond.toFixed(1)} attempts/s) sandboxed vs ${base.testsPerSecond.toFixed(0)} tests/s without sandbox; ` +
        `ratio ${(base.testsPerSecond / box.testsPerSecond).toFixed(2)}x`,
    );
  }
}
await judge.close();
await unsafe.close();

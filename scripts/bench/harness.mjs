// Harness overhead: (1) durable per-attempt writes to DuckDB against the Appender baseline; (2) a whole
// `dseval run` against an instant loopback server against the baseline of the same requests sent directly.
// Run: npm run build && node scripts/bench/harness.mjs
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';


const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Store } = await import(join(root, 'dist/reports/store.js'));
const dir = mkdtempSync(join(tmpdir(), 'dseval-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const REPEATS = 3;

// ── 1. store writes ──
const ROWS = 2000;
const attempt = (i) => ({
  itemId: `item-${i % 30}`, index: Math.floor(i / 30), seed: i, text: 'The answer is \\boxed{42}.', reasoning: 'x'.repeat(2000),
  thinkingUnclosed: false, finish: 'stop', promptTokens: 100, completionTokens: 800,
  timings: { latencyMs: 1000, ttftMs: 50, tokensPerSecond: 40 }, error: null,
});
const perRow = [];
const appender = [];
for (let r = 0; r < REPEATS; r++) {
  const store = await Store.open(join(dir, `w${r}.duckdb`));
  // Attempts arrive concurrently; each insert resolves once its (group-committed) transaction is durable.
  let t = performance.now();
  await Promise.all(Array.from({ length: ROWS }, (_, i) => store.insertAttempt('run', attempt(i))));
  perRow.push(ROWS / ((performance.now() - t) / 1000));
  t = performance.now();
  await store.insertItems('run2', Array.from({ length: ROWS }, (_, i) => ({
    item: { id: `i${i}`, fields: { problem: 'x'.repeat(2000) }, target: '42', metadata: {} }, position: i, dataHash: 'h', promptHash: 'p',
    prompt: { kind: 'text', text: 'x'.repeat(100) },
  })));
  appender.push(ROWS / ((performance.now() - t) / 1000));
  await store.close();
}
console.log(`store: durable insertAttempt, ${ROWS} concurrent writers, ${median(perRow).toFixed(0)} rows/s (median of ${REPEATS}); ` +
  `Appender bulk baseline ${median(appender).toFixed(0)} rows/s; ratio ${(median(appender) / median(perRow)).toFixed(1)}x`);

// ── 2. whole runs against an instant server ──
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (req.url.endsWith('/models')) return res.end(JSON.stringify({ data: [{ id: 'm' }] }));
    const b = JSON.parse(body);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta, finish = null) => res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    chunk({ reasoning_content: 'thinking '.repeat(20) });
    for (let i = 0; i < 10; i++) chunk({ content: 'word ' });
    chunk({ content: `\\boxed{${b.seed % 7}}` }, 'stop');
    res.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 50, completion_tokens: 40 } })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/v1`;
const data = join(dir, 'data.jsonl');
writeFileSync(data, Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: `p${i}`, problem: `Problem ${i}`, answer: String(i % 7) })).join('\n'));
const N = 8;
const CONC = 32;
const total = 30 * N;

// Baseline: the same number of streamed requests sent straight from this process.
const direct = [];
for (let r = 0; r < REPEATS; r++) {
  const t = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONC }, async () => {
    while (next < total) {
      next++;
      const res = await fetch(`${url}/chat/completions`, { method: 'POST', body: JSON.stringify({ seed: next, stream: true }) });
      await res.text();
    }
  }));
  direct.push(total / ((performance.now() - t) / 1000));
}
// `dseval run` is a child process (the server must stay responsive in this one).
const runs = [];
await new Promise((r) => setTimeout(r, 10));
for (let r = 0; r < REPEATS; r++) {
  const db = join(dir, `run${r}.duckdb`);
  const t = performance.now();
  const child = await new Promise((resolve) => {
    import('node:child_process').then(({ spawn }) => {
      const p = spawn(process.execPath, [join(root, 'bin/dseval.js'), 'run', '--suite', 'aime25', '--data', data, '--model', `openai:${url}`,
        '-n', String(N), '--db', db, '--concurrency', String(CONC), '--progress', 'none'], { stdio: ['ignore', 'ignore', 'inherit'] });
      p.on('exit', resolve);
    });
  });
  if (child !== 0) throw new Error(`dseval run exited ${child}`);
  runs.push(total / ((performance.now() - t) / 1000));
}
server.close();
console.log(`run: ${total} attempts (30 items × ${N}, concurrency ${CONC}) through \`dseval run\`, process start, planning, ` +
  `storing and grading included: ${median(runs).toFixed(0)} attempts/s; direct streamed requests baseline ` +
  `${median(direct).toFixed(0)} requests/s; harness costs ${(median(direct) / median(runs)).toFixed(1)}x the bare requests`);

#!/usr/bin/env node
// RULER generation benchmark: time to generate every task × length × sample, sized in DeepSeek V3's real
// tokens, and the effective tokens/s of length counting against a full tokenization measured in the same
// run (the baseline: what "tokenize each finished prompt once" costs; RULER itself tokenizes each prompt
// a dozen times while it searches). Runs on compiled output: `npm run build` first.
//
//   node scripts/bench/ruler-gen.mjs [--samples 10] [--lengths 4k,8k,16k,32k,64k,128k] [--repeat 1] [--per-task]
//
// Data: $DSEVAL_DATA_DIR (essays, word lists). qa_1/qa_2 read ruler/squad.json and ruler/hotpotqa.json there;
// when those are absent (they are not shipped), the bench writes stand-ins with the real files' shape and size
// (SQuAD v2.0 dev: 35 articles, 1,204 paragraphs, ~12K questions of which ~6K answerable; HotpotQA dev-distractor: 7,405
// questions × 10 paragraphs) whose text is the essays' sentences, so all 13 tasks are timed. Without
// $DSEVAL_DATA_DIR, only the tasks that need no files run.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const dist = (p) => join(root, 'dist', p);
if (!existsSync(dist('suites/ruler/suite.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const { loadTokenizer, promptTokenCounter } = await import(dist('harness/tokenizer.js'));
const { default: ruler } = await import(dist('suites/ruler/suite.js'));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const samples = Number(arg('samples', '10'));
const lengths = arg('lengths', '4k,8k,16k,32k,64k,128k');
const repeat = Number(arg('repeat', '1'));
const perTask = process.argv.includes('--per-task');
const dataDir = process.env.DSEVAL_DATA_DIR || null;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let t = performance.now();
const tokenizer = loadTokenizer('deepseek-v3');
const counter = promptTokenCounter(tokenizer, 'deepseek-v3.2', { thinking: false });
console.log(`tokenizer: DeepSeek V3 (${tokenizer.id}), loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`);

/** SQuAD v2 dev- and HotpotQA dev-distractor-shaped files of the real sizes, written from essay sentences. */
function writeQaStandIns(dir) {
  const essays = join(dataDir, 'haystack/PaulGrahamEssays');
  const sentences = readdirSync(essays)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .flatMap((f) => readFileSync(join(essays, f), 'utf8').split(/(?<=[.!?])\s+/))
    .map((x) => x.replace(/\s+/g, ' ').trim())
    .filter((x) => x.length > 20);
  let next = 0;
  const sentence = () => sentences[next++ % sentences.length];
  const paragraph = (n) => Array.from({ length: n }, sentence).join(' ');
  const articles = Array.from({ length: 35 }, (_, a) => ({
    title: `Article ${a}`,
    paragraphs: Array.from({ length: a < 14 ? 35 : 34 }, (_, p) => {
      const code = `K${a}x${p}`;
      return {
        context: `${paragraph(5)} The code of this passage is ${code}.`,
        qas: [
          ...Array.from({ length: 5 }, (_, q) => ({ question: `What is the code of passage ${a}-${p} (${q})?`, answers: [{ text: code }], is_impossible: false })),
          ...Array.from({ length: 5 }, (_, q) => ({ question: `Unanswerable ${a}-${p}-${q}?`, answers: [], is_impossible: true })),
        ],
      };
    }),
  }));
  const hotpot = Array.from({ length: 7405 }, (_, q) => ({
    _id: `h${q}`,
    question: `Which town did traveller ${q} reach?`,
    answer: `Town${q}`,
    context: Array.from({ length: 10 }, (_, k) => [`Title ${q}.${k}`, k === 3 ? [`Traveller ${q} reached Town${q}. `, sentence()] : [sentence(), ' ', sentence(), ' ', sentence()]]),
  }));
  const paths = { squad: join(dir, 'dev-v2.0.json'), hotpotqa: join(dir, 'hotpot_dev_distractor_v1.json') };
  writeFileSync(paths.squad, JSON.stringify({ version: 'v2.0', data: articles }));
  writeFileSync(paths.hotpotqa, JSON.stringify(hotpot));
  return paths;
}

// Which tasks run: all 13 with data (qa on the real files when present, else on stand-ins), no-files without.
let tasks = 'no-files';
let qaFiles = {};
let qaNote = '';
let standInDir = null;
if (dataDir) {
  tasks = 'all';
  if (!(existsSync(join(dataDir, 'ruler/squad.json')) && existsSync(join(dataDir, 'ruler/hotpotqa.json')))) {
    standInDir = mkdtempSync(join(tmpdir(), 'dseval-bench-qa-'));
    qaFiles = writeQaStandIns(standInDir);
    qaNote = ' (qa_1/qa_2 on stand-in files of SQuAD v2 dev / HotpotQA dev-distractor size, essay text)';
  }
}
process.on('exit', () => standInDir && rmSync(standInDir, { recursive: true, force: true }));
console.log(`data: ${dataDir ?? '(none)'}; tasks: ${tasks}${qaNote}; lengths ${lengths}; ${samples} samples`);

// Baseline: full tokenization of sample 0 of every task at 16K, in the same run (median of 3 passes).
const probes = await ruler.load({ dataPath: null, dataDir, options: { tasks, lengths: '16k', samples: 1, ...qaFiles }, tokenizer: counter });
const probeTokens = probes.reduce((s, i) => s + i.metadata.prompt_tokens, 0);
const baseline = [];
for (let i = 0; i < 3; i++) {
  t = performance.now();
  for (const p of probes) counter.countPrompt(ruler.render(p, {}));
  baseline.push(probeTokens / ((performance.now() - t) / 1000));
}
const baseTps = median(baseline);
console.log(`baseline: full tokenization of generated prompts ${(baseTps / 1000).toFixed(0)}K tokens/s (${probes.length} prompts, ${probeTokens} tokens, median of 3)`);

const runOnce = async (taskList) => {
  const start = performance.now();
  const items = await ruler.load({ dataPath: null, dataDir, options: { tasks: taskList, lengths, samples, ...qaFiles }, tokenizer: counter });
  const seconds = (performance.now() - start) / 1000;
  const tokens = items.reduce((s, i) => s + i.metadata.tokens, 0);
  return { items: items.length, seconds, tokens };
};

const runs = [];
for (let r = 0; r < repeat; r++) runs.push(await runOnce(tasks));
const secs = median(runs.map((x) => x.seconds));
const { items, tokens } = runs[0];
const tps = tokens / secs;
console.log(`\ngenerate ${items} items (${(tokens / 1e6).toFixed(1)}M prompt+budget tokens): ${secs.toFixed(1)} s (median of ${repeat}), ${((1000 * secs) / items).toFixed(0)} ms/item`);
console.log(`length counting: ${(tps / 1e6).toFixed(2)}M tokens/s = ${(tps / baseTps).toFixed(1)}× a single full tokenization of every prompt`);
console.log(`  (one full tokenization of every prompt would take ${(tokens / baseTps).toFixed(0)} s; RULER's search tokenizes each prompt ~15 times)`);

// NIAH: a 128K grid (16 lengths × 11 depths × both variants) over the gkamradt essays.
if (dataDir && existsSync(join(dataDir, 'haystack/PaulGrahamEssays'))) {
  const { default: niah } = await import(dist('suites/niah/suite.js'));
  const start = performance.now();
  const grid = await niah.load({ dataPath: null, dataDir, options: { lengths: '1000:128000:16', depths: '0:100:11', variant: 'both' }, tokenizer: counter });
  const s = (performance.now() - start) / 1000;
  const tok = grid.reduce((a, i) => a + i.metadata.tokens, 0);
  console.log(`
niah: ${grid.length} items (1K–128K × 11 depths × 2 variants, ${(tok / 1e6).toFixed(1)}M tokens) in ${s.toFixed(1)} s = ${(tok / s / baseTps).toFixed(0)}× a full tokenization`);
}

if (perTask) {
  console.log('\nper task (separate runs, each with its own caches):');
  const names = (tasks === 'no-files' ? ['niah_single_1', 'niah_multikey_2', 'niah_multikey_3', 'vt', 'cwe', 'fwe'] : ['niah_single_1', 'niah_single_2', 'niah_single_3', 'niah_multikey_1', 'niah_multikey_2', 'niah_multikey_3', 'niah_multivalue', 'niah_multiquery', 'vt', 'cwe', 'fwe', 'qa_1', 'qa_2']);
  for (const name of names) {
    const r = await runOnce(name);
    console.log(`  ${name.padEnd(16)} ${r.seconds.toFixed(2).padStart(6)} s  ${(r.tokens / r.seconds / 1e6).toFixed(2)}M tokens/s`);
  }
}

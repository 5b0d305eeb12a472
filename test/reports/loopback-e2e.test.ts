/**
 * The report commands on runs made the way the core's loopback tests make them: the real `dseval run`
 * against a real OpenAI-compatible server on loopback, into a real DuckDB file. A baseline model that
 * solves ~90% and a candidate that solves ~30%; then report (opened in headless Chromium), compare, gate,
 * leaderboard and export, each through the real CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../reports/store.js';
import { dseval, root, tempDir, writeMathFixture } from '../helpers/cli.js';
import { mathResponder, startFakeServer, type FakeServer } from '../helpers/openai-server.js';
import { hasChromium, launchChromium } from './browser.js';
import { plantRun } from './planted.js';
import type { Outcome } from '../../harness/types.js';

const ITEMS = 40;
const artifacts = join(root, 'test-artifacts', 'reports');

describe('report, compare, gate, leaderboard and export on loopback runs', () => {
  const dir = tempDir('dseval-reports-e2e-');
  const db = join(dir, 'runs.duckdb');
  const { path: data, answers } = writeMathFixture(dir, ITEMS);
  let good: FakeServer;
  let bad: FakeServer;
  let baseline = '';
  let candidate = '';

  beforeAll(async () => {
    good = await startFakeServer({ respond: mathResponder(answers, 0.9), model: 'deepseek-v3.2' });
    bad = await startFakeServer({ respond: mathResponder(answers, 0.3), model: 'deepseek-v3.2' });
    const run = (url: string, extra: string[]) =>
      dseval(['run', '--suite', 'aime25', '--data', data, '--model', `openai:${url}`, '-n', '1', '--db', db, '--progress', 'none', ...extra]);
    const a = await run(good.url, []);
    expect(a.exitCode, a.stderr).toBe(0);
    const b = await run(bad.url, ['--temperature', '0.7']);
    expect(b.exitCode, b.stderr).toBe(0);
    const store = await Store.open(db);
    try {
      const runs = await store.listRuns();
      expect(runs).toHaveLength(2);
      [baseline, candidate] = runs.map((r) => r.runId);
      // Long-context runs beside them, stored the way the ruler and niah suites store theirs, so the report
      // draws RULER's table (rulerTable) and the NIAH depth × length heatmap (niahGrid).
      const niah = [];
      for (const length of [1000, 4000, 16000]) {
        for (const depth of [0, 50, 100]) {
          niah.push({ id: `niah/${length}/${depth}`, outcomes: [(length === 16000 && depth === 0 ? 'wrong' : 'correct') as Outcome], metadata: { task: 'niah', length, depth } });
        }
      }
      await plantRun(store, { runId: 'niah-planted', suite: 'niah', items: niah, breakdowns: ['task', 'length', 'depth', 'task,length', 'task,length,depth'] });
      const ruler = [];
      for (const task of ['niah_single_1', 'vt']) {
        for (const length of [4096, 8192, 16384]) {
          for (let k = 0; k < 2; k++) ruler.push({ id: `${task}/${length}/${k}`, outcomes: [(length === 16384 && k === 0 ? 'wrong' : 'correct') as Outcome], metadata: { task, length } });
        }
      }
      await plantRun(store, { runId: 'ruler-planted', suite: 'ruler', items: ruler, breakdowns: ['task', 'length', 'task,length'] });
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    await good?.close();
    await bad?.close();
  });

  it.skipIf(!hasChromium)('writes a self-contained report that renders in Chromium with charts and transcripts', async () => {
    const out = join(dir, 'report.html');
    const r = await dseval(['report', baseline, candidate, 'niah-planted', 'ruler-planted', '--db', db, '-o', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    // self-contained: no external scripts, styles, images or fonts
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?https?:/i);
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'report.html'), html);

    const context = await launchChromium();
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (req) => {
        if (!req.url().startsWith('file:') && !req.url().startsWith('data:')) problems.push(`network request: ${req.url()}`);
      });
      await page.goto(`file://${out}`);
      await page.waitForLoadState('load');

      expect(await page.locator('section.suite').count()).toBe(3);
      expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(10);
      expect(await page.locator('svg.chart-bars').count()).toBeGreaterThanOrEqual(4);
      expect(await page.locator('svg.chart-outcomes').count()).toBe(3);
      expect(await page.locator('svg.chart-boxes').count()).toBe(3);
      // NIAH: the niahGrid heatmap, 3 depths × 3 lengths, the failed cell red
      const niahHeat = page.locator('#suite-niah svg.chart-heatmap').first();
      expect(await niahHeat.locator('rect.cell').count()).toBe(9);
      expect(await niahHeat.locator('rect.cell[fill="rgb(215,48,39)"]').count()).toBe(1);
      // RULER: the suite's table with the effective length (16384's average is 50% < 85.6%)
      const ruler = page.locator('#suite-ruler');
      expect(await ruler.locator('.breakdown').first().innerText()).toMatch(/effective length\s+8192/);
      expect(await ruler.locator('svg.chart-line').count()).toBeGreaterThanOrEqual(1);
      // every chart has a size and an accessible title
      for (const box of await page.locator('svg.chart').evaluateAll((els) => els.map((e) => [e.getBoundingClientRect().width, e.querySelector('title')?.textContent ?? '']))) {
        expect(box[0]).toBeGreaterThan(100);
        expect(String(box[1]).length).toBeGreaterThan(5);
      }
      // the paired comparison inside the report sees the planted regression
      await expect.poll(() => page.locator('table.comparisons tr.verdict-regressed').count()).toBe(1);
      // the item table: 40 items, two runs side by side, one attempt button per run
      const aime = page.locator('section.suite').first();
      expect(await aime.locator('tr.item-row').count()).toBe(ITEMS);
      expect(await aime.locator('tr.item-row').first().locator('button.att').count()).toBe(2);
      await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: false });

      // open a transcript: a wrong attempt of the candidate
      const wrong = aime.locator(`button.att.o-wrong[data-t^="r1|"]`).first();
      const key = await wrong.getAttribute('data-t');
      await wrong.click();
      const dialog = page.locator('dialog#transcript');
      await expect.poll(() => dialog.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(true);
      const body = await dialog.innerText();
      const itemId = key!.split('|')[1];
      expect(body).toContain(`${itemId} · attempt 0 · wrong`);
      expect(body).toMatch(/Let me think about this carefully/);
      expect(body).toMatch(/The answer is therefore \$\\boxed\{\d+\}\$/);
      expect(body).toMatch(/Please reason step by step/);
      expect(body).toContain(candidate);
      await page.screenshot({ path: join(artifacts, 'report-transcript.png') });
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(false);

      // filtering the item table
      await aime.locator('input[value="changed"]').check();
      const shown = await aime.locator('tr.item-row:not([hidden])').count();
      expect(shown).toBeGreaterThan(0);
      expect(shown).toBeLessThan(ITEMS);
      expect(await aime.locator('.item-count').innerText()).toBe(`${shown} of ${ITEMS} items`);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('compare: regressed with exit code 1, McNemar on one binary attempt per item, the temperature change named', async () => {
    const r = await dseval(['compare', baseline, candidate, '--db', db, '--format', 'json']);
    expect(r.exitCode, r.stderr).toBe(1);
    const c = JSON.parse(r.stdout);
    const s = c.suites[0];
    expect(c.verdict).toBe('regressed');
    expect(s.test).toBe('mcnemar');
    expect(s.items).toBe(ITEMS);
    expect(s.diff.mean).toBeLessThan(-0.3);
    expect(s.pValue).toBeLessThan(0.001);
    expect(s.differences.lines).toContain('temperature: 0.6 → 0.7');
  });

  it('gate: failing rules exit 1 and write JUnit XML naming them', async () => {
    const rules = join(dir, 'gates.yaml');
    writeFileSync(
      rules,
      [
        'rules:',
        '  - accuracy: { min: 0.6 }',
        '    suite: aime25',
        `  - no_regression: { baseline: ${baseline} }`,
        '    suite: aime25',
        '  - outcome_rate: { outcome: truncated, max: 0.02 }',
        '    suite: aime25',
        '  - ttft: { stat: p95, max_seconds: 30 }',
        '    suite: aime25',
      ].join('\n'),
    );
    const junit = join(dir, 'gate.xml');
    const pass = await dseval(['gate', '--rules', rules, '--run', baseline, '--db', db]);
    // against itself the baseline cannot regress; its accuracy clears 60%
    expect(pass.exitCode, pass.stdout + pass.stderr).toBe(0);
    const fail = await dseval(['gate', '--rules', rules, '--run', candidate, '--db', db, '--junit', junit]);
    expect(fail.exitCode).toBe(1);
    expect(fail.stdout).toMatch(/FAIL\s+\[1\] aime25: avg@n ≥ 60\.0%/);
    expect(fail.stdout).toMatch(/FAIL\s+\[2\] aime25: no significant regression/);
    expect(fail.stdout).toMatch(/PASS\s+\[3\] aime25: truncated rate ≤ 2\.0%/);
    expect(fail.stdout).toMatch(/PASS\s+\[4\] aime25: p95 time to first token ≤ 30 s/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="dseval gate: [^"]+" tests="4" failures="2" errors="0"/);
  });

  it('leaderboard: the run against DeepSeek-V3.2, matched by model name, with the settings that differ', async () => {
    const r = await dseval(['leaderboard', candidate, '--db', db, '--check']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('against DeepSeek-V3.2 (thinking) on aime25');
    expect(r.stdout).toMatch(/published: 93\.1%/);
    expect(r.stdout).toMatch(/NOT reproduced: the run is below the published value/);
    expect(r.stdout).toMatch(/settings that differ from the recipe: problems, temperature, token budget\n/);
    expect(r.stdout).toMatch(/=\s+judge\s+math: symbolic final-answer checker\s+math@/);
    expect(r.stdout).toMatch(/=\s+prompt\s+.*all 40 prompts match/);
  });

  it('export: the results view to Parquet, read back by DuckDB', async () => {
    const out = join(dir, 'results.parquet');
    const r = await dseval(['export', 'results', '--db', db, '-o', out, '--run', `${baseline},${candidate}`]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote 80 rows/);
    const store = await Store.open(':memory:');
    try {
      const rows = await store.all(`SELECT run_id, count(*) AS n, sum(score) AS correct FROM read_parquet('${out}') GROUP BY run_id ORDER BY run_id`);
      expect(rows.map((x) => Number(x.n))).toEqual([40, 40]);
      expect(Number(rows.find((x) => x.run_id === baseline)!.correct)).toBeGreaterThan(Number(rows.find((x) => x.run_id === candidate)!.correct));
    } finally {
      await store.close();
    }
  });
});

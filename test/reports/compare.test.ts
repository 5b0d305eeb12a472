/**
 * `dseval compare` on constructed runs with planted effects (real DuckDB store, real CLI): identical runs
 * are inconclusive, a planted regression of known size is found with the right sign and p-value, exit
 * codes are as documented, and runs of different data are refused with the difference named.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Store } from '../../reports/store.js';
import { compareRuns, COMPARE_EXIT } from '../../reports/compare.js';
import { attemptPlanText, formatComparisonText } from '../../reports/compare-format.js';
import { dseval, tempDir } from '../helpers/cli.js';
import { defaultParts, itemsWithCorrect, plantRun } from './planted.js';
import type { Outcome } from '../../harness/types.js';

/** P(X ≤ k) for X ~ Binomial(n, ½), exactly with BigInt. */
function binomCdfHalf(n: number, k: number): number {
  let c = 1n;
  let sum = 0n;
  for (let x = 0; x <= k; x++) {
    sum += c;
    c = (c * BigInt(n - x)) / BigInt(x + 1);
  }
  return Number((sum * 10n ** 18n) / 2n ** BigInt(n)) / 1e18;
}

const N_ITEMS = 60;
// Baseline: item i has (i mod 5) of 4 attempts correct. Candidate: 40 items lose one correct attempt,
// 10 gain one, 10 unchanged → Δ = (−40 + 10) / 4 / 60 = −0.125 exactly.
const baseCounts = Array.from({ length: N_ITEMS }, (_, i) => 1 + (i % 3));
const candCounts = baseCounts.map((c, i) => (i < 40 ? c - 1 : i < 50 ? c + 1 : c));

// One binary attempt per item: 12 items correct → wrong, 3 wrong → correct, 65 unchanged (half correct).
const mcBase: Outcome[] = Array.from({ length: 80 }, (_, i) => (i < 12 ? 'correct' : i < 15 ? 'wrong' : i % 2 ? 'correct' : 'wrong'));
const mcCand: Outcome[] = mcBase.map((o, i) => (i < 15 ? (o === 'correct' ? 'wrong' : 'correct') : o));

describe('compare on constructed runs', () => {
  const dir = tempDir('dseval-compare-');
  const db = join(dir, 'runs.duckdb');

  beforeAll(async () => {
    const store = await Store.open(db);
    try {
      await plantRun(store, { runId: 'aime25-base', items: itemsWithCorrect('p', baseCounts, 4) });
      await plantRun(store, { runId: 'aime25-same', items: itemsWithCorrect('p', baseCounts, 4) });
      await plantRun(store, {
        runId: 'aime25-worse',
        items: itemsWithCorrect('p', candCounts, 4),
        config: { suite: 'aime25', model: 'openai:x', temperature: 1.0, seed: 0 },
        fingerprintParts: defaultParts('aime25', { sampling: 'sampling-0002' }),
      });
      await plantRun(store, { runId: 'aime25-better', items: itemsWithCorrect('p', baseCounts.map((c) => Math.min(4, c + 1)), 4) });
      await plantRun(store, { runId: 'hmmt-base', suite: 'hmmt_feb25', items: mcBase.map((o, i) => ({ id: `h${i}`, outcomes: [o] })) });
      await plantRun(store, { runId: 'hmmt-cand', suite: 'hmmt_feb25', items: mcCand.map((o, i) => ({ id: `h${i}`, outcomes: [o] })) });
      // different data: ten fewer items and another data hash
      await plantRun(store, {
        runId: 'aime25-subset',
        items: itemsWithCorrect('p', baseCounts.slice(0, 50), 4),
        fingerprintParts: defaultParts('aime25', { data: 'data-hash-0002' }),
      });
    } finally {
      await store.close();
    }
  });

  const withStore = async <T>(fn: (s: Store) => Promise<T>) => {
    const s = await Store.open(db);
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };
  const ref = async (s: Store, id: string) => ({ store: s, run: await s.getRun(id) });

  it('identical runs are inconclusive with p = 1', async () => {
    const c = await withStore(async (s) => compareRuns([await ref(s, 'aime25-base')], [await ref(s, 'aime25-same')]));
    expect(c.verdict).toBe('inconclusive');
    expect(c.exitCode).toBe(COMPARE_EXIT.inconclusive);
    const [suite] = c.suites;
    expect(suite.diff).toMatchObject({ mean: 0, ciLow: 0, ciHigh: 0 });
    expect(suite.pValue).toBe(1);
    expect(suite.worse).toHaveLength(0);
    expect(suite.better).toHaveLength(0);
  });

  it('finds a planted regression of known size, sign and p-value', async () => {
    const c = await withStore(async (s) => compareRuns([await ref(s, 'aime25-base')], [await ref(s, 'aime25-worse')]));
    const [suite] = c.suites;
    expect(suite.items).toBe(60);
    expect(suite.diff.mean).toBeCloseTo(-0.125, 12);
    expect(suite.diff.ciHigh).toBeLessThan(0);
    expect(suite.diff.ciLow).toBeLessThan(suite.diff.mean);
    expect(suite.test).toBe('sign-flip');
    expect(suite.pMethod).toBe('exact');
    // 50 items moved by ±1/4: S = Σ±1 over 50 items; observed −30 → p = 2·P(Bin(50,½) ≤ 10)
    expect(suite.pValue).toBeCloseTo(2 * binomCdfHalf(50, 10), 12);
    expect(suite.pValue).toBeGreaterThan(1e-6);
    expect(suite.pValue).toBeLessThan(1e-4);
    expect(suite.verdict).toBe('regressed');
    expect(c.exitCode).toBe(COMPARE_EXIT.regressed);
    expect(suite.worse).toHaveLength(40);
    expect(suite.better).toHaveLength(10);
    expect(suite.worse[0]).toMatchObject({ delta: -0.25 });
    expect(suite.mde).toBeGreaterThan(0);
    // the sampling change is named, not refused
    expect(suite.differences.blocking).toBe(false);
    expect(suite.differences.settings).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'temperature', candidate: '1' })]));
  });

  it('keeps a significant change smaller than --min-effect inconclusive', async () => {
    const c = await withStore(async (s) => compareRuns([await ref(s, 'aime25-base')], [await ref(s, 'aime25-worse')], { minEffect: 0.2 }));
    expect(c.verdict).toBe('inconclusive');
    // The attempts-per-item plan: at the runs' own n (4) it reproduces the MDE, then falls towards the items' floor.
    const plan = c.suites[0].attemptPlan!;
    expect(plan.map((r) => r.n)).toEqual([4, 8, 16, 32, null]);
    expect(plan[0].mde).toBeCloseTo(c.suites[0].mde!, 6);
    for (let k = 1; k < plan.length; k++) expect(plan[k].mde).toBeLessThan(plan[k - 1].mde);
    // Planted attempts vary less than independent draws would, so all the spread counts as attempt noise.
    expect(plan[4].mde).toBe(0);
    expect(formatComparisonText(c)).toMatch(/attempts per item vs MDE \(both runs at n\): [\d.]+ at n 4, [\d.]+ at n 8, [\d.]+ at n 16, [\d.]+ at n 32; the items add no measurable spread of their own/);
    expect(attemptPlanText([{ n: 4, mde: 0.152 }, { n: 8, mde: 0.121 }, { n: null, mde: 0.089 }])).toBe(
      'attempts per item vs MDE (both runs at n): 15.2 at n 4, 12.1 at n 8; no n goes below 8.9 pts (the items themselves: add items for less)',
    );
    expect(c.suites[0].pValue).toBeLessThan(0.001);
    expect(c.suites[0].reason).toMatch(/^significant \(p [\d.e-]+\) but \|Δ\| 12\.50 pts is below --min-effect 20\.00 pts$/);
  });

  it('uses McNemar for one binary attempt per item, and Holm across suites', async () => {
    const c = await withStore(async (s) =>
      compareRuns([await ref(s, 'aime25-base'), await ref(s, 'hmmt-base')], [await ref(s, 'aime25-worse'), await ref(s, 'hmmt-cand')]),
    );
    const hm = c.suites.find((x) => x.suite === 'hmmt_feb25')!;
    const ai = c.suites.find((x) => x.suite === 'aime25')!;
    expect(hm.test).toBe('mcnemar');
    expect(hm.discordant).toEqual({ worse: 12, better: 3 });
    expect(hm.pValue).toBeCloseTo(2 * binomCdfHalf(15, 3), 12); // 0.0351…
    expect(hm.diff.mean).toBeCloseTo(-9 / 80, 12);
    // Holm: the smaller p (aime25) is multiplied by 2, the larger by 1 (monotone)
    expect(ai.pAdjusted).toBeCloseTo(2 * ai.pValue, 12);
    expect(hm.pAdjusted).toBeCloseTo(Math.max(hm.pValue, ai.pAdjusted), 12);
    expect(hm.verdict).toBe('regressed');
    expect(c.verdict).toBe('regressed');
  });

  it('--correction bh adjusts by Benjamini–Hochberg instead and says so', async () => {
    const c = await withStore(async (s) =>
      compareRuns([await ref(s, 'aime25-base'), await ref(s, 'hmmt-base')], [await ref(s, 'aime25-worse'), await ref(s, 'hmmt-cand')], { correction: 'bh' }),
    );
    const hm = c.suites.find((x) => x.suite === 'hmmt_feb25')!;
    const ai = c.suites.find((x) => x.suite === 'aime25')!;
    expect(c.correction).toBe('bh');
    // two suites: the smaller p is doubled, the larger stays (it is the largest of m = 2)
    expect(ai.pAdjusted).toBeCloseTo(Math.min(2 * ai.pValue, hm.pValue), 12);
    expect(hm.pAdjusted).toBeCloseTo(hm.pValue, 12);
    expect(hm.reason).toMatch(/^BH-adjusted p /);
    const cli = await dseval(['compare', 'aime25-base,hmmt-base', 'aime25-worse,hmmt-cand', '--db', db, '--correction', 'bh']);
    expect(cli.exitCode).toBe(COMPARE_EXIT.regressed);
    expect(cli.stdout).toMatch(/α = 0\.05 false discovery rate \(BH across 2 suites\)/);
    expect(cli.stdout).toMatch(/BH p/);
    const bad = await dseval(['compare', 'aime25-base', 'aime25-worse', '--db', db, '--correction', 'bonferroni']);
    expect(bad.exitCode).toBe(COMPARE_EXIT.error);
    expect(bad.stderr).toMatch(/bonferroni/);
  });

  it('refuses different data and says what differs; --allow-different pairs the common items', async () => {
    const refused = await dseval(['compare', 'aime25-base', 'aime25-subset', '--db', db]);
    expect(refused.exitCode).toBe(COMPARE_EXIT.notComparable);
    expect(refused.stderr).toMatch(/data differs \(data-hash-0001 vs data-hash-0002\)/);
    expect(refused.stderr).toMatch(/10 items only in the baseline \(p051, p052/);
    const allowed = await dseval(['compare', 'aime25-base', 'aime25-subset', '--db', db, '--allow-different', '--format', 'json']);
    expect(allowed.exitCode).toBe(COMPARE_EXIT.inconclusive);
    const json = JSON.parse(allowed.stdout);
    expect(json.suites[0].items).toBe(50);
    expect(json.suites[0].excluded.onlyBaseline).toBe(10);
  });

  it('exit codes through the CLI: 0 improved, 1 regressed, 2 inconclusive, 4 errors', async () => {
    const improved = await dseval(['compare', 'aime25-base', 'aime25-better', '--db', db]);
    expect(improved.exitCode).toBe(0);
    expect(improved.stdout).toMatch(/verdict: IMPROVED \(exit 0\)/);
    const regressed = await dseval(['compare', 'aime25-base', 'aime25-worse', '--db', db, '--json', join(dir, 'c.json')]);
    expect(regressed.exitCode).toBe(1);
    expect(regressed.stdout).toMatch(/aime25\s+60\s+50\.0%\s+37\.5%\s+−12\.5/);
    expect(regressed.stdout).toMatch(/40 items worse, 10 better, 10 unchanged/);
    expect(regressed.stdout).toMatch(/temperature: 0\.6 → 1/);
    expect(JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')).verdict).toBe('regressed');
    const same = await dseval(['compare', 'aime25-base', 'aime25-same', '--db', db]);
    expect(same.exitCode).toBe(2);
    const unknown = await dseval(['compare', 'nope', 'aime25-same', '--db', db]);
    expect(unknown.exitCode).toBe(4);
    expect(unknown.stderr).toMatch(/no run "nope"/);
    const badFlag = await dseval(['compare', 'aime25-base', 'aime25-same', '--db', db, '--alpha', '2']);
    expect(badFlag.exitCode).toBe(4);
    const md = await dseval(['compare', 'aime25-base,hmmt-base', 'aime25-worse,hmmt-cand', '--db', db, '--format', 'markdown']);
    expect(md.exitCode).toBe(1);
    expect(md.stdout).toMatch(/^### dseval compare: \*\*regressed\*\*/);
    expect(md.stdout).toMatch(/\| hmmt_feb25 \| 80 \|/);
  });
});

/**
 * `dseval show <run> --cutoff DAY` on constructed runs (real DuckDB store, real CLI, the real suites' release
 * dates): problems are split by the day they became public, each side gets the suite's metrics, and the
 * difference of the headline metric gets an interval that excludes 0 only when the planted gap is real.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Store } from '../../reports/store.js';
import { cutoffSplit } from '../../reports/cutoff.js';
import { twoSampleBootstrap } from '../../reports/stats.js';
import { loadSuite } from '../../suites/index.js';
import { lcbMetrics } from '../../suites/lcb/suite.js';
import { dseval, tempDir } from '../helpers/cli.js';
import { itemsWithCorrect, plantRun } from './planted.js';

let db: string;

// LCB: 40 problems from Jan–Apr 2025 (day 10 of each month), one attempt each. Before 2025-03-01 (20 problems)
// 18 are solved, from March on 4 of 20: a drop of 70 points.
const lcbDay = (i: number) => `2025-0${1 + Math.floor(i / 10)}-10T00:00:00`;
const lcbCorrect = Array.from({ length: 40 }, (_, i) => (i < 20 ? (i < 18 ? 1 : 0) : i < 24 ? 1 : 0));
// AIME 2025: I on 6 February, II on 12 February; the same accuracy on both, 2 of 4 attempts per problem.
const aimeItems = itemsWithCorrect('2025-', Array(30).fill(2), 4, (i) => ({ source: i < 15 ? 'AIME 2025 I' : 'AIME 2025 II' }));

beforeAll(async () => {
  db = join(tempDir(), 'cutoff.duckdb');
  const store = await Store.open(db);
  try {
    await plantRun(store, {
      runId: 'lcb-run',
      suite: 'lcb',
      items: itemsWithCorrect('p', lcbCorrect, 1, (i) => ({ contest_date: lcbDay(i), difficulty: 'easy' })),
      metrics: lcbMetrics,
    });
    await plantRun(store, { runId: 'aime-run', suite: 'aime25', items: aimeItems });
    await plantRun(store, { runId: 'ruler-run', suite: 'ruler', items: itemsWithCorrect('r', [1, 0], 1) });
  } finally {
    await store.close();
  }
});

describe('contamination split', () => {
  it('splits LCB problems by contest date and finds the planted drop', async () => {
    const store = await Store.open(db);
    try {
      const split = await cutoffSplit(store, await store.getRun('lcb-run'), await loadSuite('lcb'), '2025-03-01');
      expect([split.itemsBefore, split.itemsAfter, split.undated]).toEqual([20, 20, 0]);
      expect(split.headline).toBe('pass@1');
      const row = (side: string) => split.rows.find((r) => r.metric === 'pass@1' && r.breakdown === `released=${side} 2025-03-01`)!;
      expect(row('before').value).toBeCloseTo(0.9, 12);
      expect(row('on/after').value).toBeCloseTo(0.2, 12);
      expect(split.delta!.mean).toBeCloseTo(-0.7, 12);
      expect(split.delta!.ciHigh).toBeLessThan(0);
      // A problem released on the cutoff day itself counts as after (before means strictly earlier).
      const onDay = await cutoffSplit(store, await store.getRun('lcb-run'), await loadSuite('lcb'), '2025-03-10');
      expect([onDay.itemsBefore, onDay.itemsAfter]).toEqual([20, 20]);
      const later = await cutoffSplit(store, await store.getRun('lcb-run'), await loadSuite('lcb'), '2025-03-11');
      expect([later.itemsBefore, later.itemsAfter]).toEqual([30, 10]);
    } finally {
      await store.close();
    }
  });

  it('uses the competition days of AIME I and II; equal accuracy gives an interval around 0', async () => {
    const store = await Store.open(db);
    try {
      const split = await cutoffSplit(store, await store.getRun('aime-run'), await loadSuite('aime25'), '2025-02-10');
      expect([split.itemsBefore, split.itemsAfter]).toEqual([15, 15]);
      expect(split.headline).toBe('avg@4');
      expect(split.delta!.mean).toBe(0);
      expect(split.delta!.ciLow).toBeLessThanOrEqual(0);
      expect(split.delta!.ciHigh).toBeGreaterThanOrEqual(0);
      const all = await cutoffSplit(store, await store.getRun('aime-run'), await loadSuite('aime25'), '2025-01-01');
      expect([all.itemsBefore, all.itemsAfter, all.delta]).toEqual([0, 30, null]);
    } finally {
      await store.close();
    }
  });

  it('the two-sample bootstrap interval covers the true difference and narrows with more items', () => {
    const a = Array.from({ length: 200 }, (_, i) => (i % 2 ? 1 : 0));
    const b = Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const wide = twoSampleBootstrap(a.slice(0, 40), b.slice(0, 40));
    const narrow = twoSampleBootstrap(a, b);
    expect(narrow.mean).toBeCloseTo(-0.25, 12);
    expect(narrow.ciLow).toBeLessThan(-0.25);
    expect(narrow.ciHigh).toBeGreaterThan(-0.25);
    expect(narrow.ciHigh - narrow.ciLow).toBeLessThan(wide.ciHigh - wide.ciLow);
  });

  it('dseval show --cutoff prints both sides and the difference; bad days and dateless suites are clear errors', async () => {
    const ok = await dseval(['show', 'lcb-run', '--db', db, '--cutoff', '2025-03-01']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('contamination split at 2025-03-01: 20 items released before, 20 on or after');
    expect(ok.stdout).toMatch(/pass@1\s+90\.0% \[[\d.]+%, [\d.]+%\]\s+20\.0% \[/);
    expect(ok.stdout).toMatch(/pass@1 after − before: -70\.0 pts \[-[\d.]+, -[\d.]+\] .*lower after the cutoff/);

    const bad = await dseval(['show', 'lcb-run', '--db', db, '--cutoff', '2025-13-45']);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('--cutoff: expected a day as YYYY-MM-DD, got "2025-13-45"');

    // The report shows the split as a "released" breakdown of the runs whose suite has release dates.
    const html = join(dirname(db), 'cutoff.html');
    const rep = await dseval(['report', 'lcb-run', 'aime-run', '--db', db, '--cutoff', '2025-03-01', '-o', html]);
    expect(rep.exitCode, rep.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('By released');
    expect(page).toMatch(/<td>before 2025-03-01<\/td><td>90\.0% \[[\d.]+%, [\d.]+%\] · n=20<\/td>/);
    expect(page).toMatch(/<td>on\/after 2025-03-01<\/td><td>20\.0% \[[\d.]+%, [\d.]+%\] · n=20<\/td>/);
    expect(page).toMatch(/<td>before 2025-03-01<\/td><td>50\.0% \[50\.0%, 50\.0%\] · n=30<\/td>/); // every AIME 2025 problem

    const synthetic = await dseval(['show', 'ruler-run', '--db', db, '--cutoff', '2025-03-01']);
    expect(synthetic.exitCode).not.toBe(0);
    expect(synthetic.stderr).toContain('suite ruler has no release dates');
  });
});

describe.skipIf(!process.env.DSEVAL_DATA_DIR)('release dates of the real datasets', () => {
  it('AIME 2025 I/II, AIME 2024 I/II and HMMT Feb 2025 land on their competition days', async () => {
    const days = async (name: string) => {
      const suite = await loadSuite(name);
      const items = await suite.load({ dataPath: null, dataDir: process.env.DSEVAL_DATA_DIR!, options: {}, tokenizer: null });
      const count = new Map<string, number>();
      for (const i of items) count.set(suite.releaseDate!(i)!, (count.get(suite.releaseDate!(i)!) ?? 0) + 1);
      return Object.fromEntries(count);
    };
    expect(await days('aime25')).toEqual({ '2025-02-06': 15, '2025-02-12': 15 });
    expect(await days('aime24')).toEqual({ '2024-02-01': 15, '2024-02-07': 15 });
    expect(await days('hmmt_feb25')).toEqual({ '2025-02-15': 30 });
  });
});

/** The RULER summary table, checked against rows of NVIDIA/RULER's README. */
import { describe, expect, it } from 'vitest';
import { rulerCellsFromMetrics, rulerTable, type RulerCell } from '../../../suites/ruler/table.js';

const LENGTHS = [4096, 8192, 16384, 32768, 65536, 131072];
/** One task whose score at each length is the README's per-length average (so averages equal them). */
const row = (scores: number[]): RulerCell[] => scores.map((s, i) => ({ task: 'all', length: LENGTHS[i], score: s / 100, n: 500 }));

describe('rulerTable', () => {
  it('reproduces Llama-3.1-70B: average 89.6, wAvg 85.5 (inc) / 93.7 (dec), effective length 64K', () => {
    const t = rulerTable(row([96.5, 95.8, 95.4, 94.8, 88.4, 66.6]));
    expect(t.average).toBeCloseTo(89.58, 2);
    expect(t.weightedIncreasing.toFixed(1)).toBe('85.5');
    expect(t.weightedDecreasing.toFixed(1)).toBe('93.7');
    expect(t.effectiveLength).toBe(65536);
    expect(t.effectiveLengthLabel).toBe('65536');
  });
  it('labels a model above the threshold everywhere ">128K" and one below at 4K "<4K"', () => {
    expect(rulerTable(row([97.5, 97.1, 94.6, 94.9, 94.9, 92.2])).effectiveLengthLabel).toBe('>131072');
    const lwm = rulerTable(row([82.3, 78.4, 73.7, 69.1, 68.1, 65.0]));
    expect(lwm.effectiveLength).toBeNull();
    expect(lwm.effectiveLengthLabel).toBe('<4096');
  });
  it('stops at the first length at or below the threshold, even if a longer one recovers', () => {
    // InternLM2.5: 88.1 then 85.5 (below 85.6) → 4K, whatever follows.
    expect(rulerTable(row([88.1, 85.5, 86, 90, 90, 90])).effectiveLength).toBe(4096);
    // Exactly the threshold does not exceed it.
    expect(rulerTable(row([85.6, 90, 90, 90, 90, 90])).effectiveLength).toBeNull();
    expect(rulerTable(row([90, 90, 80, 90, 90, 90]), 75).effectiveLength).toBe(131072);
  });
  it('averages tasks per length and marks lengths where a task is missing', () => {
    const cells: RulerCell[] = [
      { task: 'vt', length: 4096, score: 1, n: 10 },
      { task: 'cwe', length: 4096, score: 0.5, n: 10 },
      { task: 'vt', length: 8192, score: 0.9, n: 10 },
    ];
    const t = rulerTable(cells);
    expect(t.tasks).toEqual(['vt', 'cwe']);
    expect(t.grid).toEqual([
      { task: 'vt', scores: [100, 90] },
      { task: 'cwe', scores: [50, null] },
    ]);
    expect(t.perLength.map((p) => [p.length, p.average, p.tasks, p.complete])).toEqual([
      [4096, 75, 2, true],
      [8192, 90, 1, false],
    ]);
  });
  it('refuses percentages, duplicates and empty input', () => {
    expect(() => rulerTable([{ task: 'vt', length: 4096, score: 95, n: 1 }])).toThrow(/fractions/);
    expect(() => rulerTable([...row([90]), ...row([91])])).toThrow(/two cells/);
    expect(() => rulerTable([])).toThrow(/no cells/);
  });
  it('reads its cells from stored task × length metric slices', () => {
    const rows = [
      { metric: 'avg@1', breakdown: '', value: 0.8, nItems: 40 },
      { metric: 'avg@1', breakdown: 'task=vt', value: 0.9, nItems: 20 },
      { metric: 'avg@1', breakdown: 'task=vt,length=4096', value: 0.95, nItems: 10 },
      { metric: 'pass@1', breakdown: 'task=vt,length=4096', value: 0.5, nItems: 10 },
      { metric: 'avg@1', breakdown: 'task=niah_single_1,length=8192', value: 1, nItems: 10 },
    ];
    expect(rulerCellsFromMetrics(rows)).toEqual([
      { task: 'vt', length: 4096, score: 0.95, n: 10 },
      { task: 'niah_single_1', length: 8192, score: 1, n: 10 },
    ]);
    expect(rulerCellsFromMetrics(rows, 'pass@1')).toEqual([{ task: 'vt', length: 4096, score: 0.5, n: 10 }]);
  });
});

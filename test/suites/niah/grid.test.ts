/** The NIAH grid: depth spacings, multi-needle spacing and the heatmap table. */
import { describe, expect, it } from 'vitest';
import { linspace, niahCellsFromMetrics, niahGrid, sigmoidDepths } from '../../../suites/niah/grid.js';
import { needleDepths } from '../../../suites/niah/suite.js';

describe('NIAH grid', () => {
  it('spaces lengths and depths linearly like numpy.linspace', () => {
    expect(linspace(1000, 16000, 4)).toEqual([1000, 6000, 11000, 16000]);
    expect(linspace(0, 100, 11).map(Math.round)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(linspace(5, 9, 1)).toEqual([5]);
  });
  it("spaces sigmoid depths densely near both ends, with 0 and 100 exact (gkamradt's logistic, k = 0.1)", () => {
    const d = sigmoidDepths(0, 100, 11);
    expect(d[0]).toBe(0);
    expect(d[10]).toBe(100);
    expect(d[5]).toBe(50);
    expect(d[1]).toBe(1.799); // 100 / (1 + e^4)
    expect(d[9]).toBe(98.201);
    for (let i = 1; i < d.length; i++) expect(d[i]).toBeGreaterThan(d[i - 1]);
    expect(d[1] - d[0]).toBeLessThan(d[5] - d[4]);
  });
  it('spreads multi-needle depths evenly from the chosen depth toward 100%', () => {
    expect(needleDepths(40, 3)).toEqual([40, 60, 80]);
    expect(needleDepths(100, 3)).toEqual([100, 100, 100]);
    expect(needleDepths(0, 1)).toEqual([0]);
  });
  it('builds the length × depth heatmap with per-length and per-depth averages', () => {
    const g = niahGrid([
      { length: 2000, depth: 0, score: 1, n: 1 },
      { length: 1000, depth: 0, score: 0.5, n: 1 },
      { length: 1000, depth: 50, score: 0, n: 1 },
    ]);
    expect(g.lengths).toEqual([1000, 2000]);
    expect(g.depths).toEqual([0, 50]);
    expect(g.scores).toEqual([
      [50, 100],
      [0, null],
    ]);
    expect(g.perLength).toEqual([
      { length: 1000, average: 25 },
      { length: 2000, average: 100 },
    ]);
    expect(g.perDepth).toEqual([
      { depth: 0, average: 75 },
      { depth: 50, average: 0 },
    ]);
    expect(g.average).toBe(50);
    expect(() => niahGrid([{ length: 1, depth: 1, score: 2, n: 1 }])).toThrow(/fractions/);
  });
  it('reads cells of one task from stored length × depth slices', () => {
    const rows = [
      { metric: 'avg@1', breakdown: 'task=niah,length=1000,depth=1.799', value: 1, nItems: 1 },
      { metric: 'avg@1', breakdown: 'task=niah_multi,length=1000,depth=0', value: 0.5, nItems: 1 },
      { metric: 'avg@1', breakdown: 'task=niah,length=1000', value: 1, nItems: 11 },
      { metric: 'pass@1', breakdown: 'task=niah,length=1000,depth=1.799', value: 0, nItems: 1 },
    ];
    expect(niahCellsFromMetrics(rows)).toEqual([{ length: 1000, depth: 1.799, score: 1, n: 1 }]);
    expect(niahCellsFromMetrics(rows, 'niah_multi')).toEqual([{ length: 1000, depth: 0, score: 0.5, n: 1 }]);
  });
});

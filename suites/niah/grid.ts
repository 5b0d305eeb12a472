/**
 * The needle-in-a-haystack grid: context lengths × needle depths (linear, or gkamradt's two-ended sigmoid
 * spacing that crowds depths near 0% and 100%), and the heatmap table reports draw from per-cell scores.
 */

/** round(linspace(start, end, count)), as gkamradt builds context lengths and linear depths. */
export function linspace(start: number, end: number, count: number): number[] {
  if (count < 1) throw new Error('linspace: count must be ≥ 1');
  if (count === 1) return [start];
  return Array.from({ length: count }, (_, i) => start + ((end - start) * i) / (count - 1));
}

/**
 * gkamradt's sigmoid depths: a logistic (L = 100, midpoint 50, k = 0.1) of evenly spaced points, rounded
 * to 3 decimals, with the end points kept at exactly 0 and 100.
 */
export function sigmoidDepths(start: number, end: number, count: number): number[] {
  return linspace(start, end, count).map((x) => {
    if (x === 0 || x === 100) return x;
    return Math.round((100 / (1 + Math.exp(-0.1 * (x - 50)))) * 1000) / 1000;
  });
}

export interface NiahCell {
  length: number;
  depth: number;
  /** Mean score in [0, 1]. */
  score: number;
  n: number;
}

export interface NiahGrid {
  lengths: number[];
  depths: number[];
  /** scores[d][l]: percent at depths[d] and lengths[l]; null where the cell is missing. */
  scores: Array<Array<number | null>>;
  perLength: Array<{ length: number; average: number }>;
  perDepth: Array<{ depth: number; average: number }>;
  /** Mean over all cells present (percent). */
  average: number;
  cells: number;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The length × depth heatmap from per-cell scores (fractions in, percentages out). */
export function niahGrid(cells: NiahCell[]): NiahGrid {
  if (cells.length === 0) throw new Error('niahGrid: no cells');
  const lengths = [...new Set(cells.map((c) => c.length))].sort((a, b) => a - b);
  const depths = [...new Set(cells.map((c) => c.depth))].sort((a, b) => a - b);
  const scores = depths.map(() => lengths.map((): number | null => null));
  for (const c of cells) {
    if (!(c.score >= 0 && c.score <= 1)) throw new Error(`niahGrid: score at length ${c.length}, depth ${c.depth} is ${c.score}; scores are fractions in [0, 1]`);
    const row = scores[depths.indexOf(c.depth)];
    const j = lengths.indexOf(c.length);
    if (row[j] !== null) throw new Error(`niahGrid: two cells at length ${c.length}, depth ${c.depth}`);
    row[j] = c.score * 100;
  }
  const present = (xs: Array<number | null>) => xs.filter((x): x is number => x !== null);
  return {
    lengths,
    depths,
    scores,
    perLength: lengths.map((length, j) => ({ length, average: mean(present(scores.map((r) => r[j]))) })),
    perDepth: depths.map((depth, d) => ({ depth, average: mean(present(scores[d])) })),
    average: mean(cells.map((c) => c.score * 100)),
    cells: cells.length,
  };
}

/** Cells of one NIAH task from stored metric rows: slices "task=<t>,length=<l>,depth=<d>" of one metric. */
export function niahCellsFromMetrics(
  rows: Array<{ metric: string; breakdown: string; value: number; nItems: number }>,
  task = 'niah',
  metric?: string,
): NiahCell[] {
  const name = metric ?? rows.find((r) => r.metric.startsWith('avg@'))?.metric;
  const out: NiahCell[] = [];
  for (const r of rows) {
    if (r.metric !== name) continue;
    const m = /^task=([^,]+),length=(\d+),depth=([\d.]+)$/.exec(r.breakdown);
    if (m && m[1] === task) out.push({ length: Number(m[2]), depth: Number(m[3]), score: r.value, n: r.nItems });
  }
  return out;
}

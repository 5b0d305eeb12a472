/**
 * RULER's summary table from per-(task, length) scores: the task × length grid, the average over tasks at
 * each length, the overall and the length-weighted averages (wAvg inc/dec, weights 1…L rising or falling
 * with length), and the effective length — the longest length up to which every length's average exceeds
 * the threshold (85.6, Llama-2-7B's score at 4K, by default). Scores come in as fractions in [0, 1] (the
 * store's unit) and go out as percentages (RULER's unit).
 */

export interface RulerCell {
  task: string;
  length: number;
  /** Mean item score in [0, 1]. */
  score: number;
  /** Items behind the score. */
  n: number;
}

export interface RulerTable {
  tasks: string[];
  lengths: number[];
  /** Percent per task and length; null where a cell is missing. */
  grid: Array<{ task: string; scores: Array<number | null> }>;
  /** Per length: the mean of the task scores present (percent), and whether every task was present. */
  perLength: Array<{ length: number; average: number; tasks: number; complete: boolean; aboveThreshold: boolean }>;
  /** Mean of the per-length averages (percent). */
  average: number;
  /** Weighted by length rank, rising (inc) and falling (dec) — RULER's wAvg columns. */
  weightedIncreasing: number;
  weightedDecreasing: number;
  threshold: number;
  /** Longest length with every length up to it above the threshold; null when even the shortest is not. */
  effectiveLength: number | null;
  /** RULER-style text: "32768", ">131072" (all lengths pass), "<4096" (none does). */
  effectiveLengthLabel: string;
}

export const RULER_THRESHOLD = 85.6;

export function rulerTable(cells: RulerCell[], threshold = RULER_THRESHOLD): RulerTable {
  if (cells.length === 0) throw new Error('rulerTable: no cells');
  for (const c of cells) {
    if (!(c.score >= 0 && c.score <= 1)) throw new Error(`rulerTable: score of ${c.task} at ${c.length} is ${c.score}; scores are fractions in [0, 1]`);
  }
  const tasks = [...new Set(cells.map((c) => c.task))];
  const lengths = [...new Set(cells.map((c) => c.length))].sort((a, b) => a - b);
  const at = new Map<string, number>();
  for (const c of cells) {
    const key = `${c.task}\u0000${c.length}`;
    if (at.has(key)) throw new Error(`rulerTable: two cells for ${c.task} at ${c.length}`);
    at.set(key, c.score * 100);
  }
  const grid = tasks.map((task) => ({ task, scores: lengths.map((l) => at.get(`${task}\u0000${l}`) ?? null) }));
  const perLength = lengths.map((length, j) => {
    const present = grid.map((r) => r.scores[j]).filter((s): s is number => s !== null);
    const average = present.reduce((s, x) => s + x, 0) / present.length;
    return { length, average, tasks: present.length, complete: present.length === tasks.length, aboveThreshold: average > threshold };
  });
  const averages = perLength.map((p) => p.average);
  const weighted = (weights: number[]) => averages.reduce((s, a, i) => s + a * weights[i], 0) / weights.reduce((s, w) => s + w, 0);
  const rising = lengths.map((_, i) => i + 1);
  let effective: number | null = null;
  for (const p of perLength) {
    if (!p.aboveThreshold) break;
    effective = p.length;
  }
  const last = lengths[lengths.length - 1];
  return {
    tasks,
    lengths,
    grid,
    perLength,
    average: averages.reduce((s, a) => s + a, 0) / averages.length,
    weightedIncreasing: weighted(rising),
    weightedDecreasing: weighted([...rising].reverse()),
    threshold,
    effectiveLength: effective,
    effectiveLengthLabel: effective === null ? `<${lengths[0]}` : effective === last ? `>${last}` : String(effective),
  };
}

/**
 * The cells of a run from its stored metric rows: slices "task=<t>,length=<l>" of one metric (the RULER
 * score is the mean string-match score, avg@n).
 */
export function rulerCellsFromMetrics(rows: Array<{ metric: string; breakdown: string; value: number; nItems: number }>, metric?: string): RulerCell[] {
  const name = metric ?? rows.find((r) => r.metric.startsWith('avg@'))?.metric;
  const out: RulerCell[] = [];
  for (const r of rows) {
    if (r.metric !== name) continue;
    const m = /^task=([^,]+),length=(\d+)$/.exec(r.breakdown);
    if (m) out.push({ task: m[1], length: Number(m[2]), score: r.value, n: r.nItems });
  }
  return out;
}

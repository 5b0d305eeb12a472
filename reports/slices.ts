/**
 * Breakdown slices of the metrics table ("difficulty=hard", "task=vt,length=4096") parsed back into keys and
 * values, grouped into one-way lists and two-way tables (the RULER task × length table, the NIAH
 * length × depth grid). Shared by the terminal summary and the HTML report.
 */
import type { MetricRow } from './store.js';

export interface SliceKey {
  /** Metadata keys, in the order of the label ("task", "length"). */
  keys: string[];
  values: string[];
}

/** Parses "k=v" or "k1=v1,k2=v2"; values may themselves contain "=" but not ",k=" sequences. */
export function parseSlice(label: string): SliceKey | null {
  if (!label) return null;
  const keys: string[] = [];
  const values: string[] = [];
  for (const part of label.split(/,(?=[A-Za-z_][\w.-]*=)/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    keys.push(part.slice(0, eq));
    values.push(part.slice(eq + 1));
  }
  return { keys, values };
}

/** Numeric-aware ordering: 4096 < 8192 < 16384, "easy" < "hard" alphabetically. */
export function compareValues(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a.localeCompare(b, undefined, { numeric: true });
}

export const isNumericAxis = (values: string[]): boolean => values.length > 0 && values.every((v) => v !== '' && Number.isFinite(Number(v)));

export interface OneWay {
  key: string;
  /** Values in display order. */
  values: string[];
  /** value → metric row of the chosen metric. */
  cells: Map<string, MetricRow>;
}

export interface TwoWay {
  /** Leading keys held fixed, for slices of three or more keys ("task=niah"); '' for two-way slices. */
  fixed: string;
  /** Row key and column key (NIAH: depth × length; RULER: task × length). */
  rowKey: string;
  colKey: string;
  rows: string[];
  cols: string[];
  cells: Map<string, MetricRow>;
}

export const cellKey = (row: string, col: string): string => `${row}\u0000${col}`;

/**
 * Orients a two-way table the way readers expect: a length axis goes across (columns); depth goes down
 * (rows) so the NIAH grid reads like the published heatmaps.
 */
function orient(keys: [string, string]): [string, string] {
  const [a, b] = keys;
  if (a === 'length' || a === 'context_length' || b === 'depth') return [b, a];
  return [a, b];
}

/**
 * The breakdown slices of one metric, grouped into one-way lists and two-way tables. A slice of three or
 * more keys ("task=niah,length=…,depth=…") becomes a two-way table of its last two keys per value of the
 * leading ones.
 */
export function groupSlices(rows: MetricRow[], metric: string): { oneWay: OneWay[]; twoWay: TwoWay[] } {
  const one = new Map<string, OneWay>();
  const two = new Map<string, TwoWay>();
  for (const r of rows) {
    if (r.metric !== metric || !r.breakdown) continue;
    const s = parseSlice(r.breakdown);
    if (!s) continue;
    if (s.keys.length === 1) {
      const k = s.keys[0];
      if (!one.has(k)) one.set(k, { key: k, values: [], cells: new Map() });
      const g = one.get(k)!;
      g.values.push(s.values[0]);
      g.cells.set(s.values[0], r);
    } else if (s.keys.length >= 2) {
      const k = s.keys.length;
      const fixed = s.keys.slice(0, k - 2).map((key, i) => `${key}=${s.values[i]}`).join(',');
      const [rowKey, colKey] = orient([s.keys[k - 2], s.keys[k - 1]]);
      const id = `${fixed}\u0000${rowKey}\u0000${colKey}`;
      if (!two.has(id)) two.set(id, { fixed, rowKey, colKey, rows: [], cols: [], cells: new Map() });
      const t = two.get(id)!;
      const rv = s.values[s.keys.lastIndexOf(rowKey)];
      const cv = s.values[s.keys.lastIndexOf(colKey)];
      if (!t.rows.includes(rv)) t.rows.push(rv);
      if (!t.cols.includes(cv)) t.cols.push(cv);
      t.cells.set(cellKey(rv, cv), r);
    }
  }
  for (const g of one.values()) g.values.sort(compareValues);
  for (const t of two.values()) {
    t.rows.sort(compareValues);
    t.cols.sort(compareValues);
  }
  return { oneWay: [...one.values()], twoWay: [...two.values()] };
}

/**
 * Column averages of a two-way table (RULER's per-length score: the mean of the task scores at that
 * length), over the rows that have a value.
 */
export function columnMeans(t: TwoWay): Map<string, { mean: number; rows: number }> {
  const out = new Map<string, { mean: number; rows: number }>();
  for (const c of t.cols) {
    const vals = t.rows.map((r) => t.cells.get(cellKey(r, c))?.value).filter((v): v is number => v !== undefined && Number.isFinite(v));
    if (vals.length) out.set(c, { mean: vals.reduce((s, v) => s + v, 0) / vals.length, rows: vals.length });
  }
  return out;
}

/** The primary metric of a run: avg@<n> when present, else the first overall metric. */
export function primaryMetric(rows: MetricRow[], n: number): string | null {
  const overall = rows.filter((r) => r.breakdown === '');
  if (overall.some((r) => r.metric === `avg@${n}`)) return `avg@${n}`;
  return overall[0]?.metric ?? null;
}

/**
 * The long-context summaries of the report, computed by the suites' own functions so the report and the
 * suites agree on every number: RULER's table (per-length average over tasks, weighted averages, effective
 * length) from rulerTable, and the NIAH depth × length heatmap per task from niahGrid.
 */
import { rulerCellsFromMetrics, rulerTable, RULER_THRESHOLD } from '../../suites/ruler/table.js';
import { niahCellsFromMetrics, niahGrid } from '../../suites/niah/grid.js';
import { heatmap, lineChart, pctLabel } from './charts.js';
import type { Breakdown, RunRef, Table } from './sections.js';

const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(1)}%`);

/** RULER's summary table and the per-length line chart, one column / line per run. */
export function rulerSummary(runs: RunRef[]): Breakdown | null {
  const tables = runs
    .map((r) => ({ r, cells: r.data.primary ? rulerCellsFromMetrics(r.data.metrics, r.data.primary) : [] }))
    .filter((x) => x.cells.length)
    .map(({ r, cells }) => ({ r, t: rulerTable(cells) }));
  if (!tables.length) return null;
  const lengths = [...new Set(tables.flatMap(({ t }) => t.lengths))].sort((a, b) => a - b);
  const at = (t: (typeof tables)[number]['t'], length: number) => t.perLength.find((p) => p.length === length);
  const table: Table = {
    header: ['length', ...tables.map(({ r }) => r.label)],
    rows: [
      ...lengths.map((l) => ({
        cells: [
          String(l),
          ...tables.map(({ t }) => {
            const p = at(t, l);
            return p ? `${pct(p.average)}${p.complete ? '' : ` (${p.tasks} of ${t.tasks.length} tasks)`}` : '–';
          }),
        ],
      })),
      { cls: 'mean-row', cells: ['average', ...tables.map(({ t }) => pct(t.average))] },
      { cells: ['wAvg (inc)', ...tables.map(({ t }) => pct(t.weightedIncreasing))] },
      { cells: ['wAvg (dec)', ...tables.map(({ t }) => pct(t.weightedDecreasing))] },
      { cls: 'mean-row', cells: ['effective length', ...tables.map(({ t }) => t.effectiveLengthLabel)] },
    ],
  };
  const chart = lineChart({
    title: 'RULER: average over tasks by length',
    xLabel: 'length',
    xs: lengths.map(String),
    series: tables.map(({ r, t }) => ({ label: r.label, color: r.color, points: t.perLength.map((p) => ({ x: String(p.length), y: p.average / 100 })) })),
    threshold: { value: RULER_THRESHOLD / 100, label: `RULER ${RULER_THRESHOLD}%` },
  });
  return {
    title: 'RULER summary',
    charts: [chart],
    tables: [table],
    notes: [
      `Per length: the mean of the task scores (${tables[0].r.data.primary}); effective length: the longest length up to which every ` +
        `length's average exceeds ${RULER_THRESHOLD}% (Llama-2-7B at 4K); wAvg weights lengths by rank, rising (inc) or falling (dec).`,
    ],
  };
}

/** NIAH: per task, each run's depth × length heatmap and the per-length averages. */
export function niahSummaries(runs: RunRef[]): Breakdown[] {
  const tasks = new Set<string>();
  for (const r of runs) for (const m of r.data.metrics) {
    const t = /^task=([^,]+),length=\d+,depth=/.exec(m.breakdown);
    if (t) tasks.add(t[1]);
  }
  const out: Breakdown[] = [];
  for (const task of [...tasks].sort()) {
    const grids = runs
      .map((r) => ({ r, cells: r.data.primary ? niahCellsFromMetrics(r.data.metrics, task, r.data.primary) : [] }))
      .filter((x) => x.cells.length)
      .map(({ r, cells }) => ({ r, g: niahGrid(cells) }));
    if (!grids.length) continue;
    const lengths = [...new Set(grids.flatMap(({ g }) => g.lengths))].sort((a, b) => a - b);
    const charts = [
      lineChart({
        title: `${task}: average over depths by context length`,
        xLabel: 'context length',
        xs: lengths.map(String),
        series: grids.map(({ r, g }) => ({ label: r.label, color: r.color, points: g.perLength.map((p) => ({ x: String(p.length), y: p.average / 100 })) })),
      }),
      ...grids.map(({ r, g }) =>
        heatmap({
          title: `${r.label}: ${task}, needle depth × context length (average ${pct(g.average)})`,
          rowLabel: 'depth %',
          colLabel: 'context length',
          rows: g.depths.map(String),
          cols: g.lengths.map(String),
          value: (row, col) => {
            const v = g.scores[g.depths.indexOf(Number(row))]?.[g.lengths.indexOf(Number(col))];
            return v === null || v === undefined ? null : { value: v / 100, tooltip: `depth ${row}%, length ${col}: ${pctLabel(v / 100)}` };
          },
        }),
      ),
    ];
    const tables: Table[] = [
      {
        header: ['average over depths', ...lengths.map(String), 'all'],
        rows: grids.map(({ r, g }) => ({ cells: [r.label, ...lengths.map((l) => pct(g.perLength.find((p) => p.length === l)?.average)), pct(g.average)] })),
      },
    ];
    out.push({ title: `Needle in a haystack: ${task}`, charts, tables, notes: [] });
  }
  return out;
}

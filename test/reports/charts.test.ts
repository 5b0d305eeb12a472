/**
 * The report's building blocks: breakdown labels parsed and pivoted (the two-way tables of RULER and NIAH),
 * the terminal pivot of `dseval show`, and the SVG charts — well-formed XML (parsed by Python's ElementTree),
 * escaped labels, the right number of marks, and no crash on empty or missing data.
 */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { columnMeans, groupSlices, parseSlice, cellKey } from '../../reports/slices.js';
import { heatmap, intervalBars, lineChart, niceTicks, outcomeBars, quantileBoxes, scoreColor } from '../../reports/html/charts.js';
import { formatMetricTables } from '../../reports/terminal.js';
import type { MetricRow } from '../../reports/store.js';
import { OUTCOMES } from '../../harness/types.js';

const row = (breakdown: string, value: number, metric = 'avg@1'): MetricRow => ({ metric, breakdown, value, ciLow: value - 0.1, ciHigh: value + 0.1, nItems: 10 });

/** Parses each SVG with Python's XML parser and returns [root tag, number of elements] per chart. */
async function parseSvgs(svgs: string[]): Promise<Array<[string, number]>> {
  const py = `import json, sys, xml.etree.ElementTree as ET
out = []
for s in json.load(sys.stdin):
    r = ET.fromstring(s)
    out.append([r.tag.split('}')[-1], sum(1 for _ in r.iter())])
print(json.dumps(out))`;
  const r = await execa('python3', ['-c', py], { input: JSON.stringify(svgs) });
  return JSON.parse(r.stdout);
}

describe('breakdown slices', () => {
  it('parses one- and two-way labels, values with "=" included', () => {
    expect(parseSlice('difficulty=hard')).toEqual({ keys: ['difficulty'], values: ['hard'] });
    expect(parseSlice('task=vt,length=4096')).toEqual({ keys: ['task', 'length'], values: ['vt', '4096'] });
    expect(parseSlice('expr=a=b,length=8')).toEqual({ keys: ['expr', 'length'], values: ['a=b', '8'] });
    expect(parseSlice('')).toBeNull();
  });

  it('groups into one-way lists and two-way tables, lengths across and numeric order', () => {
    const rows = [
      row('', 0.7),
      row('length=16384', 0.5),
      row('length=4096', 0.9),
      row('length=4096,depth=50', 1),
      row('length=4096,depth=0', 0.8),
      row('length=16384,depth=0', 0.2),
      row('length=16384,depth=50', 0.6),
      row('task=vt,length=4096', 0.3, 'pass@1'),
    ];
    const { oneWay, twoWay } = groupSlices(rows, 'avg@1');
    expect(oneWay.map((o) => [o.key, o.values])).toEqual([['length', ['4096', '16384']]]);
    expect(twoWay).toHaveLength(1);
    const t = twoWay[0];
    expect([t.rowKey, t.colKey, t.rows, t.cols]).toEqual(['depth', 'length', ['0', '50'], ['4096', '16384']]);
    expect(t.cells.get(cellKey('0', '16384'))!.value).toBe(0.2);
    expect(columnMeans(t).get('16384')).toEqual({ mean: 0.4, rows: 2 });
  });

  it('pivots two-way slices in the terminal summary', () => {
    const rows = [row('', 0.7), ...['vt', 'cwe'].flatMap((task, i) => [4096, 8192].map((L, j) => row(`task=${task},length=${L}`, 0.9 - 0.2 * i - 0.1 * j)))];
    const text = formatMetricTables(rows, 1).join('\n');
    expect(text).toContain('avg@1 by task (rows) × length (columns)');
    expect(text).toMatch(/cwe\s+70\.0%\s+60\.0%/);
    expect(text).toMatch(/vt\s+90\.0%\s+80\.0%/);
    expect(text).toMatch(/mean over task\s+80\.0%\s+70\.0%/);
  });
});

describe('SVG charts', () => {
  it('are well-formed, escape labels and draw one mark per datum', async () => {
    const bars = intervalBars({
      title: 'Accuracy <by> "metric" & run',
      max: 1,
      groups: [
        { label: 'avg@4', bars: [{ label: 'run <1>', color: '#123456', value: 0.5, lo: 0.4, hi: 0.6 }, { label: 'run & 2', color: '#654321', value: null }] },
        { label: 'pass@1', bars: [{ label: 'x', color: '#000', value: NaN }] },
      ],
    });
    expect(bars).toContain('Accuracy &lt;by&gt; &quot;metric&quot; &amp; run');
    expect(bars.match(/<rect class="bar"/g)).toHaveLength(1);
    expect(bars.match(/class="whisker"/g)).toHaveLength(1);
    const outcomes = outcomeBars({ title: 'o', outcomes: OUTCOMES, rows: [{ label: 'a', counts: { correct: 3, wrong: 1 } }, { label: 'empty', counts: {} }] });
    expect(outcomes.match(/class="segment /g)).toHaveLength(2);
    expect(outcomes).toContain('no graded attempts');
    const heat = heatmap({ title: 'h', rowLabel: 'depth', colLabel: 'length', rows: ['0', '50'], cols: ['1k', '2k', '4k'], value: (r, c) => (c === '4k' && r === '0' ? null : { value: r === '0' ? 0.25 : 1, tooltip: `${r}/${c}` }) });
    expect(heat.match(/<rect class="cell"/g)).toHaveLength(5);
    expect(heat.match(/<rect class="cell empty"/g)).toHaveLength(1);
    const line = lineChart({
      title: 'by length',
      xLabel: 'length',
      xs: ['4096', '8192'],
      series: [{ label: 's', color: '#f00', points: [{ x: '4096', y: 0.9, lo: 0.8, hi: 1 }, { x: '8192', y: null }] }],
      threshold: { value: 0.856, label: 'RULER 85.6%' },
    });
    expect(line.match(/<circle class="point"/g)).toHaveLength(1);
    expect(line).toContain('class="threshold"');
    const boxes = quantileBoxes({ title: 'tokens', unit: 'tokens', rows: [{ label: 'a', color: '#00f', p5: 10, p25: 20, p50: 30, p75: 40, p95: 50, mean: 31 }, { label: 'none', color: '#0f0', p5: null, p25: null, p50: null, p75: null, p95: null, mean: null }] });
    expect(boxes.match(/<g class="box">/g)).toHaveLength(1);
    expect(boxes).toContain('no data');
    const parsed = await parseSvgs([bars, outcomes, heat, line, boxes]);
    expect(parsed.map(([tag]) => tag)).toEqual(['svg', 'svg', 'svg', 'svg', 'svg']);
    for (const [, n] of parsed) expect(n).toBeGreaterThan(5);
  });

  it('uses round ticks and the red → yellow → green score scale', () => {
    expect(niceTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(47)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(0)).toEqual([0]);
    expect(scoreColor(0)).toBe('rgb(215,48,39)');
    expect(scoreColor(0.5)).toBe('rgb(254,224,139)');
    expect(scoreColor(1)).toBe('rgb(26,152,80)');
    expect(scoreColor(2)).toBe(scoreColor(1));
  });
});

/**
 * `dseval report`: one self-contained HTML file for one or more runs (nunjucks template, inline CSS, inline
 * SVG charts, a small inline script for transcripts and filters; nothing is fetched when it opens).
 */
import nunjucks from 'nunjucks';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { assetPath } from '../../harness/paths.js';
import { dsevalVersion } from '../../harness/version.js';
import type { Store, StoredRun } from '../store.js';
import { loadRunData } from '../report-data.js';
import { cutoffSplit } from '../cutoff.js';
import { loadSuite } from '../../suites/index.js';
import { compareSuite, decide, fmtP, NotComparableError } from '../compare.js';
import { testLabel } from '../compare-format.js';
import { RUN_COLORS, pctLabel } from './charts.js';
import { accuracySection, breakdownSections, outcomeSection, speedSection, tokenSection, type RunRef, type Table } from './sections.js';
import { itemTable } from './items.js';
import { niahSummaries, rulerSummary } from './long-context.js';

/** The suites' own long-context summaries (RULER table, NIAH grids), first among the breakdowns. */
function longContext(suite: string, runs: RunRef[]) {
  if (suite === 'ruler') return [rulerSummary(runs)].filter((b) => b !== null);
  if (suite === 'niah') return niahSummaries(runs);
  return [];
}

export interface ReportOptions {
  title?: string;
  /** Item rows per suite (the rest are counted, not shown). */
  maxItems?: number;
  /** Characters kept per text field of a transcript (head and tail). */
  maxChars?: number;
  /** A training cutoff (YYYY-MM-DD): runs of suites with release dates get a "released" breakdown (cutoff.ts). */
  cutoff?: string;
}

/** JSON safe to place inside <script type="application/json">. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function settingsLine(r: RunRef): string {
  const s = r.data.settings.sampling;
  const bits = [`T=${s.temperature}`, `top_p=${s.topP}`];
  if (s.topK) bits.push(`top_k=${s.topK}`);
  bits.push(`max_tokens=${s.maxTokens}`);
  if (s.thinking !== null) bits.push(`thinking=${s.thinking ? 'on' : 'off'}`);
  if (r.data.settings.seed !== null) bits.push(`seed=${r.data.settings.seed}`);
  const opts = Object.entries(r.data.settings.suiteOptions);
  if (opts.length) bits.push(...opts.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`));
  return bits.join(' · ');
}

async function comparisons(store: Store, runs: RunRef[]): Promise<Table | null> {
  if (runs.length < 2) return null;
  const base = runs[0];
  const rows: Table['rows'] = [];
  for (const cand of runs.slice(1)) {
    try {
      const s = await compareSuite({ store, run: base.data.run }, { store, run: cand.data.run });
      decide([s], { alpha: 0.05, minEffect: 0 }, () => [...s.worse, ...s.better].map((d) => d.delta).concat(new Array(s.items - s.worse.length - s.better.length).fill(0)));
      const sign = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${(100 * Math.abs(x)).toFixed(1)}`;
      rows.push({
        cls: `verdict-${s.verdict}`,
        cells: [
          `${cand.label} vs ${base.label}`,
          String(s.items),
          `${sign(s.diff.mean)} pts`,
          `[${sign(s.diff.ciLow)}, ${sign(s.diff.ciHigh)}]`,
          `${fmtP(s.pValue)} (${testLabel(s)})`,
          `${s.worse.length} worse · ${s.better.length} better`,
          s.verdict,
        ],
      });
    } catch (e) {
      if (!(e instanceof NotComparableError)) throw e;
      rows.push({ cls: 'verdict-refused', cells: [`${cand.label} vs ${base.label}`, '–', '–', '–', '–', e.message.split('\n').slice(1).join(' ').trim() || e.message, 'not comparable'] });
    }
  }
  return { header: ['pair', 'items', 'Δ (candidate − baseline)', '95% CI', 'p', 'flips', 'verdict'], rows };
}

export async function buildReportHtml(store: Store, runs: StoredRun[], opts: ReportOptions = {}): Promise<string> {
  if (runs.length === 0) throw new Error('no runs to report');
  const maxItems = opts.maxItems ?? 5000;
  const maxChars = opts.maxChars ?? 100_000;
  const refs: RunRef[] = [];
  for (const [index, run] of runs.entries()) {
    const data = await loadRunData(store, run);
    if (opts.cutoff) {
      const suite = await loadSuite(run.suite);
      if (suite.releaseDate) data.metrics.push(...(await cutoffSplit(store, run, suite, opts.cutoff)).rows);
    }
    refs.push({ data, index, color: RUN_COLORS[index % RUN_COLORS.length], label: `#${index + 1} ${run.runId}` });
  }
  const suiteNames = [...new Set(refs.map((r) => r.data.run.suite))];
  const transcripts: Record<string, unknown> = {};
  const prompts: Record<string, string> = {};
  const suites = [];
  for (const name of suiteNames) {
    const sr = refs.filter((r) => r.data.run.suite === name);
    const items = itemTable(sr, { maxItems, maxChars });
    Object.assign(transcripts, items.transcripts);
    Object.assign(prompts, items.prompts);
    suites.push({
      name,
      anchor: `suite-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`,
      runs: sr.map((r) => {
        const m = r.data.metrics.find((x) => x.breakdown === '' && x.metric === r.data.primary);
        return {
          label: r.label,
          color: r.color,
          model: r.data.run.model,
          metric: r.data.primary ?? '–',
          value: m ? pctLabel(m.value) : '–',
          ci: m ? `[${pctLabel(m.ciLow)}, ${pctLabel(m.ciHigh)}]` : '',
          n: m ? m.nItems : 0,
          attempts: r.data.run.n,
        };
      }),
      accuracy: accuracySection(sr),
      comparisons: await comparisons(store, sr),
      outcomes: outcomeSection(sr),
      tokens: tokenSection(sr),
      speed: speedSection(sr),
      breakdowns: [...longContext(name, sr), ...breakdownSections(name, sr)],
      items,
      runLabels: sr.map((r) => r.label),
    });
  }
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(assetPath(import.meta.url, '.')), { autoescape: true, throwOnUndefined: false });
  return env.render('report.njk', {
    title: opts.title ?? (runs.length === 1 ? `dseval report: ${runs[0].runId}` : `dseval report: ${runs.length} runs`),
    generatedAt: new Date().toISOString().replace('T', ' ').slice(0, 19) + ' UTC',
    host: hostname(),
    version: dsevalVersion,
    css: readFileSync(assetPath(import.meta.url, 'report.css'), 'utf8'),
    js: readFileSync(assetPath(import.meta.url, 'report.js'), 'utf8'),
    runs: refs.map((r) => ({
      label: r.label,
      color: r.color,
      runId: r.data.run.runId,
      suite: r.data.run.suite,
      model: r.data.run.model,
      n: r.data.run.n,
      status: r.data.run.status,
      created: r.data.run.createdAt.toISOString().replace('T', ' ').slice(0, 19),
      finished: r.data.run.finishedAt ? r.data.run.finishedAt.toISOString().replace('T', ' ').slice(0, 19) : '–',
      fingerprint: r.data.run.fingerprint,
      settings: settingsLine(r),
      parts: Object.entries(r.data.run.fingerprintParts).map(([k, v]) => `${k}: ${v}`),
      versions: Object.entries(r.data.run.versions).map(([k, v]) => `${k}: ${v}`),
    })),
    suites,
    transcriptsJson: scriptJson(transcripts),
    promptsJson: scriptJson(prompts),
  });
}

export async function writeReport(store: Store, runs: StoredRun[], out: string, opts: ReportOptions = {}): Promise<{ bytes: number }> {
  const html = await buildReportHtml(store, runs, opts);
  writeFileSync(out, html);
  return { bytes: Buffer.byteLength(html) };
}

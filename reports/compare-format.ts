/** How a comparison is shown: a terminal table, Markdown (for pull-request comments) or JSON. */
import { COMPARE_EXIT, CORRECTION_NAME, fmtP, type Comparison, type ItemDelta, type SuiteComparison } from './compare.js';
import { describeDifferences } from './run-diff.js';
import { textTable } from './terminal.js';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pts = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${(100 * Math.abs(x)).toFixed(1)}`;
const score = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/** How the p-value was obtained, for tables: "McNemar exact, 12↓ 3↑", "sign-flip, exact" … */
export function testLabel(s: SuiteComparison): string {
  if (s.test === 'mcnemar') return `McNemar exact, ${s.discordant!.worse}↓ ${s.discordant!.better}↑`;
  return `sign-flip, ${s.pMethod === 'bound' ? 'Hoeffding bound' : s.pMethod}`;
}

function flips(list: ItemDelta[], limit: number): string {
  const shown = list.slice(0, limit).map((d) => `${d.itemId} (${score(d.baseline)} → ${score(d.candidate)})`);
  return shown.join(', ') + (list.length > limit ? `, … ${list.length - limit} more` : '');
}

function summaryRows(c: Comparison): string[][] {
  return c.suites.map((s) => [
    s.suite,
    String(s.items),
    pct(s.baselineMean),
    pct(s.candidateMean),
    pts(s.diff.mean),
    `[${pts(s.diff.ciLow)}, ${pts(s.diff.ciHigh)}]`,
    `${fmtP(s.pValue)} (${testLabel(s)})`,
    fmtP(s.pAdjusted),
    s.mde === null ? '–' : (100 * s.mde).toFixed(1),
    s.verdict,
  ]);
}

const header = (c: Comparison, level: number) =>
  ['suite', 'items', 'baseline', 'candidate', 'Δ pts', `${level}% CI`, 'p (test)', `${CORRECTION_NAME[c.correction]} p`, 'MDE pts', 'verdict'];

/** "family-wise (Holm across 2 suites)" or "false discovery rate (BH across 5 suites)". */
const correctionText = (c: Comparison) =>
  `${c.correction === 'bh' ? 'false discovery rate' : 'family-wise'} (${CORRECTION_NAME[c.correction]} across ${c.suites.length} suite${c.suites.length > 1 ? 's' : ''})`;

/** "with more attempts per item the MDE would be 15.2 pts at n 4, 12.1 at 8, …; the items alone allow 8.9 (add items to go lower)". */
export function attemptPlanText(plan: NonNullable<SuiteComparison['attemptPlan']>): string {
  const finite = plan.filter((r) => r.n !== null).map((r) => `${(100 * r.mde).toFixed(1)} at n ${r.n}`);
  const floor = plan.find((r) => r.n === null)!;
  const limit =
    floor.mde >= 0.0005
      ? `no n goes below ${(100 * floor.mde).toFixed(1)} pts (the items themselves: add items for less)`
      : 'the items add no measurable spread of their own: more attempts keep helping';
  return `attempts per item vs MDE (both runs at n): ${finite.join(', ')}; ${limit}`;
}

export function formatComparisonText(c: Comparison, opts: { flipLimit?: number } = {}): string {
  const limit = opts.flipLimit ?? 10;
  const level = Math.round(100 * (1 - c.alpha));
  const out: string[] = [];
  out.push(`metric ${c.metric}; α = ${c.alpha} ${correctionText(c)}; ${level}% paired bootstrap intervals; Δ = candidate − baseline`);
  out.push('');
  out.push(textTable(header(c, level), summaryRows(c)));
  for (const s of c.suites) {
    out.push('');
    out.push(`${s.suite}: ${s.baselineRun} (${s.baselineMetric}) → ${s.candidateRun} (${s.candidateMetric}): ${s.verdict} — ${s.reason}`);
    if (s.mde !== null && s.verdict === 'inconclusive') {
      out.push(`  a true difference of ${(100 * s.mde).toFixed(1)} pts or more would be detected with 80% power; smaller ones may hide here`);
      if (s.attemptPlan) out.push(`  ${attemptPlanText(s.attemptPlan)}`);
    }
    out.push(`  ${s.worse.length} items worse, ${s.better.length} better, ${s.items - s.worse.length - s.better.length} unchanged`);
    if (s.worse.length) out.push(`  worse:  ${flips(s.worse, limit)}`);
    if (s.better.length) out.push(`  better: ${flips(s.better, limit)}`);
    const ex = s.excluded;
    const dropped = [
      ex.onlyBaseline && `${ex.onlyBaseline} only in the baseline`,
      ex.onlyCandidate && `${ex.onlyCandidate} only in the candidate`,
      ex.changedData && `${ex.changedData} with changed content`,
      ex.ungraded && `${ex.ungraded} ungraded`,
    ].filter(Boolean);
    if (dropped.length) out.push(`  not paired: ${dropped.join(', ')}`);
    const diffs = describeDifferences(s.differences);
    if (diffs.length) out.push(`  what differs: ${diffs.join('; ')}`);
    for (const n of s.notes) if (!diffs.includes(n)) out.push(`  note: ${n}`);
  }
  for (const u of c.unpaired) out.push('', `${u.suite}: only the ${u.side} has a run (${u.runId}); not compared`);
  out.push('', `verdict: ${c.verdict.toUpperCase()} (exit ${COMPARE_EXIT[c.verdict]})`);
  return out.join('\n');
}

export function formatComparisonMarkdown(c: Comparison, opts: { flipLimit?: number } = {}): string {
  const limit = opts.flipLimit ?? 10;
  const level = Math.round(100 * (1 - c.alpha));
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out: string[] = [];
  out.push(`### dseval compare: **${c.verdict}**`, '');
  out.push(`metric \`${c.metric}\`, α = ${c.alpha} ${correctionText(c)}, ${level}% paired bootstrap intervals, Δ = candidate − baseline`, '');
  const head = header(c, level);
  out.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const r of summaryRows(c)) out.push(`| ${r.map(esc).join(' | ')} |`);
  for (const s of c.suites) {
    out.push('', `**${s.suite}** \`${s.baselineRun}\` → \`${s.candidateRun}\`: ${s.verdict} (${esc(s.reason)})`);
    if (s.worse.length) out.push(`- worse (${s.worse.length}): ${esc(flips(s.worse, limit))}`);
    if (s.better.length) out.push(`- better (${s.better.length}): ${esc(flips(s.better, limit))}`);
    for (const d of describeDifferences(s.differences)) out.push(`- ${esc(d)}`);
  }
  return out.join('\n');
}

/** The comparison as plain JSON (run differences included; item lists complete). */
export function comparisonJson(c: Comparison): object {
  return {
    verdict: c.verdict,
    exitCode: c.exitCode,
    alpha: c.alpha,
    correction: c.correction,
    metric: c.metric,
    minEffect: c.minEffect,
    unpaired: c.unpaired,
    suites: c.suites.map((s) => ({ ...s, differences: { ...s.differences, lines: describeDifferences(s.differences) } })),
  };
}

/**
 * The per-item table of a suite section (items down, runs across, one button per attempt) and the
 * transcripts those buttons open: prompt, reasoning, answer, extracted answer, target and judge details.
 * Transcripts travel as one JSON blob in the page; the table is plain HTML.
 */
import type { Json, Prompt } from '../../harness/types.js';
import type { RunRef } from './sections.js';

export interface AttemptCell {
  key: string;
  outcome: string;
  symbol: string;
  title: string;
}

export interface ItemRow {
  id: string;
  meta: string;
  target: string;
  cells: Array<{ score: string; attempts: AttemptCell[] } | null>;
  /** Score change of the last run against the first (several runs only). */
  delta: string;
  changed: boolean;
  failed: boolean;
  search: string;
}

export interface Transcript {
  run: string;
  item: string;
  attempt: number;
  outcome: string;
  score: number | null;
  seed: number;
  finish: string;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number;
  ttftMs: number | null;
  tokensPerSecond: number | null;
  promptKey: string;
  target: string;
  reasoning: string;
  text: string;
  extracted: string | null;
  answerKey: string | null;
  judge: string | null;
  judgeDisagreement: boolean | null;
  details: Json;
  error: string | null;
}

const SYMBOL: Record<string, string> = { correct: '✓', wrong: '✗', no_answer: '∅', truncated: '…', unclosed_thinking: '⋯', error: '!', ungraded: '?' };

/** Keeps the head and tail of very long text, saying how much was left out. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = Math.floor(max * 0.7);
  const tail = max - head;
  return `${s.slice(0, head)}\n\n[… ${(s.length - max).toLocaleString('en-US')} characters left out of the report …]\n\n${s.slice(s.length - tail)}`;
}

/** Judge details as they are, or as clipped pretty-printed text when they are too long for the page. */
function clipJson(details: Json, max: number): Json {
  const text = JSON.stringify(details, null, 2);
  return text.length <= max ? details : clip(text, max);
}

export function promptText(p: Prompt): string {
  if (p.kind === 'text') return p.text;
  const parts = p.messages.map((m) => `── ${m.role} ──\n${m.content}`);
  if (p.assistantPrefix) parts.push(`── assistant (prefix the model continues) ──\n${p.assistantPrefix}`);
  return parts.join('\n\n');
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v, null, 1) ?? '');

function metaSummary(meta: Record<string, Json>): string {
  return Object.entries(meta)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .slice(0, 4)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' · ');
}

const fmtScore = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/**
 * The item rows of one suite (union of the runs' items, in the first run's order) and the transcripts
 * they open. `maxItems` bounds the rows; `maxChars` bounds each text field.
 */
export function itemTable(
  runs: RunRef[],
  opts: { maxItems: number; maxChars: number },
): { rows: ItemRow[]; transcripts: Record<string, Transcript>; prompts: Record<string, string>; omitted: number } {
  const order: string[] = [];
  const seen = new Set<string>();
  for (const r of runs) for (const it of r.data.items) if (!seen.has(it.id)) (seen.add(it.id), order.push(it.id));
  const byRun = runs.map((r) => new Map(r.data.items.map((it) => [it.id, it])));
  const transcripts: Record<string, Transcript> = {};
  const prompts: Record<string, string> = {};
  const rows: ItemRow[] = [];
  for (const id of order.slice(0, opts.maxItems)) {
    const scores: Array<number | null> = [];
    let failed = false;
    let target = '';
    let meta = '';
    const cells = runs.map((r, ri) => {
      const it = byRun[ri].get(id);
      if (!it) {
        scores.push(null);
        return null;
      }
      target ||= show(it.target);
      meta ||= metaSummary(it.metadata);
      const promptKey = `r${r.index}|${id}`;
      prompts[promptKey] = clip(promptText(it.prompt), opts.maxChars);
      const graded = it.attempts.filter((a) => a.grade);
      const score = graded.length ? graded.reduce((s, a) => s + a.grade!.score, 0) / graded.length : null;
      scores.push(score);
      const attempts = it.attempts.map(({ attempt: a, grade: g }) => {
        const outcome = g?.outcome ?? 'ungraded';
        if (outcome !== 'correct') failed = true;
        const key = `r${r.index}|${id}|${a.index}`;
        transcripts[key] = {
          run: r.data.run.runId,
          item: id,
          attempt: a.index,
          outcome,
          score: g?.score ?? null,
          seed: a.seed,
          finish: a.finish,
          promptTokens: a.promptTokens,
          completionTokens: a.completionTokens,
          latencyMs: a.timings.latencyMs,
          ttftMs: a.timings.ttftMs,
          tokensPerSecond: a.timings.tokensPerSecond,
          promptKey,
          target: clip(show(it.target), opts.maxChars),
          reasoning: clip(a.reasoning, opts.maxChars),
          text: clip(a.text, opts.maxChars),
          extracted: g?.extracted == null ? null : clip(g.extracted, opts.maxChars),
          answerKey: g?.answerKey ?? null,
          judge: g ? `${g.judge}@${g.judgeVersion}` : null,
          judgeDisagreement: g?.judgeDisagreement ?? null,
          details: g ? clipJson(g.details, opts.maxChars) : null,
          error: a.error,
        };
        return { key, outcome, symbol: SYMBOL[outcome] ?? '?', title: `${r.label} · attempt ${a.index}: ${outcome}${g?.extracted ? ` (answer ${g.extracted.slice(0, 40)})` : ''}` };
      });
      return { score: score === null ? '–' : fmtScore(score), attempts };
    });
    const present = scores.filter((s): s is number => s !== null);
    const changed = present.length > 1 && present.some((s) => s !== present[0]);
    const first = scores[0];
    const last = scores[scores.length - 1];
    const delta = runs.length > 1 && first !== null && last !== null ? (last - first === 0 ? '0' : `${last > first ? '+' : '−'}${fmtScore(Math.abs(last - first))}`) : '';
    rows.push({ id, meta, target: target.length > 60 ? `${target.slice(0, 57)}…` : target, cells, delta, changed, failed, search: `${id} ${meta} ${target.slice(0, 200)}`.toLowerCase() });
  }
  return { rows, transcripts, prompts, omitted: Math.max(0, order.length - opts.maxItems) };
}

/**
 * Executing a planned run: create or resume the run in the store, schedule the missing attempts with
 * bounded concurrency, store each attempt the moment it arrives, grade, and compute the metrics.
 * A run killed at any point resumes here without losing or repeating finished work.
 */
import type { Attempt, Item, Judge, Request } from './types.js';
import type { RunConfig } from './config.js';
import { storableConfig } from './config.js';
import type { Backend } from './backends/backend.js';
import { FatalBackendError, seedFor } from './backends/backend.js';
import type { RunPlan } from './plan.js';
import type { Progress } from './progress.js';
import { gradeAttempt } from '../judges/outcome.js';
import { attemptKey, type Store, type StoredRun } from '../reports/store.js';
import { computeRunMetrics } from './summary.js';
import { createLimiter } from './limiter.js';

export interface RunResult {
  run: StoredRun;
  resumed: boolean;
  generated: number;
  failedAttempts: number;
  interrupted: boolean;
}

export interface RunDeps {
  store: Store;
  backend: Backend;
  judge: Judge;
  progress: Progress;
  versions: Record<string, string>;
  signal: AbortSignal;
}

/** Finds the run to resume (same fingerprint) or creates a new one. */
async function openRun(plan: RunPlan, config: RunConfig, deps: RunDeps): Promise<{ run: StoredRun; resumed: boolean }> {
  const { store } = deps;
  const existing = config.fresh ? null : await store.latestRunWithFingerprint(plan.fingerprint);
  if (existing) {
    if ((await store.countItems(existing.runId)) === 0) await store.insertItems(existing.runId, plan.rows);
    await store.setRunStatus(existing.runId, 'running');
    return { run: { ...existing, status: 'running' }, resumed: true };
  }
  const base = `${plan.suite.name}-${plan.fingerprint.slice(0, 8)}`;
  const taken = new Set(await store.runIdsWithPrefix(base));
  let runId = base;
  for (let k = 2; taken.has(runId); k++) runId = `${base}-${k}`;
  const run: StoredRun = {
    runId,
    fingerprint: plan.fingerprint,
    fingerprintParts: plan.fingerprintParts,
    suite: plan.suite.name,
    model: config.model + (config.modelName ? `#${config.modelName}` : ''),
    n: plan.n,
    config: storableConfig(config),
    versions: deps.versions,
    status: 'running',
    createdAt: new Date(),
    finishedAt: null,
  };
  await store.insertRun(run);
  await store.insertItems(runId, plan.rows);
  const generation = plan.fingerprintParts.generation;
  const donor = config.fresh ? null : await store.donorRunWithGeneration(generation, runId);
  if (donor) {
    const copied = await store.copyAttempts(donor.runId, runId, plan.n);
    const what = donor.n === plan.n ? `judge ${donor.fingerprintParts.judge} → ${plan.fingerprintParts.judge}` : `n ${donor.n} → ${plan.n}`;
    deps.progress.log(`reusing ${copied} attempts of run ${donor.runId} (same generation settings, ${what}): they are re-graded, not re-generated`);
  }
  return { run, resumed: false };
}

/** The units of work: one request per missing attempt, or per item when the backend batches an item's attempts. */
function missingRequests(plan: RunPlan, config: RunConfig, stored: Set<string>, perItem: boolean): Request[] {
  const requests: Request[] = [];
  for (const row of plan.rows) {
    const missing: number[] = [];
    for (let i = 0; i < plan.n; i++) if (!stored.has(attemptKey(row.item.id, i))) missing.push(i);
    if (missing.length === 0) continue;
    const groups = perItem ? [missing] : missing.map((i) => [i]);
    for (const attempts of groups) {
      // A per-item budget (length-controlled suites) applies unless the user set --max-tokens.
      const itemBudget = config.maxTokens === undefined ? row.item.maxTokens : undefined;
      requests.push({
        itemId: row.item.id,
        prompt: row.prompt,
        sampling: itemBudget === undefined ? plan.sampling : { ...plan.sampling, maxTokens: itemBudget },
        attempts,
        seeds: attempts.map((i) => seedFor(config.seed, row.item.id, i)),
      });
    }
  }
  return requests;
}

export async function executeRun(plan: RunPlan, config: RunConfig, deps: RunDeps): Promise<RunResult> {
  const { store, backend, judge, progress, signal } = deps;
  const { run, resumed } = await openRun(plan, config, deps);
  const itemsById = new Map<string, Item>(plan.items.map((i) => [i.id, i]));

  if (resumed) {
    const retried = await store.deleteErroredAttempts(run.runId);
    if (retried) progress.log(`retrying ${retried} attempts that failed last time`);
  }
  const stored = await store.storedAttemptKeys(run.runId);
  const total = plan.rows.length * plan.n;
  if (resumed) progress.log(`resuming run ${run.runId}: ${stored.size} of ${total} attempts already stored`);
  else progress.log(`run ${run.runId}: ${plan.rows.length} items × ${plan.n} attempts`);

  const perItem = config.serverN || backend.usesLocalCompute;
  const requests = missingRequests(plan, config, stored, perItem);
  const limit = createLimiter(config.concurrency);
  const gradeNow = !backend.usesLocalCompute;
  const grading: Promise<void>[] = [];
  let generated = 0;
  let failedAttempts = 0;

  const grade = async (attempt: Attempt) => {
    const item = itemsById.get(attempt.itemId)!;
    const g = await gradeAttempt(judge, item, attempt);
    await store.insertGrade(run.runId, attempt.itemId, attempt.index, g, judge);
  };

  const onAttempt = async (attempt: Attempt) => {
    await store.insertAttempt(run.runId, attempt);
    generated += 1;
    if (attempt.finish === 'error') {
      failedAttempts += 1;
      progress.log(`attempt ${attempt.index} of item ${attempt.itemId} failed: ${attempt.error}`);
    }
    progress.tick(attempt.finish !== 'error');
    if (gradeNow) grading.push(grade(attempt));
  };

  progress.start(total, stored.size);
  let fatal: unknown = null;
  const stop = new AbortController();
  const combined = AbortSignal.any([signal, stop.signal]);
  try {
    await Promise.all(
      requests.map((req) =>
        limit(async () => {
          if (combined.aborted) return;
          try {
            await backend.generate(req, onAttempt, combined);
          } catch (e) {
            if (combined.aborted) return;
            fatal ??= e;
            stop.abort(e);
          }
        }),
      ),
    );
  } finally {
    progress.finish();
  }
  await Promise.all(grading);
  const interrupted = signal.aborted;
  if (fatal) {
    await store.setRunStatus(run.runId, 'failed');
    throw fatal instanceof FatalBackendError ? fatal : new Error(`run ${run.runId} failed: ${(fatal as Error).message ?? fatal}`);
  }
  if (interrupted) {
    await store.setRunStatus(run.runId, 'interrupted');
    return { run, resumed, generated, failedAttempts, interrupted };
  }

  // Grade whatever is still ungraded: attempts from a killed run, or every attempt of a local-compute backend.
  const ungraded = await store.ungradedAttempts(run.runId);
  if (ungraded.length) {
    if (!gradeNow || resumed) progress.log(`grading ${ungraded.length} attempts`);
    const gradeLimit = createLimiter(8);
    await Promise.all(ungraded.map((a) => gradeLimit(() => grade(a))));
  }
  await computeRunMetrics(store, run.runId, plan.suite, plan.n);
  await store.setRunStatus(run.runId, 'finished');
  return { run: { ...run, status: 'finished' }, resumed, generated, failedAttempts, interrupted: false };
}

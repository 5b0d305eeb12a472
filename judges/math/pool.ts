/**
 * The worker pool behind the math judge. Batches attempts (one pool round trip costs 150–300 µs on
 * this class of machine, a typical grade far less), keeps at most one batch per thread in flight so a
 * batch's timer measures its own run, and kills a worker whose batch overruns (piscina terminates the
 * thread of an aborted running task). The items of a killed batch are retried one by one, so only the
 * pathological answer ends as `error`.
 */
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Grade } from '../../harness/types.js';
import { compiledPath } from '../../harness/paths.js';
import type { GradeTask } from './worker.js';

export interface PoolOptions {
  threads: number;
  /** Attempts per pool task. */
  batchSize: number;
  /** The cooperative budget of one grade (the worker stops itself at this point). */
  budgetMs: number;
  /** Slack on top of the budget before a running batch counts as hung (default 1000 ms). */
  slackMs?: number;
  /** The worker module (default: the compiled worker.js beside this file). */
  workerFile?: string;
}

/** Slack (GC pauses, a loaded machine) on top of one budget before a running batch counts as hung. */
const SLACK_MS = 1_000;
/** A batch that a worker has not even started after this long means workers cannot start at all. */
const START_LIMIT_MS = 120_000;
/** Heap limit of one worker thread. */
const WORKER_HEAP_MB = 1_024;
/** Allowance per attempt in a batch on top of one full budget. */
const PER_ITEM_MS = 50;

export class MathPool {
  private pool: Piscina | null = null;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private closed = false;
  /** Hard kills so far (reported in grades' details and by stats()). */
  kills = 0;

  constructor(private readonly opts: PoolOptions) {}

  private piscina(): Piscina {
    if (this.closed) throw new Error('the math judge was closed');
    this.pool ??= new Piscina({
      filename: this.opts.workerFile ?? compiledPath(import.meta.url, 'worker.js'),
      // One worker to start (each loads mathjs, ~1 s of CPU); more only when grades queue up.
      minThreads: 1,
      maxThreads: this.opts.threads,
      idleTimeout: 60_000,
      atomics: 'disabled',
      // A runaway allocation kills its worker (ERR_WORKER_OUT_OF_MEMORY → an error grade), not the process.
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    return this.pool;
  }

  /** Grades all tasks, in order. Never rejects for a bad answer: failures become `error` grades. */
  async gradeAll(tasks: GradeTask[]): Promise<Grade[]> {
    const batches: GradeTask[][] = [];
    for (let i = 0; i < tasks.length; i += this.opts.batchSize) batches.push(tasks.slice(i, i + this.opts.batchSize));
    const results = await Promise.all(batches.map((b) => this.gradeBatch(b)));
    return results.flat();
  }

  private hardLimitMs(n: number): number {
    return (this.opts.slackMs ?? SLACK_MS) + this.opts.budgetMs * 1.5 + PER_ITEM_MS * n;
  }

  private async gradeBatch(batch: GradeTask[]): Promise<Grade[]> {
    const r = await this.runLimited(batch);
    if (r.ok) return r.grades;
    if (batch.length === 1) return [killedGrade(batch[0]!, r.reason, this.hardLimitMs(1))];
    // One answer in the batch hung or crashed its worker: grade each alone to find it.
    return Promise.all(batch.map(async (t) => {
      const one = await this.runLimited([t]);
      return one.ok ? one.grades[0]! : killedGrade(t, one.reason, this.hardLimitMs(1));
    }));
  }

  /**
   * Runs one batch under a hard time limit. The limit counts from the moment a worker starts the batch
   * (the worker says so through a MessagePort), not from submission: a fresh worker loading mathjs
   * after a kill must not make the next batch look hung.
   */
  private async runLimited(batch: GradeTask[]): Promise<{ ok: true; grades: Grade[] } | { ok: false; reason: string }> {
    await this.acquire();
    const limit = this.hardLimitMs(batch.length);
    const ac = new AbortController();
    const { port1, port2 } = new MessageChannel();
    let why = '';
    const abort = (reason: string): void => { why = reason; ac.abort(new Error(reason)); };
    let timer = setTimeout(() => abort(`no worker started within ${START_LIMIT_MS} ms`), START_LIMIT_MS);
    port1.once('message', () => {
      clearTimeout(timer);
      timer = setTimeout(() => abort(`worker killed after the hard time limit of ${limit} ms`), limit);
    });
    try {
      const grades = (await this.piscina().run({ tasks: batch, port: port2 }, { signal: ac.signal, transferList: [port2] })) as Grade[];
      return { ok: true, grades };
    } catch (e) {
      if (this.closed) throw e;
      if (ac.signal.aborted) this.kills++;
      return { ok: false, reason: ac.signal.aborted ? why : `worker failed: ${(e as Error).message}` };
    } finally {
      clearTimeout(timer);
      port1.close();
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.opts.threads) { this.running++; return Promise.resolve(); }
    return new Promise((resolve) => this.waiting.push(() => { this.running++; resolve(); }));
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    const p = this.pool;
    this.pool = null;
    if (p) await p.destroy();
  }
}

function killedGrade(t: GradeTask, why: string, limitMs: number): Grade {
  const timedOut = why.includes('time limit') || why.includes('no worker started');
  return {
    outcome: 'error',
    score: 0,
    extracted: null,
    answerKey: null,
    judgeDisagreement: null,
    details: { reason: timedOut ? 'time budget exceeded' : 'worker failed', detail: why, hardLimitMs: limitMs, itemId: t.itemId },
  };
}

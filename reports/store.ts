/**
 * The DuckDB store. All reads and writes of run data go through here; rows are typed at this boundary.
 * Writes are serialised on one connection (each statement commits on its own), so an attempt is durable
 * the moment insertAttempt resolves.
 */
import { DuckDBConnection, DuckDBInstance, type DuckDBPreparedStatement, type DuckDBValue } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Attempt, Grade, GradedAttempt, Item, Json, JsonObject, Outcome, Prompt, Run, RunStatus } from '../harness/types.js';
import { MIGRATIONS, SCHEMA_SQL, SCHEMA_VERSION } from './schema.js';

export interface ItemRow {
  item: Item;
  position: number;
  dataHash: string;
  promptHash: string;
  prompt: Prompt;
}

export interface StoredRun extends Run {
  n: number;
}

export interface StoredAttempt extends Attempt {
  runId: string;
  createdAt: Date;
}

export interface StoredGrade extends Grade {
  runId: string;
  itemId: string;
  attempt: number;
  judge: string;
  judgeVersion: string;
}

export interface MetricRow {
  metric: string;
  breakdown: string;
  value: number;
  ciLow: number;
  ciHigh: number;
  nItems: number;
}

type Row = Record<string, unknown>;

const parseJson = <T = Json>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class StoreError extends Error {}

interface PendingWrite {
  sql: string;
  params: DuckDBValue[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class Store {
  private queue: Promise<unknown> = Promise.resolve();
  /** Group commit: rows that arrive while a commit is running go into the next transaction together. */
  private pending: PendingWrite[] = [];
  private flushing = false;
  private prepared = new Map<string, DuckDBPreparedStatement>();

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  /** Opens (creating if needed) the database at `path` and brings its schema up to date. */
  static async open(path: string): Promise<Store> {
    const full = path === ':memory:' ? path : resolve(path);
    if (full !== ':memory:') mkdirSync(dirname(full), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(full);
    } catch (e) {
      const msg = String((e as Error).message ?? e);
      if (/lock/i.test(msg)) {
        throw new StoreError(`the database ${full} is in use by another dseval process (DuckDB allows one writer): ${msg}`);
      }
      throw new StoreError(`cannot open the database ${full}: ${msg}`);
    }
    const conn = await instance.connect();
    const store = new Store(full, instance, conn);
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    await this.conn.run(`CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`);
    const rows = (await this.conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`)).getRowObjectsJS();
    let version = rows.length ? Number(rows[0].value) : SCHEMA_VERSION;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(`the database ${this.path} has schema version ${version}, newer than this dseval's ${SCHEMA_VERSION}; upgrade dseval`);
    }
    await this.conn.run('BEGIN TRANSACTION');
    try {
      for (; version < SCHEMA_VERSION; version++) for (const stmt of MIGRATIONS[version]) await this.conn.run(stmt);
      for (const stmt of SCHEMA_SQL.split(';').map((s) => s.trim()).filter(Boolean)) await this.conn.run(stmt);
      await this.conn.run(`INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)`, [String(SCHEMA_VERSION)]);
      await this.conn.run('COMMIT');
    } catch (e) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw new StoreError(`cannot bring the database ${this.path} to schema version ${SCHEMA_VERSION}: ${(e as Error).message}`);
    }
  }

  /** Runs `fn` after every earlier write: one statement at a time on the connection. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A read-only SQL query returning plain JS rows (for reports and exports). */
  async all(sql: string, params: DuckDBValue[] = []): Promise<Row[]> {
    return this.serial(async () => {
      const reader = await this.conn.runAndReadAll(sql, params);
      return reader.getRowObjectsJS() as Row[];
    });
  }

  async exec(sql: string, params: DuckDBValue[] = []): Promise<void> {
    await this.serial(() => this.conn.run(sql, params));
  }

  /**
   * A durable row write: resolves once the transaction holding it has committed. Writes arriving while a
   * commit is under way are batched into the next one (group commit), so throughput does not pay one
   * commit per row while every caller still learns when its row is safe.
   */
  private durableWrite(sql: string, params: DuckDBValue[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ sql, params, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        void this.flush();
      }
    });
  }

  private async statement(sql: string): Promise<DuckDBPreparedStatement> {
    let st = this.prepared.get(sql);
    if (!st) {
      st = await this.conn.prepare(sql);
      this.prepared.set(sql, st);
    }
    return st;
  }

  private async flush(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0);
      await this.serial(async () => {
        try {
          await this.conn.run('BEGIN TRANSACTION');
          for (const w of batch) {
            const st = await this.statement(w.sql);
            st.bind(w.params);
            await st.run();
          }
          await this.conn.run('COMMIT');
          for (const w of batch) w.resolve();
        } catch {
          await this.conn.run('ROLLBACK').catch(() => undefined);
          // One bad row must not sink the others: write them one by one and report each outcome.
          // A row that is already there (same primary key) was written before: that is success.
          for (const w of batch) {
            try {
              await this.conn.run(w.sql, w.params);
              w.resolve();
            } catch (e) {
              if (/duplicate key|primary key/i.test(String((e as Error).message))) w.resolve();
              else w.reject(e);
            }
          }
        }
      });
    }
    this.flushing = false;
  }

  async close(): Promise<void> {
    while (this.flushing || this.pending.length) await new Promise((r) => setTimeout(r, 1));
    await this.queue;
    for (const st of this.prepared.values()) st.destroySync();
    this.conn.closeSync();
    this.instance.closeSync();
  }

  // ───────────────────────────── runs ─────────────────────────────

  async insertRun(run: StoredRun): Promise<void> {
    await this.exec(
      `INSERT INTO runs VALUES (?, ?, ?::JSON, ?, ?, ?, ?::JSON, ?::JSON, ?, current_timestamp, NULL)`,
      [
        run.runId,
        run.fingerprint,
        JSON.stringify(run.fingerprintParts),
        run.suite,
        run.model,
        run.n,
        JSON.stringify(run.config),
        JSON.stringify(run.versions),
        run.status,
      ],
    );
  }

  async setRunStatus(runId: string, status: RunStatus): Promise<void> {
    const finished = status === 'running' ? 'NULL' : 'current_timestamp';
    await this.exec(`UPDATE runs SET status = ?, finished_at = ${finished} WHERE run_id = ?`, [status, runId]);
  }

  private toRun(r: Row): StoredRun {
    return {
      runId: String(r.run_id),
      fingerprint: String(r.fingerprint),
      fingerprintParts: parseJson(r.fingerprint_parts),
      suite: String(r.suite),
      model: String(r.model),
      n: Number(r.n),
      config: parseJson(r.config),
      versions: parseJson(r.versions),
      status: String(r.status) as RunStatus,
      createdAt: r.created_at as Date,
      finishedAt: (r.finished_at as Date | null) ?? null,
    };
  }

  /** The newest run with this fingerprint (the one a repeated `dseval run` resumes). */
  async latestRunWithFingerprint(fingerprint: string): Promise<StoredRun | null> {
    const rows = await this.all(`SELECT * FROM runs WHERE fingerprint = ? ORDER BY created_at DESC LIMIT 1`, [fingerprint]);
    return rows.length ? this.toRun(rows[0]) : null;
  }

  /**
   * The other run whose attempts were produced the same way (same generation fingerprint part) with the most
   * finished attempts, the newest among equals.
   */
  async donorRunWithGeneration(generation: string, exceptRunId: string): Promise<StoredRun | null> {
    const rows = await this.all(
      `SELECT r.* FROM runs r
       JOIN (SELECT run_id, count(*) AS done FROM attempts WHERE finish <> 'error' GROUP BY run_id) a USING (run_id)
       WHERE r.fingerprint_parts->>'generation' = ? AND r.run_id <> ?
       ORDER BY a.done DESC, r.created_at DESC LIMIT 1`,
      [generation, exceptRunId],
    );
    return rows.length ? this.toRun(rows[0]) : null;
  }

  /**
   * Copies another run's finished attempts with index < n into `toRunId` (not its grades: the new run's judge
   * grades them).
   */
  async copyAttempts(fromRunId: string, toRunId: string, n: number): Promise<number> {
    await this.exec(
      `INSERT INTO attempts SELECT ? AS run_id, * EXCLUDE (run_id) FROM attempts WHERE run_id = ? AND finish <> 'error' AND attempt < ?`,
      [toRunId, fromRunId, n],
    );
    const rows = await this.all(`SELECT count(*) AS n FROM attempts WHERE run_id = ?`, [toRunId]);
    return Number(rows[0].n);
  }

  async runIdsWithPrefix(prefix: string): Promise<string[]> {
    const rows = await this.all(`SELECT run_id FROM runs WHERE starts_with(run_id, ?) ORDER BY run_id`, [prefix]);
    return rows.map((r) => String(r.run_id));
  }

  /** A run by id or unique id prefix; a clear error otherwise. */
  async getRun(idOrPrefix: string): Promise<StoredRun> {
    const exact = await this.all(`SELECT * FROM runs WHERE run_id = ?`, [idOrPrefix]);
    if (exact.length) return this.toRun(exact[0]);
    const ids = await this.runIdsWithPrefix(idOrPrefix);
    if (ids.length === 0) throw new StoreError(`no run "${idOrPrefix}" in ${this.path} (see \`dseval list runs\`)`);
    if (ids.length > 1) throw new StoreError(`run id prefix "${idOrPrefix}" is ambiguous: ${ids.slice(0, 5).join(', ')}`);
    return this.getRun(ids[0]);
  }

  async listRuns(): Promise<StoredRun[]> {
    const rows = await this.all(`SELECT * FROM runs ORDER BY created_at`);
    return rows.map((r) => this.toRun(r));
  }

  // ───────────────────────────── items ─────────────────────────────

  /**
   * Stores the run's items (once, at the start of a run; a resumed run already has them). Contents go to the
   * content-addressed tables only when no earlier run stored the same hash.
   */
  async insertItems(runId: string, rows: ItemRow[]): Promise<void> {
    await this.serial(async () => {
      await this.conn.run('BEGIN TRANSACTION');
      try {
        const known = async (table: string, column: string, hashes: string[]) => {
          const have = new Set<string>();
          for (let i = 0; i < hashes.length; i += 1000) {
            const chunk = hashes.slice(i, i + 1000);
            const sql = `SELECT ${column} AS h FROM ${table} WHERE ${column} IN (${chunk.map(() => '?').join(',')})`;
            for (const r of (await this.conn.runAndReadAll(sql, chunk)).getRowObjectsJS()) have.add(String(r.h));
          }
          return have;
        };
        const haveData = await known('item_data', 'data_hash', [...new Set(rows.map((r) => r.dataHash))]);
        const havePrompt = await known('prompts', 'prompt_hash', [...new Set(rows.map((r) => r.promptHash))]);
        const data = await this.conn.createAppender('item_data');
        const prompts = await this.conn.createAppender('prompts');
        const runItems = await this.conn.createAppender('run_items');
        for (const r of rows) {
          if (!haveData.has(r.dataHash)) {
            haveData.add(r.dataHash);
            data.appendVarchar(r.dataHash);
            data.appendVarchar(JSON.stringify(r.item.fields));
            data.appendVarchar(JSON.stringify(r.item.target));
            data.endRow();
          }
          if (!havePrompt.has(r.promptHash)) {
            havePrompt.add(r.promptHash);
            prompts.appendVarchar(r.promptHash);
            prompts.appendVarchar(JSON.stringify(r.prompt));
            prompts.endRow();
          }
          runItems.appendVarchar(runId);
          runItems.appendVarchar(r.item.id);
          runItems.appendInteger(r.position);
          runItems.appendVarchar(r.dataHash);
          runItems.appendVarchar(r.promptHash);
          runItems.appendVarchar(JSON.stringify(r.item.metadata));
          runItems.endRow();
        }
        for (const a of [data, prompts, runItems]) a.closeSync();
        await this.conn.run('COMMIT');
      } catch (e) {
        await this.conn.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  async countItems(runId: string): Promise<number> {
    const rows = await this.all(`SELECT count(*) AS n FROM run_items WHERE run_id = ?`, [runId]);
    return Number(rows[0].n);
  }

  async getItems(runId: string): Promise<Array<ItemRow & { runId: string }>> {
    const rows = await this.all(`SELECT * FROM items WHERE run_id = ? ORDER BY position`, [runId]);
    return rows.map((r) => ({
      runId,
      position: Number(r.position),
      dataHash: String(r.data_hash),
      promptHash: String(r.prompt_hash),
      prompt: parseJson<Prompt>(r.prompt),
      item: {
        id: String(r.item_id),
        fields: parseJson<JsonObject>(r.fields),
        target: parseJson(r.target),
        metadata: parseJson<JsonObject>(r.metadata),
      },
    }));
  }

  // ───────────────────────────── attempts ─────────────────────────────

  /**
   * Stores one attempt; a duplicate (run, item, attempt) is ignored, so a retried write is harmless.
   * (Plain INSERT plus the duplicate check below: DuckDB's ON CONFLICT DO NOTHING costs ~7× per row.)
   */
  async insertAttempt(runId: string, a: Attempt): Promise<void> {
    await this.durableWrite(
      `INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)`,
      [
        runId,
        a.itemId,
        a.index,
        a.seed,
        a.text,
        a.reasoning,
        a.thinkingUnclosed,
        a.finish,
        a.promptTokens,
        a.completionTokens,
        a.timings.latencyMs,
        a.timings.ttftMs,
        a.timings.tokensPerSecond,
        a.error,
      ],
    );
  }

  /** Deletes attempts that ended in `error` (and their grades) so a resumed run retries them. */
  async deleteErroredAttempts(runId: string): Promise<number> {
    const rows = await this.all(`SELECT count(*) AS n FROM attempts WHERE run_id = ? AND finish = 'error'`, [runId]);
    await this.exec(
      `DELETE FROM grades WHERE run_id = ? AND (item_id, attempt) IN
         (SELECT item_id, attempt FROM attempts WHERE run_id = ? AND finish = 'error')`,
      [runId, runId],
    );
    await this.exec(`DELETE FROM attempts WHERE run_id = ? AND finish = 'error'`, [runId]);
    return Number(rows[0].n);
  }

  private toAttempt(r: Row): StoredAttempt {
    return {
      runId: String(r.run_id),
      itemId: String(r.item_id),
      index: Number(r.attempt),
      seed: Number(r.seed),
      text: String(r.text),
      reasoning: String(r.reasoning),
      thinkingUnclosed: Boolean(r.thinking_unclosed),
      finish: String(r.finish) as Attempt['finish'],
      promptTokens: num(r.prompt_tokens),
      completionTokens: num(r.completion_tokens),
      timings: { latencyMs: Number(r.latency_ms ?? 0), ttftMs: num(r.ttft_ms), tokensPerSecond: num(r.tokens_per_s) },
      error: (r.error as string | null) ?? null,
      createdAt: r.created_at as Date,
    };
  }

  async getAttempts(runId: string): Promise<StoredAttempt[]> {
    const rows = await this.all(`SELECT * FROM attempts WHERE run_id = ? ORDER BY item_id, attempt`, [runId]);
    return rows.map((r) => this.toAttempt(r));
  }

  /** Keys "itemId\u0000attempt" of the attempts already stored. */
  async storedAttemptKeys(runId: string): Promise<Set<string>> {
    const rows = await this.all(`SELECT item_id, attempt FROM attempts WHERE run_id = ?`, [runId]);
    return new Set(rows.map((r) => attemptKey(String(r.item_id), Number(r.attempt))));
  }

  /** Attempts stored without a grade (a run killed between the two writes, or a judge that failed). */
  async ungradedAttempts(runId: string): Promise<StoredAttempt[]> {
    const rows = await this.all(
      `SELECT a.* FROM attempts a ANTI JOIN grades g USING (run_id, item_id, attempt)
       WHERE a.run_id = ? ORDER BY a.item_id, a.attempt`,
      [runId],
    );
    return rows.map((r) => this.toAttempt(r));
  }

  // ───────────────────────────── grades ─────────────────────────────

  async insertGrade(runId: string, itemId: string, attempt: number, g: Grade, judge: { name: string; version: string }): Promise<void> {
    await this.durableWrite(
      `INSERT INTO grades VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::JSON, ?, ?, current_timestamp)`,
      [
        runId,
        itemId,
        attempt,
        g.outcome,
        g.score,
        g.extracted,
        g.answerKey,
        g.judgeDisagreement,
        JSON.stringify(g.details),
        judge.name,
        judge.version,
      ],
    );
  }

  async getGrades(runId: string): Promise<StoredGrade[]> {
    const rows = await this.all(`SELECT * FROM grades WHERE run_id = ? ORDER BY item_id, attempt`, [runId]);
    return rows.map((r) => ({
      runId,
      itemId: String(r.item_id),
      attempt: Number(r.attempt),
      outcome: String(r.outcome) as Outcome,
      score: Number(r.score),
      extracted: (r.extracted as string | null) ?? null,
      answerKey: (r.answer_key as string | null) ?? null,
      judgeDisagreement: (r.judge_disagreement as boolean | null) ?? null,
      details: parseJson<JsonObject>(r.details),
      judge: String(r.judge),
      judgeVersion: String(r.judge_version),
    }));
  }

  /** Graded attempts grouped by item, in dataset order: what reducers consume. */
  async gradedByItem(runId: string): Promise<Map<string, GradedAttempt[]>> {
    const rows = await this.all(
      `SELECT i.item_id, g.attempt, g.outcome, g.score, g.answer_key
       FROM run_items i LEFT JOIN grades g ON g.run_id = i.run_id AND g.item_id = i.item_id
       WHERE i.run_id = ? ORDER BY i.position, g.attempt`,
      [runId],
    );
    const byItem = new Map<string, GradedAttempt[]>();
    for (const r of rows) {
      const id = String(r.item_id);
      if (!byItem.has(id)) byItem.set(id, []);
      if (r.attempt === null || r.attempt === undefined) continue;
      byItem.get(id)!.push({
        index: Number(r.attempt),
        outcome: String(r.outcome) as Outcome,
        score: Number(r.score),
        answerKey: (r.answer_key as string | null) ?? null,
      });
    }
    return byItem;
  }

  // ───────────────────────────── metrics ─────────────────────────────

  async replaceMetrics(runId: string, rows: MetricRow[]): Promise<void> {
    await this.exec(`DELETE FROM metrics WHERE run_id = ?`, [runId]);
    for (const m of rows) {
      await this.exec(`INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp)`, [
        runId,
        m.metric,
        m.breakdown,
        Number.isFinite(m.value) ? m.value : null,
        Number.isFinite(m.ciLow) ? m.ciLow : null,
        Number.isFinite(m.ciHigh) ? m.ciHigh : null,
        m.nItems,
      ]);
    }
  }

  async getMetrics(runId: string): Promise<MetricRow[]> {
    const rows = await this.all(`SELECT * FROM metrics WHERE run_id = ? ORDER BY breakdown, metric`, [runId]);
    return rows.map((r) => ({
      metric: String(r.metric),
      breakdown: String(r.breakdown),
      value: Number(r.value),
      ciLow: Number(r.ci_low),
      ciHigh: Number(r.ci_high),
      nItems: Number(r.n_items),
    }));
  }
}

export const attemptKey = (itemId: string, attempt: number): string => `${itemId}\u0000${attempt}`;

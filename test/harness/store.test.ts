/**
 * The store's own guarantees: item contents are stored once per content hash across runs, and a database of
 * schema version 1 (per-run item contents) is migrated in place without losing anything.
 */
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { Store, type ItemRow } from '../../reports/store.js';
import { SCHEMA_VERSION } from '../../reports/schema.js';
import { tempDir } from '../helpers/cli.js';

const rows = (n: number, tag = ''): ItemRow[] =>
  Array.from({ length: n }, (_, i) => ({
    item: { id: `q${i}`, fields: { problem: `problem ${i}` }, target: { tests: 'x'.repeat(10_000) + i }, metadata: { k: i } },
    position: i,
    dataHash: `d${i}`,
    promptHash: `p${i}${tag}`,
    prompt: { kind: 'text' as const, text: `prompt ${i}${tag}` },
  }));

const run = (runId: string) => ({
  runId, fingerprint: runId, fingerprintParts: {}, suite: 's', model: 'm', n: 1, config: {}, versions: {},
  status: 'running' as const, createdAt: new Date(), finishedAt: null,
});

describe('store', () => {
  it('stores item contents once per hash, however many runs share them', async () => {
    const store = await Store.open(join(tempDir(), 'dedupe.duckdb'));
    try {
      for (const [id, tag] of [['r1', ''], ['r2', ''], ['r3', '-other-template']]) {
        await store.insertRun(run(id));
        await store.insertItems(id, rows(5, tag));
      }
      const count = async (t: string) => Number((await store.all(`SELECT count(*) AS n FROM ${t}`))[0].n);
      expect(await count('item_data')).toBe(5);
      expect(await count('prompts')).toBe(10); // r3 rendered other prompts
      expect(await count('run_items')).toBe(15);
      expect(await count('items')).toBe(15);
      const got = await store.getItems('r3');
      expect(got.map((r) => [r.item.id, r.prompt, r.item.metadata])).toEqual(rows(5, '-other-template').map((r) => [r.item.id, r.prompt, r.item.metadata]));
      expect(got[4].item.target).toEqual({ tests: `${'x'.repeat(10_000)}4` });
      expect(await store.countItems('r2')).toBe(5);
    } finally {
      await store.close();
    }
  });

  it('migrates a version-1 database in place', async () => {
    const path = join(tempDir(), 'v1.duckdb');
    const inst = await DuckDBInstance.create(path);
    const c = await inst.connect();
    await c.run(`CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`);
    await c.run(`INSERT INTO meta VALUES ('schema_version', '1')`);
    await c.run(`CREATE TABLE items (run_id VARCHAR NOT NULL, item_id VARCHAR NOT NULL, position INTEGER NOT NULL,
      data_hash VARCHAR NOT NULL, prompt_hash VARCHAR NOT NULL, fields JSON NOT NULL, prompt JSON NOT NULL,
      target JSON NOT NULL, metadata JSON NOT NULL, PRIMARY KEY (run_id, item_id))`);
    for (const r of ['a', 'b'])
      for (let i = 0; i < 3; i++)
        await c.run(`INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
          r, `q${i}`, i, `d${i}`, `p${i}`, JSON.stringify({ problem: i }), JSON.stringify({ kind: 'text', text: `t${i}` }), JSON.stringify(String(i)), '{}',
        ]);
    c.closeSync();
    inst.closeSync();

    const store = await Store.open(path);
    try {
      expect((await store.all(`SELECT value FROM meta WHERE key = 'schema_version'`))[0].value).toBe(String(SCHEMA_VERSION));
      expect(Number((await store.all(`SELECT count(*) AS n FROM item_data`))[0].n)).toBe(3);
      const items = await store.getItems('b');
      expect(items.map((r) => [r.item.id, r.item.fields, r.item.target, r.prompt])).toEqual([0, 1, 2].map((i) => [`q${i}`, { problem: i }, String(i), { kind: 'text', text: `t${i}` }]));
    } finally {
      await store.close();
    }
    const again = await Store.open(path); // idempotent on reopen
    expect(await again.countItems('a')).toBe(3);
    await again.close();
  });
});

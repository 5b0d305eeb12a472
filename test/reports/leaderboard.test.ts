/**
 * Leaderboard reproduction: the manifests hold the published numbers of the spec, a run's model name finds
 * its entry, and a constructed run is placed against the published number with its interval while every
 * setting that differs from the recipe is named.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Store } from '../../reports/store.js';
import { loadManifest, matchModel, parseManifest } from '../../reports/leaderboard/manifest.js';
import { reproduce } from '../../reports/leaderboard/reproduce.js';
import { dseval, tempDir } from '../helpers/cli.js';
import { defaultParts, plantRun } from './planted.js';
import type { Outcome } from '../../harness/types.js';

const manifest = loadManifest();

describe('published manifests', () => {
  it('hold the vendor numbers for AIME 2025, HMMT Feb 2025 and LiveCodeBench with their windows', () => {
    const table = manifest.results.map((r) => `${r.model} ${r.suite} ${r.value}`);
    expect(table).toEqual([
      'deepseek-v3.2 aime25 93.1',
      'deepseek-v3.2 hmmt_feb25 92.5',
      'deepseek-v3.2 lcb 83.3',
      'deepseek-v3.2-speciale aime25 96',
      'deepseek-v3.2-speciale hmmt_feb25 99.2',
      'deepseek-v3.2-speciale lcb 88.7',
      'deepseek-v3.2-exp aime25 89.3',
      'deepseek-v3.2-exp hmmt_feb25 83.6',
      'deepseek-v3.2-exp lcb 74.1',
      'deepseek-v3.1-terminus aime25 88.4',
      'deepseek-v3.1-terminus hmmt_feb25 86.1',
      'deepseek-v3.1-terminus lcb 74.9',
    ]);
    const lcb = manifest.results.filter((r) => r.suite === 'lcb').map((r) => `${r.recipe.window!.start}…${r.recipe.window!.end}`);
    expect(lcb).toEqual(['2024-08-01…2025-04-30', '2024-08-01…2025-04-30', '2024-08-01…2025-05-31', '2024-08-01…2025-05-31']);
    const v32 = manifest.results.find((r) => r.model === 'deepseek-v3.2' && r.suite === 'aime25')!;
    expect(v32.recipe).toMatchObject({ temperature: 1, context_tokens: 131072, thinking: true, n: null, top_p: null, items: 30 });
    expect(v32.recipe.prompt).toBe('{{ problem }}\nPlease reason step by step, and put your final answer within \\boxed{}.');
    expect(v32.mean_output_tokens).toBe(16000);
  });

  it('matches a run to the published model by the longest alias in its model name', () => {
    expect(matchModel(manifest, 'openai:http://h/v1#deepseek-v3.2-speciale')).toBe('deepseek-v3.2-speciale');
    expect(matchModel(manifest, 'openai:http://h/v1#DeepSeek-V3.2')).toBe('deepseek-v3.2');
    expect(matchModel(manifest, 'openai:http://h/v1#deepseek-ai/DeepSeek-V3.2-Exp')).toBe('deepseek-v3.2-exp');
    expect(matchModel(manifest, 'bundled:/models/DeepSeek_V3.1_Terminus')).toBe('deepseek-v3.1-terminus');
    expect(matchModel(manifest, 'openai:http://h/v1#gpt-4o')).toBeNull();
  });

  it('rejects a malformed manifest with the field named', () => {
    expect(() => parseManifest('models: {}\nresults:\n  - { model: x, suite: aime25, value: 120, recipe: {} }\n', 'm.yaml')).toThrow(/m\.yaml: invalid manifest:\n  results\.0\.value: Too big/);
    expect(() => parseManifest('models: {}\nresults:\n  - { model: x, suite: aime25, value: 12, recipe: {} }\n', 'm.yaml')).toThrow(/unknown model "x"/);
  });
});

describe('a run against the published number', () => {
  const dir = tempDir('dseval-leaderboard-');
  const db = join(dir, 'runs.duckdb');
  beforeAll(async () => {
    const store = await Store.open(db);
    try {
      // 28 of 30 correct at the recipe's settings: 93.3%, interval around 93.1
      await plantRun(store, {
        runId: 'aime25-recipe',
        model: 'openai:http://127.0.0.1:1/v1#deepseek-v3.2',
        items: Array.from({ length: 30 }, (_, i) => ({ id: `2025-${i + 1}`, outcomes: [(i < 28 ? 'correct' : 'wrong') as Outcome] })),
        config: { suite: 'aime25', model: 'openai:http://127.0.0.1:1/v1', temperature: 1, maxTokens: 129024, thinking: true, seed: 0 },
        fingerprintParts: defaultParts('aime25', { judge: 'math@2' }),
      });
      await plantRun(store, {
        runId: 'aime25-low',
        model: 'openai:http://127.0.0.1:1/v1#deepseek-v3.2',
        items: Array.from({ length: 30 }, (_, i) => ({ id: `2025-${i + 1}`, outcomes: [(i < 10 ? 'correct' : 'wrong') as Outcome] })),
      });
      // LCB on the shipped public-test file, with its own window: the window and tests differ
      await plantRun(store, {
        runId: 'lcb-public',
        suite: 'lcb',
        model: 'openai:http://127.0.0.1:1/v1#deepseek-v3.2-exp',
        items: Array.from({ length: 20 }, (_, i) => ({
          id: `abc${300 + i}_a`,
          outcomes: [(i < 15 ? 'correct' : 'wrong') as Outcome],
          metadata: { contest_date: `2024-${String(8 + (i % 5)).padStart(2, '0')}-1${i % 10}T00:00:00`, tests_scope: 'public', platform: 'atcoder' },
        })),
        config: { suite: 'lcb', model: 'openai:http://127.0.0.1:1/v1', suiteOptions: { startDate: '2024-08-01', endDate: '2025-01-31', publicOnly: true }, seed: 0 },
        fingerprintParts: defaultParts('lcb', { judge: 'code-python-lcb@1' }),
      });
    } finally {
      await store.close();
    }
  });

  it('a run at the recipe reproduces the number; unpublished settings are marked, not guessed', async () => {
    const store = await Store.open(db);
    try {
      const target = manifest.results.find((r) => r.model === 'deepseek-v3.2' && r.suite === 'aime25')!;
      const rep = await reproduce(store, await store.getRun('aime25-recipe'), target);
      expect(rep.metric).toBe('avg@1');
      expect(rep.estimate.value).toBeCloseTo(28 / 30, 12);
      expect(rep.published).toBeCloseTo(0.931, 12);
      expect(rep.verdict).toBe('reproduced');
      const status = Object.fromEntries(rep.checks.map((c) => [c.field, c.status]));
      expect(status).toEqual({
        problems: 'match',
        prompt: 'match',
        temperature: 'match',
        top_p: 'unpublished',
        'attempts per problem (n)': 'unpublished',
        'token budget': 'match',
        thinking: 'match',
        judge: 'match',
      });
      const lcbTarget = manifest.results.find((r) => r.model === 'deepseek-v3.2-exp' && r.suite === 'lcb')!;
      const lcb = await reproduce(store, await store.getRun('lcb-public'), lcbTarget);
      expect(lcb.metric).toBe('pass@1');
      expect(lcb.estimate.value).toBeCloseTo(0.75, 12);
      const lcbStatus = Object.fromEntries(lcb.checks.map((c) => [c.field, c.status]));
      expect(lcbStatus['LCB window']).toBe('differs');
      expect(lcbStatus.tests).toBe('differs');
      expect(lcbStatus.judge).toBe('match');
      const window = lcb.checks.find((c) => c.field === 'LCB window')!;
      expect(window.run).toBe('--start-date 2024-08-01 --end-date 2025-01-31; problems dated 2024-08-10 … 2024-12-19');
      expect(window.note).toBe('run with --start-date 2024-08-01 --end-date 2025-05-31 on data that covers the window');
    } finally {
      await store.close();
    }
  });

  it('through the CLI: --check exits 0 when reproduced and 1 when not; the published table and recipes print', async () => {
    const ok = await dseval(['leaderboard', 'aime25-recipe', '--db', db, '--check']);
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/run: {7}avg@1 93\.3% {2}95% CI \[\d+\.\d%, 100\.0%\] {2}over 30 problems × 1 attempts/);
    expect(ok.stdout).toMatch(/→ reproduced: the published value lies inside the run's interval \(gap \+0\.2 pts\)/);
    expect(ok.stdout).toMatch(/every published setting of the recipe matches/);
    const both = await dseval(['leaderboard', 'aime25-recipe', 'aime25-low', '--db', db, '--check']);
    expect(both.exitCode).toBe(1);
    expect(both.stdout).toMatch(/aime25-low .*\n.*avg@1 33\.3%[\s\S]*NOT reproduced: the run is below the published value by 59\.8 pts/);
    expect(both.stdout).toMatch(/settings that differ from the recipe: temperature, token budget, judge/);
    const table = await dseval(['leaderboard']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/DeepSeek-V3\.2-Speciale\s+deepseek-v3\.2-speciale\s+96\.0 \(23k tok\)\s+99\.2 \(27k tok\)\s+88\.7/);
    const recipe = await dseval(['leaderboard', '--recipe', 'deepseek-v3.2', '--suite', 'lcb']);
    expect(recipe.stdout).toContain('command: dseval run --suite lcb --model openai:<your-endpoint>/v1 --temperature 1 --max-tokens 129024 --thinking --start-date 2024-08-01 --end-date 2025-04-30');
    const unknown = await dseval(['leaderboard', 'aime25-recipe', '--db', db, '--against', 'gpt-9']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no published model "gpt-9"/);
  });
});

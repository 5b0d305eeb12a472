/**
 * The project's reference solutions for real problems of ../shared/data/livecodebench, loaded by the suite and
 * judged in the sandbox: correct ones get AC, broken ones WA (or RE), sloppy-but-accepted ones AC as LCB would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../../harness/types.js';
import suite from '../../../suites/lcb/suite.js';
import type { CodeJudge } from '../../../judges/code/judge.js';
import { answer, sandboxMissing } from '../../judges/code/helpers.js';
import { REFERENCES } from './reference-solutions.js';

const dataDir = process.env.DSEVAL_DATA_DIR;

describe.skipIf(!dataDir || sandboxMissing())('reference solutions on real LiveCodeBench problems', () => {
  let items: Map<string, Item>;
  let judge: CodeJudge;
  beforeAll(async () => {
    const loaded = await suite.load({ dataPath: null, dataDir: dataDir!, options: {}, tokenizer: null });
    items = new Map(loaded.map((i) => [i.id, i]));
    judge = suite.judge({}) as CodeJudge;
  });
  afterAll(() => judge?.close?.());

  it('covers both problem types', () => {
    const types = new Set(REFERENCES.map((r) => items.get(r.problem)!.metadata.test_type));
    expect(types).toEqual(new Set(['stdin', 'functional']));
  });

  it('judges each reference solution as LCB does', async () => {
    const grades = await Promise.all(REFERENCES.map((r) => judge.grade(items.get(r.problem)!, answer(r.code, r.problem))));
    const got = REFERENCES.map((r, i) => `${r.problem} ${r.name}: ${grades[i].details.verdict}`);
    expect(got).toEqual(REFERENCES.map((r) => `${r.problem} ${r.name}: ${r.verdict}`));
    for (const [i, r] of REFERENCES.entries()) {
      expect(grades[i].outcome).toBe(r.verdict === 'AC' ? 'correct' : 'wrong');
      expect(grades[i].details.testsTotal).toBe((items.get(r.problem)!.target as { tests: unknown[] }).tests.length);
    }
  }, 120_000);
});

/**
 * The judge reproduces lcb_runner verdict by verdict: every case of LCB_CASES, run in the real sandbox, must
 * give exactly the per-test record LiveCodeBench's own runner gave it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createCodeJudge, type CodeJudge } from '../../../judges/code/judge.js';
import { answer, codeItem, sandboxMissing } from './helpers.js';
import { LCB_CASES } from './lcb-cases.js';

describe.skipIf(sandboxMissing())('LiveCodeBench runner semantics in the sandbox', () => {
  const judges = new Map<number, CodeJudge>();
  const judgeFor = (timeout: number) => {
    let j = judges.get(timeout);
    if (!j) judges.set(timeout, (j = createCodeJudge({ testTimeout: timeout })));
    return j;
  };
  afterAll(async () => {
    for (const j of judges.values()) await j.close?.();
  });

  it('gives every case the record lcb_runner gave it', async () => {
    const results = await Promise.all(
      LCB_CASES.map(async (c) => {
        const item = codeItem(c.name, c.fn_name ?? null, c.inputs.map((input, i) => ({ input, output: c.outputs[i] })));
        const g = await judgeFor(c.timeout ?? 6).grade(item, answer(c.code, c.name));
        return { c, g };
      }),
    );
    const mismatches: string[] = [];
    for (const { c, g } of results) {
      if (c.code.trim() === '') {
        // Nothing to run: LCB records a compile failure, dseval counts it apart as no_answer (score 0 either way).
        expect(g.outcome, c.name).toBe('no_answer');
        continue;
      }
      const passed = c.lcb.length === c.inputs.length && c.lcb.every((x) => x === true);
      if (JSON.stringify(g.details.lcb) !== JSON.stringify(c.lcb)) mismatches.push(`${c.name}: got ${JSON.stringify(g.details.lcb)}, LCB ${JSON.stringify(c.lcb)} (${g.details.message})`);
      expect(g.outcome, c.name).toBe(passed ? 'correct' : 'wrong');
      expect(g.score, c.name).toBe(passed ? 1 : 0);
    }
    expect(mismatches).toEqual([]);
  }, 180_000);

  it('names the failure: verdict, message, input, expected and output of the failing test', async () => {
    const byName = new Map(LCB_CASES.map((c) => [c.name, c]));
    const run = async (name: string) => {
      const c = byName.get(name)!;
      const item = codeItem(c.name, c.fn_name ?? null, c.inputs.map((input, i) => ({ input, output: c.outputs[i] })));
      return (await judgeFor(c.timeout ?? 6).grade(item, answer(c.code))).details;
    };
    const wa = await run('second_test_fail');
    expect(wa).toMatchObject({ verdict: 'WA', testsPassed: 1, testsTotal: 3, failure: { input: '4\n', expected: '8\n', output: '6\n' } });
    expect(wa.tests).toEqual([expect.objectContaining({ i: 0, v: 'AC' }), expect.objectContaining({ i: 1, v: 'WA' })]);
    expect(await run('syntax_error')).toMatchObject({ verdict: 'CE', stage: 'compile' });
    expect(await run('timeout')).toMatchObject({ verdict: 'TLE' });
    expect(await run('memoryerr')).toMatchObject({ verdict: 'MLE' });
    expect(await run('cb_exception')).toMatchObject({ verdict: 'RE', message: expect.stringContaining('ZeroDivisionError') });
    expect(await run('cb_sysexit')).toMatchObject({ verdict: 'RE', stage: 'escaped', lcb: [-1, -1] });
  }, 60_000);
});

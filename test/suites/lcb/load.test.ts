/**
 * The lcb suite's loader and prompts: code_generation_lite's layout (release files, private tests, date
 * windows with LCB's exact comparison, errata), dseval's normalized JSONL from ../shared/data, clear errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Item, LoadOptions } from '../../../harness/types.js';
import suite, { LCB_SYSTEM_MESSAGE } from '../../../suites/lcb/suite.js';
import { releaseFiles } from '../../../suites/lcb/options.js';
import { writeHfLayout, type HfProblem } from './python-fixtures.js';

const load = (dataPath: string, options: Record<string, string | boolean> = {}): Promise<Item[]> =>
  suite.load({ dataPath, dataDir: null, options, tokenizer: null } satisfies LoadOptions);
const ids = (items: Item[]) => items.map((i) => i.id);

const t = (input: string, output: string) => ({ input, output });
const V1: HfProblem[] = [
  { id: 'abc300_a', date: '2023-05-01T00:00:00', difficulty: 'easy', publicTests: [t('1\n', '2\n')], privateTests: [t('2\n', '4\n'), t('5\n', '10\n')] },
  { id: '2800', title: 'Find the Peaks', fnName: 'findPeaks', date: '2023-06-10T14:30:00', difficulty: 'medium', publicTests: [t('[1, 3, 1]', '[1]')], privateTests: [t('[2, 1]', '[]')] },
  { id: 'abc337_e', date: '2024-01-20T00:00:00', difficulty: 'hard', publicTests: [t('1\n', '1\n')], privateTests: [] },
];
const V2: HfProblem[] = [
  { id: 'abc350_a', date: '2024-04-20T00:00:00', difficulty: 'easy', publicTests: [t('1\n', '1\n')], privateTests: [t('é\n', '✓\n')] },
  { id: '3100', fnName: 'solve', date: '2024-04-20T18:30:00', difficulty: 'hard', publicTests: [t('1', '1')], privateTests: [t('2', '2')] },
];
const V5: HfProblem[] = [{ id: 'abc380_a', date: '2024-11-16T00:00:00', difficulty: 'easy', publicTests: [t('1\n', '1\n')], privateTests: [t('3\n', '3\n')] }];

describe('code_generation_lite layout', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dseval-lcb-'));
    writeHfLayout(dir, { 'test.jsonl': V1, 'test2.jsonl': V2, 'test5.jsonl': V5 });
  });

  it('maps release tags to files as LiveCodeBench does', () => {
    expect(releaseFiles('release_v2')).toEqual(['test.jsonl', 'test2.jsonl']);
    expect(releaseFiles('release_latest')).toHaveLength(6);
    expect(releaseFiles('v1')).toEqual(['test.jsonl']);
    expect(releaseFiles('v5')).toEqual(['test5.jsonl']);
    expect(releaseFiles('v4_v6')).toEqual(['test4.jsonl', 'test5.jsonl', 'test6.jsonl']);
    expect(releaseFiles('v3_v2')).toBeNull();
  });

  it('reads public and private tests, func_name and metadata', async () => {
    const items = await load(dir);
    expect(ids(items)).toEqual(['abc300_a', '2800', 'abc337_e', 'abc350_a', '3100', 'abc380_a']);
    const [a, peaks, interactive, b, fn] = items;
    expect(a.target).toEqual({ testType: 'stdin', fnName: null, publicTests: 1, tests: [t('1\n', '2\n'), t('2\n', '4\n'), t('5\n', '10\n')] });
    expect(a.metadata).toMatchObject({ difficulty: 'easy', platform: 'atcoder', release: 'v1', tests_scope: 'public+private', public_tests: 1, private_tests: 2, errata: null });
    expect(peaks.target).toMatchObject({ testType: 'functional', fnName: 'findPeaks', publicTests: 1 });
    expect(peaks.metadata).toMatchObject({ platform: 'leetcode', errata: 'multiple-answers', test_type: 'functional' });
    expect(peaks.fields).toMatchObject({ starterCode: 'class Solution:\n    def findPeaks(self, a):\n        ', title: 'Find the Peaks' });
    expect(interactive.metadata.errata).toBe('interactive');
    expect((b.target as { tests: unknown[] }).tests).toEqual([t('1\n', '1\n'), t('é\n', '✓\n')]);
    expect(fn.metadata).toMatchObject({ release: 'v2', difficulty: 'hard' });
  });

  it('selects release files', async () => {
    expect(ids(await load(dir, { release: 'release_v2' }))).toEqual(['abc300_a', '2800', 'abc337_e', 'abc350_a', '3100']);
    expect(ids(await load(dir, { release: 'v2' }))).toEqual(['abc350_a', '3100']);
    expect(ids(await load(dir, { release: 'v5' }))).toEqual(['abc380_a']);
    await expect(load(dir, { release: 'release_v5' })).rejects.toThrow(/release release_v5 needs test3\.jsonl, test4\.jsonl, which this folder lacks/);
    await expect(load(dir, { release: 'v7' })).rejects.toThrow(/--release: expected release_v1/);
    await expect(load(join(dir, 'test.jsonl'), { release: 'v1' })).rejects.toThrow(/pass the folder that holds them/);
  });

  it('filters contest dates exactly as LCB: start at 00:00 inclusive, end compared with 00:00 of that day', async () => {
    expect(ids(await load(dir, { startDate: '2024-04-20' }))).toEqual(['abc350_a', '3100', 'abc380_a']);
    // 3100 is on 2024-04-20 at 18:30, after 2024-04-20 00:00: LCB's --end_date 2024-04-20 leaves it out.
    expect(ids(await load(dir, { startDate: '2024-04-20', endDate: '2024-04-20' }))).toEqual(['abc350_a']);
    expect(ids(await load(dir, { startDate: '2024-04-20', endDate: '2024-04-21' }))).toEqual(['abc350_a', '3100']);
    expect(ids(await load(dir, { endDate: '2023-06-10' }))).toEqual(['abc300_a']);
    await expect(load(dir, { startDate: '2024-05-01', endDate: '2024-04-01' })).rejects.toThrow(/--start-date 2024-05-01 is after --end-date 2024-04-01/);
    await expect(load(dir, { startDate: '2024-02-30' })).rejects.toThrow(/--startDate: not a calendar date/);
    await expect(load(dir, { startDate: '2030-01-01' })).rejects.toThrow(/no problems left after filtering/);
  });

  it('filters by platform, difficulty and errata; public-only skips the private tests', async () => {
    expect(ids(await load(dir, { platform: 'leetcode' }))).toEqual(['2800', '3100']);
    expect(ids(await load(dir, { difficulty: 'hard' }))).toEqual(['abc337_e', '3100']);
    expect(ids(await load(dir, { excludeErrata: true }))).toEqual(['abc300_a', 'abc350_a', '3100', 'abc380_a']);
    const pub = await load(dir, { publicOnly: 'true' });
    expect((pub[0].target as { tests: unknown[] }).tests).toHaveLength(1);
    expect(pub[0].metadata).toMatchObject({ tests_scope: 'public_only', private_tests: 0 });
  });

  it('rejects unknown options, naming them', async () => {
    await expect(load(dir, { startdate: '2024-01-01' })).rejects.toThrow(/Unrecognized key: "startdate"/);
    await expect(load(dir, { testTimeout: 'soon' })).rejects.toThrow(/--testTimeout/);
  });
});

describe('bad data gets an error naming file, line and field', () => {
  const row = (over: Record<string, unknown>) =>
    JSON.stringify({
      question_title: 'T',
      question_content: 'Q',
      platform: 'atcoder',
      question_id: 'abc1_a',
      contest_id: 'abc1',
      contest_date: '2024-01-01T00:00:00',
      starter_code: '',
      difficulty: 'easy',
      public_test_cases: '[{"input": "1", "output": "1", "testtype": "stdin"}]',
      private_test_cases: '[]',
      metadata: '{}',
      ...over,
    });
  const file = (lines: string[]) => {
    const p = join(mkdtempSync(join(tmpdir(), 'dseval-lcb-bad-')), 'test.jsonl');
    writeFileSync(p, lines.join('\n') + '\n');
    return p;
  };

  it('malformed JSON', async () => {
    const p = file([row({}), '{"question_id": ']);
    await expect(load(p)).rejects.toThrow(new RegExp(`${p}:2: malformed JSON`));
  });
  it('a missing field', async () => {
    const p = file([row({ question_content: undefined })]);
    await expect(load(p)).rejects.toThrow(/test\.jsonl:1: field "question_content" is missing/);
  });
  it('undecodable private tests', async () => {
    const p = file([row({ private_test_cases: deflateSync(Buffer.from('not a pickle')).toString('base64') })]);
    await expect(load(p)).rejects.toThrow(/test\.jsonl:1: field "private_test_cases": unsupported pickle opcode/);
    // with --public-only the private tests are never decoded
    expect(await load(p, { publicOnly: true })).toHaveLength(1);
  });
  it('tests of the wrong shape', async () => {
    const p = file([row({ public_test_cases: '[{"input": 1}]' })]);
    await expect(load(p)).rejects.toThrow(/test\.jsonl:1: public_test_cases\[0\] needs string "input" and "output"/);
  });
  it('a duplicate id', async () => {
    const p = file([row({}), row({})]);
    await expect(load(p)).rejects.toThrow(/test\.jsonl:2: duplicate problem id "abc1_a" \(also at .*test\.jsonl:1\)/);
  });
  it('a bad contest date', async () => {
    const p = file([row({ contest_date: 'yesterday' })]);
    await expect(load(p)).rejects.toThrow(/test\.jsonl:1: field "contest_date" is not an ISO date/);
  });
  it('a problem without tests', async () => {
    const p = file([row({ public_test_cases: '[]' })]);
    await expect(load(p)).rejects.toThrow(/test\.jsonl:1: problem abc1_a has no tests/);
    appendFileSync(p, ''); // keep the file for inspection on failure
  });
});

describe('prompts', () => {
  const item: Item = {
    id: 'x',
    fields: { question: 'Add two numbers.', starterCode: 'class Solution:\n    def add(self, a: int, b: int) -> int:\n        ', platform: 'leetcode', title: null, contestId: null, contestDate: '2024-01-01' },
    target: null,
    metadata: {},
  };
  const stdinItem: Item = { ...item, fields: { ...item.fields, question: 'Read n, print 2n.', starterCode: '' } };

  it("renders LCB's generic chat prompt (system + user), with and without starter code", () => {
    expect(suite.render(item, {})).toEqual({
      kind: 'chat',
      messages: [
        { role: 'system', content: LCB_SYSTEM_MESSAGE },
        {
          role: 'user',
          content:
            '### Question:\nAdd two numbers.\n\n### Format: You will use the following starter code to write the solution to the problem and enclose your code within delimiters.\n' +
            '```python\nclass Solution:\n    def add(self, a: int, b: int) -> int:\n        \n```\n\n### Answer: (use the provided format with backticks)\n\n',
        },
      ],
    });
    const user = (suite.render(stdinItem, {}) as { messages: Array<{ content: string }> }).messages[1].content;
    expect(user).toBe(
      '### Question:\nRead n, print 2n.\n\n### Format: Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the sample inputs). ' +
        'Enclose your code within delimiters as follows. Ensure that when the python program runs, it reads the inputs, runs the algorithm and writes output to STDOUT.\n' +
        '```python\n# YOUR CODE HERE\n```\n\n### Answer: (use the provided format with backticks)\n\n',
    );
  });

  it('sends no system message when --system is empty', () => {
    expect((suite.render(item, { system: '' }) as { messages: unknown[] }).messages).toHaveLength(1);
  });
});

const dataDir = process.env.DSEVAL_DATA_DIR;

describe.skipIf(!dataDir)('the normalized LiveCodeBench set in ../shared/data', () => {
  let items: Item[];
  let rows: Array<Record<string, unknown>>;
  beforeAll(async () => {
    items = await suite.load({ dataPath: null, dataDir: dataDir!, options: {}, tokenizer: null });
    rows = readFileSync(join(dataDir!, 'livecodebench', 'livecodebench_2408_2501_public.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  });

  it('loads all 279 problems: 175 stdin and 104 call-based, public tests only', () => {
    expect(items).toHaveLength(279);
    expect(items.filter((i) => i.metadata.test_type === 'stdin')).toHaveLength(175);
    expect(items.filter((i) => i.metadata.test_type === 'functional')).toHaveLength(104);
    expect(items.every((i) => i.metadata.tests_scope === 'public_only')).toBe(true);
    expect(items.reduce((s, i) => s + (i.target as { tests: unknown[] }).tests.length, 0)).toBe(736);
  });

  it("renders the R1-style prompt identical to the dataset's prompt_lcb_style for every problem", () => {
    const mismatched = items.filter((it, i) => (suite.render(it, { promptStyle: 'r1' }) as { messages: Array<{ content: string }> }).messages[0].content !== rows[i].prompt_lcb_style);
    expect(mismatched.map((i) => i.id)).toEqual([]);
  });

  it('takes a contest window with LCB semantics', async () => {
    const inWindow = rows.filter((r) => String(r.contest_date) >= '2024-10-01' && String(r.contest_date) <= '2024-12-01T00:00:00').map((r) => r.id);
    const got = await suite.load({ dataPath: null, dataDir: dataDir!, options: { startDate: '2024-10-01', endDate: '2024-12-01' }, tokenizer: null });
    expect(ids(got)).toEqual(inWindow);
    expect(got.length).toBeGreaterThan(50);
  });
});

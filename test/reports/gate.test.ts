/**
 * Gates on constructed runs: every rule kind passes on a run that meets it and fails on one that does not;
 * rule files with mistakes are rejected naming the rule, field and line; the JUnit XML validates against
 * reports/junit.xsd (xmllint) and parses as the structure CI readers expect (Python's ElementTree).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../reports/store.js';
import { evaluateGate, type CheckResult } from '../../reports/gate.js';
import { parseGateRules, GateRulesError } from '../../reports/gate-rules.js';
import { gateJUnitXml } from '../../reports/junit.js';
import { dseval, root, tempDir } from '../helpers/cli.js';
import { plantRun, type PlantedItem } from './planted.js';
import type { Outcome } from '../../harness/types.js';

const XSD = join(root, 'reports', 'junit.xsd');
const hasXmllint = (await execa('xmllint', ['--version'], { reject: false })).exitCode === 0;

/** 30 items × 4 attempts; `correct` of the 120 attempts correct, `truncated` truncated, the rest wrong. */
function items(correct: number, truncated: number, disagree: number): PlantedItem[] {
  const out: PlantedItem[] = [];
  let k = 0;
  for (let i = 0; i < 30; i++) {
    const outcomes: Outcome[] = [];
    const flags: boolean[] = [];
    for (let a = 0; a < 4; a++, k++) {
      // spread correct attempts over items deterministically
      const slot = (a * 30 + i) % 120;
      outcomes.push(slot < correct ? 'correct' : slot < correct + truncated ? 'truncated' : 'wrong');
      flags.push(slot < disagree);
    }
    out.push({ id: `g${String(i + 1).padStart(2, '0')}`, outcomes, disagree: flags });
  }
  return out;
}

const RULES = `
rules:
  - accuracy: { min: 0.7 }
  - name: lower bound of the interval
    accuracy: { min: 0.6, bound: ci_low }
  - no_regression: { baseline: aime25-good }
  - outcome_rate: { outcome: truncated, max: 0.02 }
  - tokens_per_second: { stat: p50, min: 30 }
  - latency: { stat: p95, max_seconds: 10 }
  - ttft: { stat: p95, max_seconds: 1 }
  - judge_disagreement: { max: 0.01 }
  - accuracy: { metric: pass@1, max: 0.75 }
  - tokens_per_correct: { max: 600 }
`;

describe('gate rules on constructed runs', () => {
  const dir = tempDir('dseval-gate-');
  const db = join(dir, 'runs.duckdb');
  let store: Store;
  const results = new Map<string, CheckResult[]>();

  beforeAll(async () => {
    store = await Store.open(db);
    await plantRun(store, { runId: 'aime25-good', items: items(96, 1, 2) });
    await plantRun(store, {
      runId: 'aime25-bad',
      items: items(60, 10, 0),
      speed: (i, a) => ({ latencyMs: 20_000 + 100 * ((i + a) % 7), ttftMs: 4_000 + 10 * a, tps: 10 + (i % 3), completionTokens: 1000 }),
    });
    const file = parseGateRules(RULES, 'gates.yaml');
    for (const id of ['aime25-good', 'aime25-bad']) {
      results.set(id, await evaluateGate(file, { store, runs: [await store.getRun(id)], baselineStore: async () => store }));
    }
    await store.close();
  });

  const statuses = (id: string) => results.get(id)!.map((r) => r.status);

  it('each rule kind passes on the good run and fails on the bad one (and the reverse where the bound is a maximum)', () => {
    expect(statuses('aime25-good')).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'fail', 'fail', 'pass']);
    expect(statuses('aime25-bad')).toEqual(['fail', 'fail', 'fail', 'fail', 'fail', 'fail', 'fail', 'pass', 'pass', 'fail']);
  });

  it('says what it measured', () => {
    const [acc, low, reg, trunc, tps, lat, ttft, judge, , perCorrect] = results.get('aime25-bad')!;
    expect(acc.actual).toMatch(/^avg@4 50\.0% \[\d+\.\d%, \d+\.\d%\], 30 items$/);
    expect(low.message).toMatch(/avg@4 ci_low = \d+\.\d% is outside the bound/);
    expect(reg.actual).toMatch(/^Δ −30\.0 pts \[/);
    expect(reg.message).toMatch(/^regressed: p /);
    expect(trunc.actual).toBe('8.3% (10 of 120 attempts)');
    expect(tps.actual).toMatch(/^p50 1[01]\.\d\d tokens\/s over 120 attempts$/);
    expect(lat.actual).toMatch(/^p95 20\.\d\d s over/);
    expect(ttft.actual).toMatch(/^p95 4\.0\d s over/);
    expect(judge.actual).toBe('0.0% (0 of 110 grades)');
    expect(perCorrect.actual).toBe('2000 tokens per correct attempt'); // 120 attempts × 1,000 tokens / 60 correct
    expect(results.get('aime25-good')![7].actual).toBe('1.7% (2 of 119 grades)');
  });

  it('a rule whose suite has no run is an error, not a pass', async () => {
    const s = await Store.open(db);
    try {
      const file = parseGateRules('rules:\n  - accuracy: { min: 0.1 }\n    suite: lcb\n', 'g.yaml');
      const [r] = await evaluateGate(file, { store: s, runs: [await s.getRun('aime25-good')], baselineStore: async () => s });
      expect(r.status).toBe('error');
      expect(r.message).toMatch(/no run of suite lcb among the runs checked \(suites: aime25\)/);
    } finally {
      await s.close();
    }
  });

  it('rejects a rules file with mistakes, naming each rule, field and line', () => {
    const bad = ['rules:', '  - accuracy: { mn: 0.4 }', '  - name: two', '    accuracy: { min: 0.5 }', '    ttft: { max_seconds: 1 }', '  - outcome_rate: { outcome: cut_off, max: 2 }', '  - speedy: {}'].join('\n');
    let message = '';
    try {
      parseGateRules(bad, 'gates.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(GateRulesError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/gates\.yaml line 2, rules\[0\]\.accuracy: Unrecognized key: "mn"/);
    expect(message).toMatch(/gates\.yaml line 3, rules\[1\] \(two\): one kind per rule, found accuracy and ttft/);
    expect(message).toMatch(/gates\.yaml line 6, rules\[2\]\.outcome_rate\.outcome: Invalid option/);
    expect(message).toMatch(/gates\.yaml line 6, rules\[2\]\.outcome_rate\.max: Too big/);
    expect(message).toMatch(/gates\.yaml line 7, rules\[3\]: unknown rule kind "speedy"/);
    expect(() => parseGateRules('rules: [', 'x.yaml')).toThrow(/x\.yaml line 1: not valid YAML/);
    expect(() => parseGateRules('rules: []', 'x.yaml')).toThrow(/rules: needs at least one rule/);
  });

  it('writes JUnit XML that validates against the schema and parses as CI readers expect', async () => {
    const all = [...results.get('aime25-good')!, ...results.get('aime25-bad')!];
    // a nasty rule name and message must be escaped, not break the XML
    all[0] = { ...all[0], status: 'fail', message: 'a <b> & "c" \u0001 \'d\'', rule: { ...all[0].rule, name: 'x < y & z' } };
    const xml = gateJUnitXml(all, { name: 'dseval gate', timestamp: new Date('2025-03-01T12:34:56Z'), hostname: 'ci-runner', rulesFile: 'gates.yaml' });
    const file = join(dir, 'junit.xml');
    writeFileSync(file, xml);
    if (hasXmllint) {
      const v = await execa('xmllint', ['--noout', '--schema', XSD, file], { reject: false });
      expect(v.exitCode, v.stderr).toBe(0);
      // the schema is not a rubber stamp: a broken document fails it
      writeFileSync(join(dir, 'broken.xml'), xml.replace(/ tests="\d+"/, ' tests="-1"').replace('<failure message', '<failure nope'));
      const broken = await execa('xmllint', ['--noout', '--schema', XSD, join(dir, 'broken.xml')], { reject: false });
      expect(broken.exitCode).not.toBe(0);
    }
    const py = await execa('python3', ['-c', PY_CHECK, file], { reject: false });
    expect(py.exitCode, py.stderr).toBe(0);
    expect(JSON.parse(py.stdout)).toEqual({
      tests: 20,
      failures: 11,
      errors: 0,
      suites: [
        ['dseval gate: aime25-good', 10, 3, 0],
        ['dseval gate: aime25-bad', 10, 8, 0],
      ],
      first: 'x < y & z',
      firstMessage: 'a <b> & "c" \ufffd \'d\'',
      timestamp: '2025-03-01T12:34:56',
    });
  });

  it('through the CLI: exit 1 on a failing check, 0 when all pass, 2 for a bad rules file; --junit and --json written', async () => {
    const rules = join(dir, 'gates.yaml');
    writeFileSync(rules, RULES);
    const junit = join(dir, 'cli.xml');
    const json = join(dir, 'cli.json');
    const fail = await dseval(['gate', '--rules', rules, '--db', db, '--run', 'aime25-bad', '--junit', junit, '--json', json]);
    expect(fail.exitCode).toBe(1);
    expect(fail.stdout).toMatch(/10 rules, 10 checks: 2 passed, 8 failed, 0 could not be evaluated → exit 1/);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites name="dseval gate" tests="10" failures="8" errors="0"/);
    expect(JSON.parse(readFileSync(json, 'utf8')).exitCode).toBe(1);
    const onlyPassing = join(dir, 'pass.yaml');
    writeFileSync(onlyPassing, 'runs: aime25-good\nrules:\n  - accuracy: { min: 0.7 }\n  - outcome_rate: { outcome: error, max: 0 }\n');
    const pass = await dseval(['gate', '--rules', onlyPassing, '--db', db]);
    expect(pass.exitCode, pass.stdout).toBe(0);
    const invalid = join(dir, 'invalid.yaml');
    writeFileSync(invalid, 'rules:\n  - accuracy: { min: 7 }\n');
    const bad = await dseval(['gate', '--rules', invalid, '--db', db]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/invalid\.yaml line 2, rules\[0\]\.accuracy\.min: Too big/);
  });
});

/** Reads the JUnit file with Python's standard library, as many CI reporters do, and summarises it. */
const PY_CHECK = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == 'testsuites', root.tag
suites = []
cases = []
for s in root.findall('testsuite'):
    tcs = s.findall('testcase')
    assert int(s.get('tests')) == len(tcs)
    assert int(s.get('failures')) == sum(1 for t in tcs if t.find('failure') is not None)
    assert int(s.get('errors')) == sum(1 for t in tcs if t.find('error') is not None)
    for t in tcs:
        assert t.get('name') and t.get('classname') and float(t.get('time')) >= 0
        assert len([c for c in t if c.tag in ('failure', 'error', 'skipped')]) <= 1
    suites.append([s.get('name'), len(tcs), int(s.get('failures')), int(s.get('errors'))])
    cases.extend(tcs)
first = cases[0]
print(json.dumps({
  'tests': int(root.get('tests')), 'failures': int(root.get('failures')), 'errors': int(root.get('errors')),
  'suites': suites, 'first': first.get('name')[4:], 'firstMessage': first.find('failure').get('message') if first.find('failure') is not None else None,
  'timestamp': root.find('testsuite').get('timestamp'),
}))
`;

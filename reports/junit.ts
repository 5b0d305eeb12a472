/**
 * JUnit XML for CI systems (GitHub Actions test reporters, GitLab, Jenkins): one <testsuite> per run, one
 * <testcase> per gate check, <failure> for a failed check and <error> for one that could not be evaluated.
 * The structure follows reports/junit.xsd, which the tests validate against.
 */
import type { CheckResult } from './gate.js';

/** Escapes text for XML and drops characters XML 1.0 cannot carry. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attrs = (a: Record<string, string | number>) =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');

/** ISO 8601 local date-time without a zone (the form JUnit readers accept everywhere); the value is UTC. */
const junitTimestamp = (d: Date) => d.toISOString().slice(0, 19);

export function gateJUnitXml(results: CheckResult[], opts: { name: string; timestamp: Date; hostname: string; rulesFile: string }): string {
  const groups = new Map<string, CheckResult[]>();
  for (const r of results) {
    const key = r.run?.runId ?? '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  const count = (rs: CheckResult[], s: string) => rs.filter((r) => r.status === s).length;
  const time = (rs: CheckResult[]) => rs.reduce((s, r) => s + r.seconds, 0).toFixed(3);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites${attrs({ name: opts.name, tests: results.length, failures: count(results, 'fail'), errors: count(results, 'error'), time: time(results) })}>`);
  let id = 0;
  for (const [runId, rs] of groups) {
    const run = rs[0].run;
    out.push(
      `  <testsuite${attrs({
        name: runId ? `${opts.name}: ${runId}` : `${opts.name}: rules without a run`,
        tests: rs.length,
        failures: count(rs, 'fail'),
        errors: count(rs, 'error'),
        skipped: 0,
        time: time(rs),
        timestamp: junitTimestamp(opts.timestamp),
        hostname: opts.hostname,
        id: id++,
      })}>`,
    );
    out.push('    <properties>');
    out.push(`      <property${attrs({ name: 'rules', value: opts.rulesFile })}/>`);
    if (run) {
      for (const [k, v] of [['run', run.runId], ['suite', run.suite], ['model', run.model], ['fingerprint', run.fingerprint], ['attempts_per_item', String(run.n)]]) {
        out.push(`      <property${attrs({ name: k, value: v })}/>`);
      }
    }
    out.push('    </properties>');
    for (const r of rs) {
      const name = `[${r.rule.index + 1}] ${r.rule.name}`;
      const classname = `dseval.gate.${r.run?.suite ?? r.rule.suite ?? 'all'}`;
      const head = `    <testcase${attrs({ name, classname, time: r.seconds.toFixed(3) })}`;
      const body = `measured: ${r.actual}\n${r.message}\nrule ${r.rule.index + 1}${r.rule.line ? ` (${opts.rulesFile} line ${r.rule.line})` : ''}: ${r.rule.kind} ${JSON.stringify(r.rule.params)}`;
      if (r.status === 'pass') {
        out.push(`${head}>`, `      <system-out>${xmlEscape(`measured: ${r.actual}`)}</system-out>`, '    </testcase>');
      } else {
        const tag = r.status === 'fail' ? 'failure' : 'error';
        out.push(`${head}>`, `      <${tag}${attrs({ message: r.message, type: r.rule.kind })}>${xmlEscape(body)}</${tag}>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

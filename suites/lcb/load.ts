/**
 * Loading LiveCodeBench problems from the layouts users have:
 *   • Hugging Face livecodebench/code_generation_lite (test.jsonl … test6.jsonl): public tests as JSON, private
 *     tests as base64-zlib-pickle, metadata.func_name for LeetCode; `--release` picks the files;
 *   • dseval's normalized JSONL (../shared/data/livecodebench): problem, starter_code, func_name, tests.
 * Rows stream line by line (the HF files hold hundreds of MB of tests); rows outside the date window, or
 * filtered out otherwise, are dropped before their private tests are decoded. Every error names file:line
 * and the field.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { CodeTest } from '../../judges/code/target.js';
import { DatasetError } from '../common/dataset.js';
import { erratumOf, type ErratumKind } from './errata.js';
import { releaseFiles, releaseOfFile } from './options.js';
import { decodeTestCases } from './pickle.js';

export interface LcbProblem {
  id: string;
  title: string | null;
  question: string;
  starterCode: string;
  platform: string;
  contestId: string | null;
  /** ISO date-time as the data gives it ("2024-08-03T00:00:00"). */
  contestDate: string;
  difficulty: string | null;
  fnName: string | null;
  publicTests: CodeTest[];
  privateTests: CodeTest[];
  /** Which release file the problem came from (v1 … v6), when known. */
  release: string | null;
  testsScope: 'public+private' | 'public_only';
  errata: ErratumKind | null;
  where: string;
}

export interface LoadFilter {
  release?: string;
  startDate?: string;
  endDate?: string;
  publicOnly: boolean;
  excludeErrata: boolean;
  platform?: string;
  difficulty?: string;
}

/** Milliseconds of a naive ISO date(-time), read as UTC so that comparisons match Python's naive datetimes. */
function instant(s: string): number {
  const iso = /[zZ]|[+-]\d\d:\d\d$/.test(s) ? s : `${s.length === 10 ? `${s}T00:00:00` : s}Z`;
  return Date.parse(iso);
}

/** The files to read for a data path and release (the HF layout is recognised by its file names). */
export function lcbFiles(path: string, release: string | undefined): string[] {
  const full = resolve(path);
  if (!existsSync(full)) throw new DatasetError(`LiveCodeBench data not found: ${full}`);
  if (statSync(full).isFile()) {
    if (release) {
      throw new DatasetError(
        `--release ${release} selects files of the code_generation_lite layout (test.jsonl … test6.jsonl); ` +
          `pass the folder that holds them instead of the single file ${full}`,
      );
    }
    return [full];
  }
  const names = readdirSync(full).filter((n) => n.endsWith('.jsonl')).sort();
  const hf = names.filter((n) => releaseOfFile(n) !== null);
  if (hf.length > 0) {
    const wanted = releaseFiles(release ?? 'release_latest')!;
    const missing = wanted.filter((n) => !hf.includes(n));
    // release_latest means "everything there is"; a named release needs all of its files.
    if (release && missing.length) throw new DatasetError(`${full}: release ${release} needs ${missing.join(', ')}, which this folder lacks`);
    return wanted.filter((n) => hf.includes(n)).map((n) => join(full, n));
  }
  if (release) throw new DatasetError(`${full}: --release needs the code_generation_lite files test.jsonl … test6.jsonl; this folder has none`);
  if (names.length === 0) throw new DatasetError(`${full}: no .jsonl files in this folder`);
  return names.map((n) => join(full, n));
}

type Row = Record<string, unknown>;

function text(row: Row, field: string, where: string, opts: { optional?: boolean; empty?: boolean } = {}): string {
  const v = row[field];
  if (v === undefined || v === null) {
    if (opts.optional) return '';
    throw new DatasetError(`${where}: field "${field}" is missing`);
  }
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw new DatasetError(`${where}: field "${field}" must be a string, got ${typeof v}`);
  if (!opts.empty && !opts.optional && v.trim() === '') throw new DatasetError(`${where}: field "${field}" is empty`);
  return v;
}

function tests(value: unknown, where: string, field: string): CodeTest[] {
  if (!Array.isArray(value)) throw new DatasetError(`${where}: ${field} must be a list of {input, output}`);
  return value.map((t, i) => {
    const o = t as Row;
    if (!o || typeof o !== 'object' || typeof o.input !== 'string' || typeof o.output !== 'string') {
      throw new DatasetError(`${where}: ${field}[${i}] needs string "input" and "output"`);
    }
    return { input: o.input, output: o.output };
  });
}

function jsonField(row: Row, field: string, where: string): unknown {
  const v = row[field];
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch (e) {
    throw new DatasetError(`${where}: field "${field}" is not valid JSON (${(e as Error).message})`);
  }
}

/** The part of a row every filter needs, read before any tests are decoded. */
interface Head {
  id: string;
  title: string | null;
  platform: string;
  contestDate: string;
  difficulty: string | null;
  errata: ErratumKind | null;
}

/** code_generation_lite rows (vs dseval's normalized ones) are told apart by their own field names. */
const isHf = (row: Row) => 'question_content' in row || 'question_id' in row || 'public_test_cases' in row;

function headOf(row: Row, where: string): Head {
  const hf = isHf(row);
  const id = text(row, hf ? 'question_id' : 'id', where);
  const title = hf ? text(row, 'question_title', where, { optional: true }) || null : null;
  const platform = text(row, 'platform', where).toLowerCase();
  const contestDate = text(row, 'contest_date', where);
  if (Number.isNaN(instant(contestDate))) throw new DatasetError(`${where}: field "contest_date" is not an ISO date: "${contestDate}"`);
  const d = row.difficulty;
  const difficulty = typeof d === 'string' && d ? d.toLowerCase() : null;
  return { id, title, platform, contestDate, difficulty, errata: erratumOf(id, title) };
}

function keep(h: Head, f: LoadFilter): boolean {
  if (f.startDate && instant(h.contestDate) < instant(f.startDate)) return false;
  if (f.endDate && instant(h.contestDate) > instant(f.endDate)) return false;
  if (f.platform && h.platform !== f.platform) return false;
  if (f.difficulty && h.difficulty !== f.difficulty) return false;
  if (f.excludeErrata && h.errata) return false;
  return true;
}

async function problemOf(row: Row, h: Head, where: string, release: string | null, publicOnly: boolean): Promise<LcbProblem> {
  const base = { ...h, where, release };
  if (isHf(row)) {
    const meta = (jsonField(row, 'metadata', where) ?? {}) as Row;
    const fn = meta && typeof meta === 'object' ? meta.func_name : undefined;
    const publicTests = tests(jsonField(row, 'public_test_cases', where), where, 'public_test_cases');
    let privateTests: CodeTest[] = [];
    if (!publicOnly) {
      const raw = row.private_test_cases;
      if (typeof raw !== 'string') throw new DatasetError(`${where}: field "private_test_cases" must be a string`);
      try {
        privateTests = tests(await decodeTestCases(raw), where, 'private_test_cases');
      } catch (e) {
        if (e instanceof DatasetError) throw e;
        throw new DatasetError(`${where}: field "private_test_cases": ${(e as Error).message}`);
      }
    }
    return {
      ...base,
      question: text(row, 'question_content', where),
      starterCode: text(row, 'starter_code', where, { optional: true }),
      contestId: text(row, 'contest_id', where, { optional: true }) || null,
      fnName: typeof fn === 'string' && fn ? fn : null,
      publicTests,
      privateTests,
      testsScope: publicOnly ? 'public_only' : 'public+private',
    };
  }
  const fn = row.func_name;
  const all = tests(row.tests, where, 'tests');
  const scope = row.tests_scope === 'public_only' || publicOnly ? 'public_only' : 'public+private';
  const privateTests = publicOnly ? [] : row.private_tests !== undefined ? tests(row.private_tests, where, 'private_tests') : [];
  return {
    ...base,
    question: text(row, 'problem', where),
    starterCode: text(row, 'starter_code', where, { optional: true }),
    contestId: text(row, 'contest_id', where, { optional: true }) || null,
    fnName: typeof fn === 'string' && fn ? fn : null,
    publicTests: all,
    privateTests,
    release: typeof row.release === 'string' ? row.release : release,
    testsScope: scope,
  };
}

/** Reads, filters and decodes the problems of a data path. */
export async function loadProblems(path: string, filter: LoadFilter): Promise<LcbProblem[]> {
  const out: LcbProblem[] = [];
  const seen = new Map<string, string>();
  for (const file of lcbFiles(path, filter.release)) {
    const release = releaseOfFile(basename(file));
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      n += 1;
      if (!line.trim()) continue;
      const where = `${file}:${n}`;
      let row: Row;
      try {
        row = JSON.parse(line) as Row;
      } catch (e) {
        throw new DatasetError(`${where}: malformed JSON (${(e as Error).message})`);
      }
      if (!row || typeof row !== 'object' || Array.isArray(row)) throw new DatasetError(`${where}: expected a JSON object`);
      const head = headOf(row, where);
      const dup = seen.get(head.id);
      if (dup) throw new DatasetError(`${where}: duplicate problem id "${head.id}" (also at ${dup})`);
      seen.set(head.id, where);
      if (!keep(head, filter)) continue;
      const p = await problemOf(row, head, where, release, filter.publicOnly);
      if (p.publicTests.length + p.privateTests.length === 0) throw new DatasetError(`${where}: problem ${p.id} has no tests`);
      out.push(p);
    }
  }
  return out;
}

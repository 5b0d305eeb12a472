/**
 * Replays the fuzz regression corpus (test/engine/corpus/, grown with `make -C engine fuzz` — libFuzzer with ASan
 * and UBSan — and minimised with -merge=1) through the real binary: every input must end in a clean result or a
 * clean one-line error; never a crash, a hang or garbage on stdout. Hand-written seeds (seed-*) pin the verdict.
 */
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runEngine, tempDir } from './engine-client.js';

const corpus = join(dirname(fileURLToPath(import.meta.url)), 'corpus');
const files = (kind: string) =>
  readdirSync(join(corpus, kind))
    .sort()
    .map((f) => join(corpus, kind, f));

interface Verdict {
  file: string;
  ok: boolean;
  error?: string;
}

function replay(kind: 'safetensors' | 'config'): Verdict[] {
  const inputs = files(kind);
  const r = runEngine(['validate', kind, ...inputs], 60_000);
  expect(r.signal).toBeNull();
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(inputs.length);
  const verdicts = lines.map((l) => JSON.parse(l) as Verdict);
  verdicts.forEach((v, i) => {
    expect(v.file).toBe(inputs[i]);
    if (!v.ok) {
      expect(v.error).toContain(inputs[i]);
      expect(v.error).not.toMatch(/[\n\r]/);
    }
  });
  return verdicts;
}

describe('fuzz regression corpus', () => {
  it('safetensors inputs: each parses or fails cleanly; seeds get the expected verdict', () => {
    const v = replay('safetensors');
    expect(v.length).toBeGreaterThan(50);
    for (const x of v.filter((x) => x.file.includes('/seed-'))) expect(x.ok, x.file).toBe(/seed-(valid|unicode)/.test(x.file));
  });

  it('config inputs: each validates or fails cleanly; seeds get the expected verdict', () => {
    const v = replay('config');
    expect(v.length).toBeGreaterThan(50);
    for (const x of v.filter((x) => x.file.includes('/seed-'))) expect(x.ok, x.file).toBe(/seed-(tiny_|no_rope_scaling)/.test(x.file));
  });

  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  it('safetensors inputs as a model directory through `check`: exit 0 or a one-line error, never a signal', () => {
    const sample = files('safetensors').filter((_, i) => i % 10 === 0);
    for (const f of sample) {
      const dir = join(tmp.dir, f.split('/').at(-1)!);
      mkdirSync(dir);
      cpSync(join(corpus, 'config', 'seed-tiny_v32.json'), join(dir, 'config.json'));
      cpSync(f, join(dir, 'model.safetensors'));
      const r = runEngine(['check', dir], 10_000);
      expect(r.signal, f).toBeNull();
      expect([0, 1], f).toContain(r.code);
      if (r.code === 1) expect(r.stderr.trimEnd().split('\n'), f).toHaveLength(1);
    }
  });
});

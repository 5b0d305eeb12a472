/**
 * Checkpoint and config defects: every one is a one-line error naming the tensor and file (or the config
 * field), a non-zero exit from `dseval-engine check`, and an error event from the protocol's load op after which
 * the engine keeps serving. Never a crash, never a silent garbage run.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corruptCheckpoint, CORRUPTION_KINDS, DEFAULT_CORRUPT_TENSOR, type CorruptionKind } from '../../engine/testmodel/corrupt.js';
import { EngineClient, runEngine, someTokens, tempDir, tinyModel } from './engine-client.js';

let tmp: ReturnType<typeof tempDir>;
let good: string;
let goodSharded: string;
let n = 0;

beforeAll(async () => {
  tmp = tempDir();
  good = await tinyModel(tmp.dir, 'good', { seed: 9 });
  goodSharded = await tinyModel(tmp.dir, 'good-sharded', { seed: 9, shards: 3 });
});
afterAll(() => tmp?.cleanup());

function copyOfGood(from = good): string {
  const dir = join(tmp.dir, `case${n++}`);
  cpSync(from, dir, { recursive: true });
  return dir;
}

/** `check` must fail cleanly: exit 1, no signal, nothing on stdout, exactly one stderr line. */
function expectCleanFailure(dir: string): string {
  const r = runEngine(['check', dir]);
  expect(r.signal).toBeNull();
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^dseval-engine: error: /);
  return lines[0]!;
}

// What each corruption's message must name besides the file.
const MUST_NAME: Record<CorruptionKind, RegExp> = {
  truncate: new RegExp(`${DEFAULT_CORRUPT_TENSOR.replace(/\./g, '\\.')}.*past the end.*truncated`),
  shape: new RegExp(`${DEFAULT_CORRUPT_TENSOR.replace(/\./g, '\\.')} has shape \\[256, 512\\], expected \\[512, 256\\]`),
  dtype: new RegExp(`${DEFAULT_CORRUPT_TENSOR.replace(/\./g, '\\.')}: BF16 \\[512, 256\\] needs 262144 bytes`),
  drop: new RegExp(`missing tensor ${DEFAULT_CORRUPT_TENSOR.replace(/\./g, '\\.')}`),
  'bad-json': /safetensors header\): JSON error at byte 0/,
  'offset-past-end': new RegExp(`${DEFAULT_CORRUPT_TENSOR.replace(/\./g, '\\.')}: data_offsets .* past the end`),
  'header-length': /header length \d+ runs past the end/,
};

describe('bad checkpoints', () => {
  it('the good checkpoint passes check with a summary', () => {
    const r = runEngine(['check', good]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { ok: boolean; config: { architecture: string; params: number }; checkpoint: { dtypes: Record<string, number> } };
    expect(s.ok).toBe(true);
    expect(s.config.architecture).toBe('DeepseekV32ForCausalLM');
    expect(s.config.params).toBeGreaterThan(1e6);
    expect(s.checkpoint.dtypes.F8_E4M3).toBeGreaterThan(0);
  });

  it.each(CORRUPTION_KINDS)('%s: one-line error naming the tensor and file, exit 1', async (kind) => {
    const dir = copyOfGood();
    await corruptCheckpoint(dir, kind);
    const line = expectCleanFailure(dir);
    expect(line).toContain(kind === 'drop' ? dir : join(dir, 'model.safetensors'));
    expect(line).toMatch(MUST_NAME[kind]);
  });

  it('a defect in one shard of a sharded checkpoint names that shard', async () => {
    const dir = copyOfGood(goodSharded);
    const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> };
    const victim = 'model.layers.2.mlp.experts.3.down_proj.weight';
    await corruptCheckpoint(dir, 'truncate', victim);
    const line = expectCleanFailure(dir);
    expect(line).toContain(join(dir, index.weight_map[victim]!));
    expect(line).toContain(victim);
  });

  it('a missing shard and an index pointing at the wrong shard are errors', async () => {
    const dir = copyOfGood(goodSharded);
    const indexPath = join(dir, 'model.safetensors.index.json');
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as { weight_map: Record<string, string> };
    const files = [...new Set(Object.values(index.weight_map))].sort();
    const moved = Object.keys(index.weight_map).find((k) => index.weight_map[k] === files[0])!;
    index.weight_map[moved] = files[1]!;
    writeFileSync(indexPath, JSON.stringify(index));
    expect(expectCleanFailure(dir)).toContain(`puts tensor ${moved} in this file`);
    rmSync(join(dir, files[1]!));
    expect(expectCleanFailure(dir)).toMatch(/shard listed in model\.safetensors\.index\.json is missing/);
  });

  it('a config with fewer layers than the checkpoint is an error, unless the extra layer is declared as MTP', () => {
    // A config with fewer layers than the checkpoint must not load as a truncated model.
    const fewer = copyOfGood();
    const cfg = JSON.parse(readFileSync(join(fewer, 'config.json'), 'utf8'));
    writeFileSync(join(fewer, 'config.json'), JSON.stringify({ ...cfg, num_hidden_layers: 3 }));
    expect(expectCleanFailure(fewer)).toMatch(/unexpected tensor model\.layers\.3\..* does not match config\.json/);
    // …unless that extra layer is declared as the MTP module, which is skipped (spec §7.6).
    writeFileSync(join(fewer, 'config.json'), JSON.stringify({ ...cfg, num_hidden_layers: 3, num_nextn_predict_layers: 1 }));
    const r = runEngine(['check', fewer]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { checkpoint: { skipped_mtp_tensors: number } }).checkpoint.skipped_mtp_tensors).toBeGreaterThan(50);
  });
});

describe('bad config.json', () => {
  const cases: [string, (c: Record<string, unknown>) => unknown, RegExp][] = [
    ['a string where a size belongs', (c) => ({ ...c, hidden_size: '256' }), /field "hidden_size": expected an integer in \[1, 65536\], got "256"/],
    ['a missing required field', (c) => ({ ...c, kv_lora_rank: undefined }), /field "kv_lora_rank": expected an integer .* got nothing \(missing\)/],
    ['an unsupported architecture', (c) => ({ ...c, architectures: ['LlamaForCausalLM'] }), /field "architectures": unsupported architecture "LlamaForCausalLM"/],
    ['an odd RoPE dimension', (c) => ({ ...c, qk_rope_head_dim: 63 }), /field "qk_rope_head_dim": must be even/],
    ['experts that do not divide into groups', (c) => ({ ...c, n_group: 5 }), /field "n_group": n_routed_experts 16 is not a multiple of n_group 5/],
    ['a non-YaRN rope_scaling', (c) => ({ ...c, rope_scaling: { type: 'linear', factor: 2 } }), /field "rope_scaling\.type": expected "yarn"/],
    ['a 64×64 FP8 block size', (c) => ({ ...c, quantization_config: { quant_method: 'fp8', weight_block_size: [64, 64] } }), /quantization_config\.weight_block_size/],
    ['not JSON at all', () => '{"vocab_size": 1024,', /config\.json: JSON error at byte 20 \(line 1\)/],
  ];
  it.each(cases)('%s', (_name, edit, want) => {
    const dir = copyOfGood();
    const path = join(dir, 'config.json');
    const edited = edit(JSON.parse(readFileSync(path, 'utf8')));
    writeFileSync(path, typeof edited === 'string' ? edited : JSON.stringify(edited));
    const line = expectCleanFailure(dir);
    expect(line).toContain(path);
    expect(line).toMatch(want);
  });

  it('a directory without config.json or weights', () => {
    const dir = join(tmp.dir, 'empty');
    cpSync(good, dir, { recursive: true });
    rmSync(join(dir, 'model.safetensors'));
    expect(expectCleanFailure(dir)).toMatch(/no model\.safetensors or model\.safetensors\.index\.json/);
    rmSync(join(dir, 'config.json'));
    expect(expectCleanFailure(dir)).toMatch(/config\.json: cannot open/);
  });
});

describe('bad checkpoints through the protocol', () => {
  it('load reports an error event for each defect and the engine keeps serving', async () => {
    const e = new EngineClient();
    try {
      for (const kind of CORRUPTION_KINDS) {
        const dir = copyOfGood();
        await corruptCheckpoint(dir, kind);
        const r = await e.call({ op: 'load', id: `bad-${kind}`, model: dir, options: { threads: 1 } });
        expect(r.event).toBe('error');
        expect(String(r.message)).toMatch(MUST_NAME[kind]);
        // Requests before a successful load get a clear error, not a crash.
        const g = await e.call({ op: 'generate', id: `g-${kind}`, tokens: [5, 6, 7] });
        expect(g.event).toBe('error');
        expect(String(g.message)).toMatch(/no model loaded/);
      }
      await e.load(good, { max_seq: 64 });
      const f = await e.call({ op: 'forward', id: 'ok', tokens: someTokens(8), return_logits: 'last' });
      expect(f.event).toBe('forward');
      expect((f.logits as number[][])[0]).toHaveLength(1024);
    } finally {
      const exit = await e.close();
      expect(exit).toEqual({ code: 0, signal: null });
    }
  });
});

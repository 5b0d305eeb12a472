// The test-model generator and the TS safetensors reader: exact format, bit-exact round trip, shards,
// determinism, config fields, and a clear error for every corruption kind.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../engine/reference/config.js';
import { tensorLayout } from '../../engine/reference/layout.js';
import { loadReferenceModel } from '../../engine/reference/model.js';
import { E4M3_TABLE } from '../../engine/reference/numerics.js';
import { Checkpoint, decodeFloats, SafetensorsFile, type TensorData } from '../../engine/reference/safetensors.js';
import { corruptCheckpoint, CORRUPTION_KINDS, type CorruptionKind } from '../../engine/testmodel/corrupt.js';
import { drawTensor, drawWeights } from '../../engine/testmodel/draw-weights.js';
import { writeCheckpoint } from '../../engine/testmodel/safetensors-writer.js';
import { writeTinyModel } from '../../engine/testmodel/generate.js';
import { tinyConfig } from '../../engine/testmodel/tiny-config.js';
import { projectRoot } from '../../harness/paths.js';

let root: string;
let fp8Dir: string;
let drawn: Map<string, TensorData>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dseval-testmodel-'));
  fp8Dir = join(root, 'fp8');
  await writeTinyModel(fp8Dir);
  drawn = drawWeights(parseConfig(tinyConfig('v32', 'fp8')), 0);
});

/** writeTinyModel({dtype: 'bf16', arch: 'v3', seed: 7}), written once for the tests that need it. */
async function bf16V3Seed7(): Promise<string> {
  const dir = join(root, 'bf16-v3');
  if (!existsSync(join(dir, 'tokenizer_config.json'))) await writeTinyModel(dir, { dtype: 'bf16', arch: 'v3', seed: 7 });
  return dir;
}

/** A sharded copy of the seed-0 FP8 model, written from the same drawn tensors (writeTinyModel({shards}) does this). */
function shardedCopy(name: string, shards: number): string {
  const dir = join(root, name);
  cpSync(fp8Dir, dir, { recursive: true, filter: (p) => !p.endsWith('.safetensors') });
  writeCheckpoint(dir, drawn, shards);
  return dir;
}

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function copyOf(src: string, name: string): string {
  const dst = join(root, name);
  cpSync(src, dst, { recursive: true });
  return dst;
}

describe('safetensors file layout', () => {
  it('follows the reference writer: LE length, padded compact header, metadata first, sorted, aligned, tiled', () => {
    const buf = readFileSync(join(fp8Dir, 'model.safetensors'));
    const n = Number(buf.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const text = buf.subarray(8, 8 + n).toString('utf8');
    expect(text.trimEnd().length).toBeGreaterThan(n - 8);
    expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
    expect(text.startsWith('{"__metadata__":{"format":"pt"},')).toBe(true);
    const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    const rank = (d: string) => ['F8_E4M3', 'BF16', 'F32'].indexOf(d);
    for (let i = 1; i < names.length; i++) {
      const a = header[names[i - 1]!]!;
      const b = header[names[i]!]!;
      expect(rank(a.dtype) > rank(b.dtype) || (a.dtype === b.dtype && names[i - 1]! < names[i]!)).toBe(true);
      expect(b.data_offsets[0]).toBe(a.data_offsets[1]);
    }
    expect(buf.length).toBe(8 + n + header[names.at(-1)!]!.data_offsets[1]);
    const size = { F32: 4, BF16: 2, F8_E4M3: 1 } as Record<string, number>;
    for (const k of names) expect((8 + n + header[k]!.data_offsets[0]) % size[header[k]!.dtype]!).toBe(0);
    expect(Object.keys(header[names[0]!]!)).toEqual(['dtype', 'shape', 'data_offsets']);
  });

  it('stores every tensor with the dtype and shape of spec §7 / §13', () => {
    const ck = Checkpoint.open(fp8Dir);
    try {
      const e = (n: string) => ck.entry(n);
      const a = 'model.layers.0.self_attn';
      expect(e(`${a}.q_a_proj.weight`)).toMatchObject({ dtype: 'F8_E4M3', shape: [512, 256] });
      expect(e(`${a}.q_b_proj.weight`)).toMatchObject({ dtype: 'F8_E4M3', shape: [384, 512] });
      expect(e(`${a}.kv_a_proj_with_mqa.weight`)).toMatchObject({ dtype: 'F8_E4M3', shape: [320, 256] });
      expect(e(`${a}.kv_a_proj_with_mqa.weight_scale_inv`)).toMatchObject({ dtype: 'F32', shape: [3, 2] }); // 64-row edge block
      expect(e(`${a}.kv_b_proj.weight`)).toMatchObject({ dtype: 'F8_E4M3', shape: [512, 256] });
      expect(e(`${a}.o_proj.weight`)).toMatchObject({ dtype: 'F8_E4M3', shape: [256, 384] });
      expect(e(`${a}.o_proj.weight_scale_inv`)).toMatchObject({ dtype: 'F32', shape: [2, 3] });
      expect(e(`${a}.indexer.wq_b.weight`)).toMatchObject({ dtype: 'F8_E4M3', shape: [2048, 512] });
      expect(e(`${a}.indexer.wk.weight`)).toMatchObject({ dtype: 'F8_E4M3', shape: [128, 256] });
      expect(e(`${a}.indexer.wk.weight_scale_inv`)).toMatchObject({ dtype: 'F32', shape: [1, 2] });
      expect(e(`${a}.indexer.weights_proj.weight`)).toMatchObject({ dtype: 'BF16', shape: [16, 256] });
      expect(e(`${a}.indexer.k_norm.weight`)).toMatchObject({ dtype: 'F32', shape: [128] });
      expect(e(`${a}.indexer.k_norm.bias`)).toMatchObject({ dtype: 'F32', shape: [128] });
      expect(e('model.layers.0.mlp.gate_proj.weight')).toMatchObject({ dtype: 'F8_E4M3', shape: [512, 256] });
      expect(e('model.layers.0.mlp.down_proj.weight')).toMatchObject({ dtype: 'F8_E4M3', shape: [256, 512] });
      expect(e('model.layers.1.mlp.gate.weight')).toMatchObject({ dtype: 'BF16', shape: [16, 256] });
      expect(e('model.layers.1.mlp.gate.e_score_correction_bias')).toMatchObject({ dtype: 'F32', shape: [16] });
      expect(e('model.layers.1.mlp.experts.15.down_proj.weight')).toMatchObject({ dtype: 'F8_E4M3', shape: [256, 128] });
      expect(e('model.layers.1.mlp.shared_experts.up_proj.weight')).toMatchObject({ dtype: 'F8_E4M3', shape: [128, 256] });
      expect(e('model.embed_tokens.weight')).toMatchObject({ dtype: 'BF16', shape: [1024, 256] });
      expect(e('lm_head.weight')).toMatchObject({ dtype: 'BF16', shape: [1024, 256] });
      expect(e('model.norm.weight')).toMatchObject({ dtype: 'F32', shape: [256] });
      expect(ck.has('model.layers.0.mlp.gate.weight')).toBe(false); // layer 0 is dense
      // 3 global + 4 layers × (8 attention + 5 indexer + 1 norm) + dense 3 + 3 MoE × (2 router + 3 shared + 48 experts),
      // plus one scale per FP8 weight (7 per layer, 3 dense, 51 per MoE layer).
      const fp8 = ck.names().filter((k) => ck.entry(k).dtype === 'F8_E4M3');
      expect(fp8.every((k) => ck.has(`${k}_scale_inv`))).toBe(true);
      expect(fp8.length).toBe(4 * 7 + 3 + 3 * 51);
      expect(ck.names().length - fp8.length).toBe(3 + 4 * 14 + 3 + 3 * 53);
    } finally {
      ck.close();
    }
  });

  it('draws the values spec §13 asks for', () => {
    const ck = Checkpoint.open(fp8Dir);
    try {
      const stats = (name: string) => {
        const v = decodeFloats(ck.read(name), name);
        const mean = v.reduce((a, b) => a + b, 0) / v.length;
        const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
        return { mean, std, min: v.reduce((a, b) => Math.min(a, b)), max: v.reduce((a, b) => Math.max(a, b)) };
      };
      const embed = stats('model.embed_tokens.weight');
      expect(embed.std).toBeCloseTo(1, 1);
      expect(stats('lm_head.weight').std).toBeCloseTo(0.02, 3);
      const norm = stats('model.layers.2.input_layernorm.weight');
      expect(norm.mean).toBeCloseTo(1, 1);
      expect(norm.std).toBeGreaterThan(0.07);
      expect(norm.std).toBeLessThan(0.13);
      const bias = stats('model.layers.2.mlp.gate.e_score_correction_bias');
      expect(bias.min).toBeGreaterThanOrEqual(-0.05);
      expect(bias.max).toBeLessThan(0.05);
      const scales = decodeFloats(ck.read('model.layers.1.self_attn.q_b_proj.weight_scale_inv'), 's');
      expect(scales.every((s) => Number.isInteger(Math.log2(s)))).toBe(true);
      const m = expertWeightRms(ck);
      expect(m).toBeGreaterThan(0.017);
      expect(m).toBeLessThan(0.023);
    } finally {
      ck.close();
    }
  });

  it('reads back bit-exactly what the generator drew', () => {
    const ck = Checkpoint.open(fp8Dir);
    try {
      expect(new Set(ck.names())).toEqual(new Set(drawn.keys()));
      for (const [name, t] of drawn) {
        const back = ck.read(name);
        expect(back.dtype).toBe(t.dtype);
        expect(back.shape).toEqual(t.shape);
        expect(Buffer.from(back.bytes).equals(Buffer.from(t.bytes))).toBe(true);
      }
    } finally {
      ck.close();
    }
  });
});

/** RMS of a dequantised expert projection (spec §13: N(0, 0.02²) before quantisation). */
function expertWeightRms(ck: Checkpoint): number {
  const name = 'model.layers.3.mlp.experts.7.up_proj.weight';
  const codes = ck.read(name).bytes;
  const s = decodeFloats(ck.read(`${name}_scale_inv`), name);
  let ss = 0;
  codes.forEach((c, i) => (ss += (E4M3_TABLE[c]! * s[Math.floor(i / 256 / 128) * 2 + Math.floor((i % 256) / 128)]!) ** 2));
  return Math.sqrt(ss / codes.length);
}

describe('generator options', () => {
  it('is deterministic in the seed, and each tensor depends only on (seed, name)', async () => {
    const again = join(root, 'again');
    await writeTinyModel(again);
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']) {
      expect(readFileSync(join(again, f)).equals(readFileSync(join(fp8Dir, f)))).toBe(true);
    }
    const spec = { name: 'lm_head.weight', shape: [1024, 256], role: 'head' as const };
    const draw = (seed: number, name = spec.name) => {
      const out = new Map<string, TensorData>();
      drawTensor({ ...spec, name }, true, seed, out);
      return Buffer.from(out.get(name)!.bytes);
    };
    expect(draw(0).equals(Buffer.from(drawn.get('lm_head.weight')!.bytes))).toBe(true);
    expect(draw(7).equals(draw(0))).toBe(false);
    expect(draw(0, 'model.embed_tokens.weight').equals(draw(0))).toBe(false);
  });

  it('writes the HF config of spec §13 (quantization_config only for FP8)', async () => {
    const cfg = JSON.parse(readFileSync(join(fp8Dir, 'config.json'), 'utf8'));
    expect(cfg).toMatchObject({
      architectures: ['DeepseekV32ForCausalLM'],
      model_type: 'deepseek_v32',
      vocab_size: 1024, hidden_size: 256, intermediate_size: 512, moe_intermediate_size: 128, num_hidden_layers: 4,
      first_k_dense_replace: 1, moe_layer_freq: 1, num_attention_heads: 4, num_key_value_heads: 4, n_routed_experts: 16,
      n_shared_experts: 1, num_experts_per_tok: 4, n_group: 4, topk_group: 2, routed_scaling_factor: 2.5,
      scoring_func: 'sigmoid', topk_method: 'noaux_tc', norm_topk_prob: true, q_lora_rank: 512, kv_lora_rank: 256,
      qk_nope_head_dim: 32, qk_rope_head_dim: 64, v_head_dim: 96, index_n_heads: 16, index_head_dim: 128, index_topk: 32,
      rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 8192, hidden_act: 'silu', num_nextn_predict_layers: 0,
      tie_word_embeddings: false, bos_token_id: 0, eos_token_id: 1,
      rope_scaling: { type: 'yarn', factor: 40, original_max_position_embeddings: 4096, beta_fast: 32, beta_slow: 1, mscale: 1, mscale_all_dim: 1 },
      quantization_config: { quant_method: 'fp8', fmt: 'e4m3', scale_fmt: 'ue8m0', activation_scheme: 'dynamic', weight_block_size: [128, 128] },
    });
    expect(tinyConfig('v32', 'fp8', { index_topk: 16 }).index_topk).toBe(16);
    const bf16Dir = await bf16V3Seed7();
    const c3 = JSON.parse(readFileSync(join(bf16Dir, 'config.json'), 'utf8'));
    expect(c3.architectures).toEqual(['DeepseekV3ForCausalLM']);
    expect(c3.model_type).toBe('deepseek_v3');
    expect(c3.quantization_config).toBeUndefined();
    const ck = Checkpoint.open(bf16Dir);
    try {
      expect(ck.names().some((n) => n.includes('indexer'))).toBe(false);
      expect(ck.names().some((n) => n.endsWith('_scale_inv'))).toBe(false);
      expect(ck.entry('model.layers.0.self_attn.q_a_proj.weight').dtype).toBe('BF16');
      // The bf16 checkpoint holds the dequantised FP8 values of the same seed.
      const name = 'model.layers.2.self_attn.kv_a_proj_with_mqa.weight';
      const out = new Map<string, TensorData>();
      drawTensor({ name, shape: [320, 256], role: 'linear' }, true, 7, out);
      const b = decodeFloats(ck.read(name), name);
      const codes = decodeFloats(out.get(name)!, name);
      const s = decodeFloats(out.get(`${name}_scale_inv`)!, name);
      expect(b.every((v, i) => v === codes[i]! * s[Math.floor(i / 256 / 128) * 2 + Math.floor((i % 256) / 128)]!)).toBe(true);
    } finally {
      ck.close();
    }
  });

  it('writes shards with an index that resolve to the same tensors', () => {
    const dir = shardedCopy('sharded', 3);
    const files = readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort();
    expect(files).toEqual(['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors']);
    const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    const single = Checkpoint.open(fp8Dir);
    const sharded = Checkpoint.open(dir);
    try {
      expect(Object.keys(index.weight_map).sort()).toEqual(single.names().sort());
      let total = 0;
      for (const name of single.names()) {
        const a = single.read(name);
        const b = sharded.read(name);
        total += b.bytes.length;
        expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
      }
      expect(index.metadata.total_size).toBe(total);
      expect(new Set(Object.values(index.weight_map)).size).toBe(3);
    } finally {
      single.close();
      sharded.close();
    }
  });

  it('lays out tensors from the config, so overrides change shapes consistently', () => {
    const cfg = parseConfig(tinyConfig('v32', 'fp8', { num_hidden_layers: 2, n_routed_experts: 8, n_group: 2, topk_group: 1, num_experts_per_tok: 2 }));
    const names = tensorLayout(cfg).map((t) => t.name);
    expect(names.filter((n) => n.startsWith('model.layers.1.mlp.experts.') && n.endsWith('up_proj.weight')).length).toBe(8);
    expect(names.some((n) => n.startsWith('model.layers.2.'))).toBe(false);
  });
});

describe('corrupted checkpoints give clear errors', () => {
  const expected: Record<CorruptionKind, RegExp> = {
    truncate: /model\.safetensors: file is truncated: the header declares \d+ bytes of tensor data but only \d+ follow it/,
    shape: /tensor "model\.layers\.0\.self_attn\.q_a_proj\.weight" has shape \[256, 512\] but config\.json implies \[512, 256\]/,
    dtype: /tensor "model\.layers\.0\.self_attn\.q_a_proj\.weight": dtype BF16 with shape \[512, 256\] needs 262144 bytes but data_offsets \[\d+, \d+\] span 131072/,
    drop: /checkpoint lacks tensor "model\.layers\.0\.self_attn\.q_a_proj\.weight" \(expected F8_E4M3 or BF16 \[512, 256\]\)/,
    'bad-json': /model\.safetensors: header is not valid JSON/,
    'offset-past-end': /tensor "model\.layers\.0\.self_attn\.q_a_proj\.weight": data_offsets \[\d+, \d+\] point past the end of the data section/,
    'header-length': /model\.safetensors: header length \d+ runs past the end of the file/,
  };

  for (const kind of CORRUPTION_KINDS) {
    it(`${kind}`, async () => {
      const dir = copyOf(fp8Dir, `bad-${kind}`);
      await corruptCheckpoint(dir, kind);
      await expect(loadReferenceModel(dir)).rejects.toThrow(expected[kind]);
    });
  }

  it('a missing FP8 scale companion', async () => {
    const dir = copyOf(fp8Dir, 'bad-scale');
    await corruptCheckpoint(dir, 'drop', 'model.layers.2.self_attn.o_proj.weight_scale_inv');
    await expect(loadReferenceModel(dir)).rejects.toThrow(/FP8 weight "model\.layers\.2\.self_attn\.o_proj\.weight" has no scale tensor "model\.layers\.2\.self_attn\.o_proj\.weight_scale_inv" \(expected F32 \[2, 3\]\)/);
  });

  it('a tensor dropped from a sharded checkpoint, and an index naming a missing shard', async () => {
    const dir = shardedCopy('bad-shards', 2);
    await corruptCheckpoint(dir, 'drop', 'lm_head.weight');
    await expect(loadReferenceModel(dir)).rejects.toThrow(/lacks tensor "lm_head\.weight"/);
    rmSync(join(dir, 'model-00002-of-00002.safetensors'));
    expect(() => Checkpoint.open(dir)).toThrow(/model\.safetensors\.index\.json: weight_map\["[^"]+"\] names model-00002-of-00002\.safetensors, which does not exist/);
  });

  it('a truncated shard is reported with its file name', async () => {
    const dir = shardedCopy('bad-shard-trunc', 2);
    await corruptCheckpoint(dir, 'truncate', 'lm_head.weight');
    await expect(loadReferenceModel(dir)).rejects.toThrow(/model-0000\d-of-00002\.safetensors: file is truncated/);
  });

  it('malformed files and headers written by hand', () => {
    const dir = join(root, 'hand');
    cpSync(fp8Dir, dir, { recursive: true, filter: (p) => !p.endsWith('.safetensors') });
    const file = join(dir, 'model.safetensors');
    const write = (header: object, data: Buffer) => {
      let json = Buffer.from(JSON.stringify(header));
      json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      writeFileSync(file, Buffer.concat([len, json, data]));
    };
    writeFileSync(file, Buffer.from([1, 2, 3]));
    expect(() => SafetensorsFile.open(file)).toThrow(/too small to hold the 8-byte header length/);
    write({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, Buffer.alloc(12));
    expect(() => SafetensorsFile.open(file)).toThrow(/4 stray bytes follow the last tensor/);
    write({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, Buffer.alloc(12));
    expect(() => SafetensorsFile.open(file)).toThrow(/tensor "b": data_offsets \[4, 12\] overlap tensor "a", which ends at 8/);
    write({ a: { dtype: 'Q4', shape: [2], data_offsets: [0, 8] } }, Buffer.alloc(8));
    expect(() => SafetensorsFile.open(file)).toThrow(/tensor "a": unknown dtype "Q4"/);
    write({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, Buffer.alloc(8));
    expect(() => SafetensorsFile.open(file)).toThrow(/shape \[-2\] is not a list of non-negative integers/);
    // Every float dtype decodes: F16 (1, −2, 2^-24), BF16 (1.5), F32 (0.1f), F8_E4M3 (0x7E = 448).
    write(
      { h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] }, b: { dtype: 'BF16', shape: [1], data_offsets: [6, 8] }, f: { dtype: 'F32', shape: [1], data_offsets: [8, 12] }, q: { dtype: 'F8_E4M3', shape: [1], data_offsets: [12, 13] } },
      Buffer.concat([Buffer.from([0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0xc0, 0x3f]), Buffer.from(new Float32Array([0.1]).buffer), Buffer.from([0x7e])]),
    );
    const good = SafetensorsFile.open(file);
    expect([...decodeFloats(good.read('h'), 'h')]).toEqual([1, -2, 2 ** -24]);
    expect([...decodeFloats(good.read('b'), 'b')]).toEqual([1.5]);
    expect([...decodeFloats(good.read('f'), 'f')]).toEqual([Math.fround(0.1)]);
    expect([...decodeFloats(good.read('q'), 'q')]).toEqual([448]);
    good.close();
    write({ __metadata__: { format: 3 } }, Buffer.alloc(0));
    expect(() => SafetensorsFile.open(file)).toThrow(/__metadata__ must be an object of strings/);
    rmSync(file);
    expect(() => Checkpoint.open(dir)).toThrow(/no model\.safetensors or model\.safetensors\.index\.json/);
  });

  it('config.json problems name the field', async () => {
    const dir = copyOf(fp8Dir, 'bad-config');
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, hidden_size: '256' }));
    await expect(loadReferenceModel(dir)).rejects.toThrow(/config\.json: field `hidden_size`: /);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, architectures: ['LlamaForCausalLM'] }));
    await expect(loadReferenceModel(dir)).rejects.toThrow(/unsupported architecture LlamaForCausalLM/);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, architectures: ['DeepseekV3ForCausalLM'], model_type: 'deepseek_v3' }));
    await expect(loadReferenceModel(dir)).rejects.toThrow(/tensor "model\.layers\.0\.self_attn\.indexer\.[a-z_.]+" is not part of a DeepseekV3 model/);
    writeFileSync(join(dir, 'config.json'), '{"vocab_size": 10,');
    await expect(loadReferenceModel(dir)).rejects.toThrow(/config\.json: not valid JSON/);
  });
});

const cli = join(projectRoot, 'dist', 'engine', 'testmodel', 'cli.js');
describe.skipIf(!existsSync(cli))('CLI (compiled; `npm run build` first)', () => {
  it('writes a bf16 V3 model with shards and a seed', async () => {
    const dir = join(root, 'cli');
    const r = await execa('node', [cli, dir, '--bf16', '--v3', '--seed', '7', '--shards', '2']);
    expect(r.stdout).toMatch(/wrote v3 bf16 test model \(seed 7\)/);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'tokenizer.json', 'tokenizer_config.json']);
    const single = await bf16V3Seed7();
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) expect(readFileSync(join(dir, f)).equals(readFileSync(join(single, f)))).toBe(true);
    const a = Checkpoint.open(dir);
    const b = Checkpoint.open(single);
    try {
      expect(a.names().sort()).toEqual(b.names().sort());
      for (const n of a.names()) expect(Buffer.from(a.read(n).bytes).equals(Buffer.from(b.read(n).bytes))).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });

  it('rejects bad arguments with a message', async () => {
    const r = await execa('node', [cli, join(root, 'x'), '--seed', 'abc'], { reject: false });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/--seed must be a non-negative integer/);
  });
});

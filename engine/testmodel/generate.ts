/**
 * Writes a complete, deterministic HF-layout test model: config.json, model.safetensors (or shards + index),
 * tokenizer.json and tokenizer_config.json. Defaults give the tiny configuration of spec §13 with FP8 weights.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type HFConfig } from '../reference/config.js';
import { drawWeights } from './draw-weights.js';
import { writeCheckpoint } from './safetensors-writer.js';
import { tinyConfig, type TinyArch, type TinyDtype } from './tiny-config.js';
import { buildTinyTokenizer } from './tokenizer.js';

export type { HFConfig } from '../reference/config.js';

export interface TinyModelOptions {
  /** Weight storage: FP8 E4M3 with 128×128 ue8m0 scales (default), or bf16 (the same values, dequantised). */
  dtype?: TinyDtype;
  /** 'v32' (DeepseekV32ForCausalLM, with the DSA indexer; default) or 'v3' (DeepseekV3ForCausalLM, no indexer). */
  arch?: TinyArch;
  /** Seed of the weights (default 0). The tokenizer does not depend on it. */
  seed?: number;
  /** Overrides of config.json fields, e.g. the YaRN stress variant or another index_topk. */
  config?: Partial<HFConfig>;
  /** Number of safetensors shards; > 1 also writes model.safetensors.index.json. Default 1. */
  shards?: number;
}

export async function writeTinyModel(dir: string, opts: TinyModelOptions = {}): Promise<void> {
  const arch = opts.arch ?? 'v32';
  const dtype = opts.dtype ?? 'fp8';
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
  const hf = tinyConfig(arch, dtype, opts.config);
  const cfg = parseConfig(hf, 'writeTinyModel config');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(hf, null, 2)}\n`);
  writeCheckpoint(dir, drawWeights(cfg, seed), opts.shards ?? 1);
  const tok = buildTinyTokenizer(hf.vocab_size, hf.max_position_embeddings);
  writeFileSync(join(dir, 'tokenizer.json'), `${JSON.stringify(tok.tokenizerJson, null, 2)}\n`);
  writeFileSync(join(dir, 'tokenizer_config.json'), `${JSON.stringify(tok.tokenizerConfig, null, 2)}\n`);
}

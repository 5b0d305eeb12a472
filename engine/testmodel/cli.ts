#!/usr/bin/env node
/**
 * node dist/engine/testmodel/cli.js <dir> [--bf16] [--v3] [--seed N] [--shards K] [--config JSON]
 * Writes a tiny test model (spec §13) into <dir>.
 */
import { Command, InvalidArgumentError } from 'commander';
import { writeTinyModel } from './generate.js';

function nonNegativeInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return n;
  };
}

const program = new Command()
  .name('dseval-testmodel')
  .description('Write a deterministic tiny DeepSeek-V3.2-architecture model (HF layout) for tests')
  .argument('<dir>', 'output directory (created if missing)')
  .option('--bf16', 'store weights as bf16 instead of FP8 E4M3 + block scales')
  .option('--v3', 'DeepseekV3ForCausalLM (no DSA indexer) instead of DeepseekV32ForCausalLM')
  .option('--seed <n>', 'weight seed', nonNegativeInt('--seed'), 0)
  .option('--shards <k>', 'number of safetensors shards (>1 writes model.safetensors.index.json)', nonNegativeInt('--shards'), 1)
  .option('--config <json>', 'JSON object of config.json overrides, e.g. \'{"index_topk":16}\'')
  .action(async (dir: string, o: { bf16?: boolean; v3?: boolean; seed: number; shards: number; config?: string }) => {
    let config: Record<string, unknown> | undefined;
    if (o.config !== undefined) {
      try {
        config = JSON.parse(o.config);
      } catch (e) {
        throw new InvalidArgumentError(`--config is not valid JSON: ${(e as Error).message}`);
      }
    }
    await writeTinyModel(dir, { dtype: o.bf16 ? 'bf16' : 'fp8', arch: o.v3 ? 'v3' : 'v32', seed: o.seed, shards: o.shards, config });
    console.log(`wrote ${o.v3 ? 'v3' : 'v32'} ${o.bf16 ? 'bf16' : 'fp8'} test model (seed ${o.seed}) to ${dir}`);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`dseval-testmodel: ${(e as Error).message}`);
  process.exit(1);
});

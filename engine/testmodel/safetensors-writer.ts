/**
 * Writes safetensors files the way the reference Rust crate (and so `safetensors.torch.save_file`) lays them out:
 * tensors sorted by descending dtype rank then by name, compact JSON header with `__metadata__` first and each
 * entry as {dtype, shape, data_offsets}, header padded with spaces to a multiple of 8 bytes.
 * Sharded checkpoints get `model-0000i-of-0000K.safetensors` files plus `model.safetensors.index.json`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DTYPE_SIZE, INDEX_FILE, numel, SINGLE_FILE, type TensorData } from '../reference/safetensors.js';

/** The crate's `Dtype` enum order; the writer sorts by it, descending, so wide types come first and stay aligned. */
const DTYPE_RANK = ['BOOL', 'F4', 'F6_E2M3', 'F6_E3M2', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'C64', 'F64', 'I64', 'U64'];

function dtypeRank(dtype: string): number {
  const r = DTYPE_RANK.indexOf(dtype);
  if (r < 0) throw new Error(`safetensors writer: unknown dtype ${dtype}`);
  return r;
}

/** Byte-wise comparison of names (Rust `String` order). */
function compareNames(a: string, b: string): number {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ba, bb);
}

/** Serialise tensors into one safetensors file image. */
export function serializeSafetensors(tensors: ReadonlyMap<string, TensorData>, metadata: Record<string, string> | null = { format: 'pt' }): Buffer {
  const entries = [...tensors.entries()].sort(([na, a], [nb, b]) => dtypeRank(b.dtype) - dtypeRank(a.dtype) || compareNames(na, nb));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const need = numel(t.shape) * DTYPE_SIZE[t.dtype]!;
    if (t.bytes.length !== need) throw new Error(`safetensors writer: tensor "${name}" has ${t.bytes.length} bytes, its dtype/shape need ${need}`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + need] };
    offset += need;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let pos = 8 + json.length;
  for (const [, t] of entries) {
    out.set(t.bytes, pos);
    pos += t.bytes.length;
  }
  return out;
}

/** Shard file name as HF's `save_pretrained` writes it. */
export function shardName(i: number, k: number): string {
  return `model-${String(i + 1).padStart(5, '0')}-of-${String(k).padStart(5, '0')}.safetensors`;
}

/**
 * Write `tensors` into `dir`: one model.safetensors, or `shards` files of roughly equal size (names in sorted
 * order, split greedily by bytes) plus the index. Returns the files written.
 */
export function writeCheckpoint(dir: string, tensors: ReadonlyMap<string, TensorData>, shards = 1): string[] {
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`shards must be a positive integer, got ${shards}`);
  if (shards === 1) {
    writeFileSync(join(dir, SINGLE_FILE), serializeSafetensors(tensors));
    return [SINGLE_FILE];
  }
  const names = [...tensors.keys()].sort(compareNames);
  if (shards > names.length) throw new Error(`cannot split ${names.length} tensors into ${shards} shards`);
  const total = names.reduce((s, n) => s + tensors.get(n)!.bytes.length, 0);
  const groups: string[][] = Array.from({ length: shards }, () => []);
  let acc = 0;
  let g = 0;
  names.forEach((n, i) => {
    // Move on once this shard holds its share, keeping at least one tensor for each remaining shard.
    const remainingNames = names.length - i;
    const remainingShards = shards - g - 1;
    if (groups[g]!.length > 0 && g < shards - 1 && (acc >= (total * (g + 1)) / shards || remainingNames <= remainingShards)) g++;
    groups[g]!.push(n);
    acc += tensors.get(n)!.bytes.length;
  });
  const weightMap: Record<string, string> = {};
  const files: string[] = [];
  groups.forEach((group, i) => {
    const file = shardName(i, shards);
    const part = new Map(group.map((n) => [n, tensors.get(n)!] as const));
    writeFileSync(join(dir, file), serializeSafetensors(part));
    for (const n of group) weightMap[n] = file;
    files.push(file);
  });
  const sortedMap = Object.fromEntries(Object.entries(weightMap).sort(([a], [b]) => compareNames(a, b)));
  writeFileSync(join(dir, INDEX_FILE), `${JSON.stringify({ metadata: { total_size: total }, weight_map: sortedMap }, null, 2)}\n`);
  files.push(INDEX_FILE);
  return files;
}

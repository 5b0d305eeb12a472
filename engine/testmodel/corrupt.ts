/**
 * Damages a written checkpoint in one specific way, for tests of loaders' error paths. Each kind changes exactly
 * one thing and leaves the rest of the checkpoint valid:
 * - `truncate`: cut the file holding the tensor in the middle of its tensor data;
 * - `shape`: swap the two dims of a 2-D tensor in the header (same byte size, wrong layout);
 * - `dtype`: relabel the tensor with a dtype of a different width (F8_E4M3 ↔ BF16, F32 → BF16);
 * - `drop`: remove the tensor (header entry, bytes, and its index entry);
 * - `bad-json`: break the header JSON (same header length);
 * - `offset-past-end`: move the tensor's data_offsets beyond the end of the data section;
 * - `header-length`: set the 8-byte header length beyond the end of the file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INDEX_FILE, SINGLE_FILE, type TensorData } from '../reference/safetensors.js';
import { serializeSafetensors } from './safetensors-writer.js';

export type CorruptionKind = 'truncate' | 'shape' | 'dtype' | 'drop' | 'bad-json' | 'offset-past-end' | 'header-length';

export const CORRUPTION_KINDS: readonly CorruptionKind[] = ['truncate', 'shape', 'dtype', 'drop', 'bad-json', 'offset-past-end', 'header-length'];

/** Default victim: a non-square FP8/bf16 projection of layer 0. */
export const DEFAULT_CORRUPT_TENSOR = 'model.layers.0.self_attn.q_a_proj.weight';

interface RawFile {
  header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  headerLen: number;
  data: Buffer;
}

function readRaw(path: string): RawFile {
  const buf = readFileSync(path);
  const headerLen = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8'));
  return { header, headerLen, data: buf.subarray(8 + headerLen) };
}

/** Rewrite a file with a modified header, keeping the data bytes as they are (no re-sorting, no validation). */
function writeRaw(path: string, header: RawFile['header'], data: Buffer): void {
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, json, data]));
}

/** The file (relative name) that holds `tensor` in checkpoint `dir`. */
function fileOf(dir: string, tensor: string): string {
  const index = join(dir, INDEX_FILE);
  if (existsSync(index)) {
    const map = JSON.parse(readFileSync(index, 'utf8')).weight_map as Record<string, string>;
    const f = map[tensor];
    if (!f) throw new Error(`corruptCheckpoint: ${INDEX_FILE} does not list "${tensor}"`);
    return f;
  }
  return SINGLE_FILE;
}

/** Apply one corruption to the checkpoint in `dir`, targeting `tensorName` (default: layer 0's q_a_proj weight). */
export async function corruptCheckpoint(dir: string, kind: CorruptionKind, tensorName = DEFAULT_CORRUPT_TENSOR): Promise<void> {
  const file = fileOf(dir, tensorName);
  const path = join(dir, file);
  const raw = readRaw(path);
  const entry = raw.header[tensorName] as { dtype: string; shape: number[]; data_offsets: [number, number] } | undefined;
  if (!entry) throw new Error(`corruptCheckpoint: ${file} has no tensor "${tensorName}"`);

  switch (kind) {
    case 'truncate': {
      const cut = Math.floor((entry.data_offsets[0] + entry.data_offsets[1]) / 2);
      writeFileSync(path, readFileSync(path).subarray(0, 8 + raw.headerLen + cut));
      return;
    }
    case 'shape': {
      if (entry.shape.length !== 2 || entry.shape[0] === entry.shape[1]) throw new Error(`corruptCheckpoint: "${tensorName}" is not a non-square matrix`);
      entry.shape = [entry.shape[1]!, entry.shape[0]!];
      writeRaw(path, raw.header, raw.data);
      return;
    }
    case 'dtype': {
      entry.dtype = entry.dtype === 'F8_E4M3' ? 'BF16' : entry.dtype === 'BF16' ? 'F8_E4M3' : 'BF16';
      writeRaw(path, raw.header, raw.data);
      return;
    }
    case 'drop': {
      // Re-serialise the remaining tensors so the file stays valid; only the tensor is missing.
      const kept = new Map<string, TensorData>();
      for (const [name, e] of Object.entries(raw.header)) {
        if (name === '__metadata__' || name === tensorName) continue;
        const t = e as { dtype: string; shape: number[]; data_offsets: [number, number] };
        kept.set(name, { dtype: t.dtype, shape: t.shape, bytes: raw.data.subarray(t.data_offsets[0], t.data_offsets[1]) });
      }
      writeFileSync(path, serializeSafetensors(kept, (raw.header.__metadata__ as Record<string, string>) ?? null));
      const index = join(dir, INDEX_FILE);
      if (existsSync(index)) {
        const idx = JSON.parse(readFileSync(index, 'utf8'));
        delete idx.weight_map[tensorName];
        writeFileSync(index, `${JSON.stringify(idx, null, 2)}\n`);
      }
      return;
    }
    case 'bad-json': {
      const buf = readFileSync(path);
      // Replace the opening brace: same length, no longer a JSON object.
      buf[8] = '#'.charCodeAt(0);
      writeFileSync(path, buf);
      return;
    }
    case 'offset-past-end': {
      const len = entry.data_offsets[1] - entry.data_offsets[0];
      entry.data_offsets = [raw.data.length + 64, raw.data.length + 64 + len];
      writeRaw(path, raw.header, raw.data);
      return;
    }
    case 'header-length': {
      const buf = readFileSync(path);
      buf.writeBigUInt64LE(BigInt(buf.length), 0);
      writeFileSync(path, buf);
      return;
    }
    default:
      throw new Error(`corruptCheckpoint: unknown kind ${String(kind)}`);
  }
}

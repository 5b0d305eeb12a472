/**
 * A strict safetensors reader: one file, or a sharded checkpoint resolved through `model.safetensors.index.json`.
 *
 * Format: 8-byte little-endian header length N, N bytes of JSON ({name: {dtype, shape, data_offsets}, optional
 * `__metadata__`: {string: string}}), then the data section. Offsets are relative to the data section. Like the
 * reference Rust crate, the tensors must tile the data section exactly (no gaps, no overlaps, no trailing bytes).
 * Every violation throws a SafetensorsError naming the file and the tensor. Tensor bytes are read lazily.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { bf16FromBits, E4M3_TABLE } from './numerics.js';

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** Bytes per element of each safetensors dtype this reader accepts. */
export const DTYPE_SIZE: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  F64: 8, I64: 8, U64: 8,
};

/** Header lengths above this are treated as corrupt rather than allocated (the Rust crate uses 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Offsets relative to the data section, as in the header. */
  begin: number;
  end: number;
  /** The file holding it. */
  file: string;
}

export interface TensorData {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** One .safetensors file: header parsed and checked at open, tensor bytes read on demand. */
export class SafetensorsFile {
  readonly tensors = new Map<string, TensorEntry>();
  readonly metadata: Record<string, string> | undefined;
  /** Byte offset of the data section in the file (8 + header length). */
  readonly dataStart: number;
  private fd: number | null;

  private constructor(readonly path: string) {
    if (!existsSync(path)) throw new SafetensorsError(`${path}: file not found`);
    this.fd = openSync(path, 'r');
    try {
      const size = fstatSync(this.fd).size;
      if (size < 8) throw this.error(`file is ${size} bytes, too small to hold the 8-byte header length`);
      const lenBuf = Buffer.alloc(8);
      readSync(this.fd, lenBuf, 0, 8, 0);
      const n = lenBuf.readBigUInt64LE(0);
      if (n > BigInt(MAX_HEADER_BYTES)) throw this.error(`header length ${n} is implausible (limit ${MAX_HEADER_BYTES}); the first 8 bytes are corrupt`);
      const headerLen = Number(n);
      if (8 + headerLen > size) throw this.error(`header length ${headerLen} runs past the end of the file (${size} bytes); the file is truncated or the length is corrupt`);
      const headerBuf = Buffer.alloc(headerLen);
      readSync(this.fd, headerBuf, 0, headerLen, 8);
      this.dataStart = 8 + headerLen;
      let header: unknown;
      try {
        header = JSON.parse(headerBuf.toString('utf8'));
      } catch (e) {
        throw this.error(`header is not valid JSON (${(e as Error).message})`);
      }
      this.metadata = this.parseHeader(header, size - this.dataStart);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  static open(path: string): SafetensorsFile {
    return new SafetensorsFile(path);
  }

  private error(msg: string): SafetensorsError {
    return new SafetensorsError(`${this.path}: ${msg}`);
  }

  private parseHeader(header: unknown, dataLen: number): Record<string, string> | undefined {
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw this.error('header JSON is not an object');
    let metadata: Record<string, string> | undefined;
    for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
          throw this.error('__metadata__ must be an object of strings');
        }
        metadata = raw as Record<string, string>;
        continue;
      }
      this.tensors.set(name, this.parseEntry(name, raw));
    }
    this.checkLayout(dataLen);
    return metadata;
  }

  private parseEntry(name: string, raw: unknown): TensorEntry {
    const where = `tensor "${name}"`;
    if (typeof raw !== 'object' || raw === null) throw this.error(`${where}: header entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_SIZE)) throw this.error(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw this.error(`${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
      throw this.error(`${where}: data_offsets ${JSON.stringify(offsets)} is not a pair [begin, end] with 0 ≤ begin ≤ end`);
    }
    const [begin, end] = offsets as [number, number];
    const need = numel(shape) * DTYPE_SIZE[dtype]!;
    if (end - begin !== need) {
      throw this.error(`${where}: dtype ${dtype} with shape [${shape.join(', ')}] needs ${need} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    return { name, dtype, shape: shape as number[], begin, end, file: this.path };
  }

  /** The tensors must tile [0, dataLen) exactly, as the reference crate requires. */
  private checkLayout(dataLen: number): void {
    const sorted = [...this.tensors.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
    const declared = sorted.length ? Math.max(...sorted.map((t) => t.end)) : 0;
    let contiguous = true;
    let pos = 0;
    for (const t of sorted) {
      if (t.begin !== pos) contiguous = false;
      pos = Math.max(pos, t.end);
    }
    for (const t of sorted) {
      if (t.end <= dataLen) continue;
      if (contiguous) {
        throw this.error(`file is truncated: the header declares ${declared} bytes of tensor data but only ${dataLen} follow it (tensor "${t.name}" needs bytes [${t.begin}, ${t.end}))`);
      }
      throw this.error(`tensor "${t.name}": data_offsets [${t.begin}, ${t.end}] point past the end of the data section (${dataLen} bytes)`);
    }
    pos = 0;
    let prev = '(start of data)';
    for (const t of sorted) {
      if (t.begin < pos) throw this.error(`tensor "${t.name}": data_offsets [${t.begin}, ${t.end}] overlap ${prev}, which ends at ${pos}`);
      if (t.begin > pos) throw this.error(`tensor "${t.name}": data_offsets [${t.begin}, ${t.end}] leave a gap of ${t.begin - pos} bytes after ${prev}`);
      pos = t.end;
      prev = `tensor "${t.name}"`;
    }
    if (pos !== dataLen) throw this.error(`${dataLen - pos} stray bytes follow the last tensor (data section is ${dataLen} bytes, tensors cover ${pos})`);
  }

  entry(name: string): TensorEntry {
    const e = this.tensors.get(name);
    if (!e) throw this.error(`no tensor "${name}"`);
    return e;
  }

  /** The raw little-endian bytes of a tensor. */
  read(name: string): TensorData {
    const e = this.entry(name);
    if (this.fd === null) throw this.error('file already closed');
    const bytes = new Uint8Array(e.end - e.begin);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.fd, bytes, done, bytes.length - done, this.dataStart + e.begin + done);
      if (n === 0) throw this.error(`tensor "${name}": unexpected end of file while reading`);
      done += n;
    }
    return { dtype: e.dtype, shape: e.shape, bytes };
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export const INDEX_FILE = 'model.safetensors.index.json';
export const SINGLE_FILE = 'model.safetensors';

/** A checkpoint directory: a single model.safetensors or shards listed in model.safetensors.index.json. */
export class Checkpoint {
  private readonly files = new Map<string, SafetensorsFile>();
  /** tensor name → file name (relative to dir) */
  private readonly location = new Map<string, string>();

  private constructor(readonly dir: string) {}

  static open(dir: string): Checkpoint {
    const ck = new Checkpoint(dir);
    try {
      ck.load();
    } catch (e) {
      ck.close();
      throw e;
    }
    return ck;
  }

  private load(): void {
    const indexPath = join(this.dir, INDEX_FILE);
    if (existsSync(indexPath)) {
      let index: unknown;
      try {
        index = JSON.parse(readFileSync(indexPath, 'utf8'));
      } catch (e) {
        throw new SafetensorsError(`${indexPath}: not valid JSON (${(e as Error).message})`);
      }
      const map = (index as { weight_map?: unknown } | null)?.weight_map;
      if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new SafetensorsError(`${indexPath}: missing object "weight_map"`);
      for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
        if (typeof file !== 'string' || basename(file) !== file) throw new SafetensorsError(`${indexPath}: weight_map["${name}"] = ${JSON.stringify(file)} is not a file name`);
        if (!this.files.has(file)) {
          const path = join(this.dir, file);
          if (!existsSync(path)) throw new SafetensorsError(`${indexPath}: weight_map["${name}"] names ${file}, which does not exist in ${this.dir}`);
          this.files.set(file, SafetensorsFile.open(path));
        }
        if (!this.files.get(file)!.tensors.has(name)) {
          throw new SafetensorsError(`${indexPath}: weight_map says "${name}" is in ${file}, but that file has no such tensor`);
        }
        this.location.set(name, file);
      }
      return;
    }
    let file = SINGLE_FILE;
    if (!existsSync(join(this.dir, file))) {
      const found = existsSync(this.dir) ? readdirSync(this.dir).filter((f) => f.endsWith('.safetensors')) : [];
      if (found.length !== 1) {
        throw new SafetensorsError(`${this.dir}: no ${SINGLE_FILE} or ${INDEX_FILE}${found.length ? ` (found ${found.length} .safetensors files but no index)` : ''}`);
      }
      file = found[0]!;
    }
    const st = SafetensorsFile.open(join(this.dir, file));
    this.files.set(file, st);
    for (const name of st.tensors.keys()) this.location.set(name, file);
  }

  names(): string[] {
    return [...this.location.keys()];
  }

  has(name: string): boolean {
    return this.location.has(name);
  }

  entry(name: string): TensorEntry {
    const file = this.location.get(name);
    if (file === undefined) throw new SafetensorsError(`${this.dir}: checkpoint has no tensor "${name}"`);
    return this.files.get(file)!.entry(name);
  }

  read(name: string): TensorData {
    const file = this.location.get(name);
    if (file === undefined) throw new SafetensorsError(`${this.dir}: checkpoint has no tensor "${name}"`);
    return this.files.get(file)!.read(name);
  }

  /** Files in the checkpoint (relative names) and the metadata of each. */
  fileNames(): string[] {
    return [...this.files.keys()];
  }

  close(): void {
    for (const f of this.files.values()) f.close();
  }
}

/**
 * Element values of a floating-point tensor as doubles. FP8 tensors decode to their E4M3 values (no block scale);
 * use the codes themselves (`bytes`) with `blockDequantize` for scaled weights.
 */
export function decodeFloats(t: TensorData, where: string): Float64Array {
  const n = numel(t.shape);
  const out = new Float64Array(n);
  const view = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  switch (t.dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'BF16':
      for (let i = 0; i < n; i++) out[i] = bf16FromBits(view.getUint16(2 * i, true));
      break;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      break;
    case 'F8_E4M3':
      for (let i = 0; i < n; i++) out[i] = E4M3_TABLE[t.bytes[i]!]!;
      break;
    default:
      throw new SafetensorsError(`${where}: dtype ${t.dtype} is not a floating-point format`);
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (m / 1024);
  if (e === 31) return m ? Number.NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + m / 1024);
}

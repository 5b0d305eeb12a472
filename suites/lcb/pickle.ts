/**
 * LiveCodeBench's private tests in code_generation_lite are base64( zlib( pickle( json_string ) ) ). The
 * pickle layer holds one Python str, so this reads just enough of the pickle protocol (0–5) to get it out:
 * the string opcodes, framing and memo bookkeeping. Anything else is refused with the opcode and offset,
 * never executed — a pickle is a program, and this reader runs none of it.
 */
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';

const inflateAsync = promisify(inflate);

export class PickleError extends Error {}

const OP = {
  PROTO: 0x80,
  FRAME: 0x95,
  STOP: 0x2e, // '.'
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE: 0x58, // 'X'
  BINUNICODE8: 0x8d,
  UNICODE: 0x56, // 'V' (protocol 0: raw-unicode-escape text up to a newline)
  MEMOIZE: 0x94,
  BINPUT: 0x71, // 'q'
  LONG_BINPUT: 0x72, // 'r'
  PUT: 0x70, // 'p' (decimal index up to a newline)
} as const;

/** Python's raw-unicode-escape: latin-1 bytes, except \uXXXX and \UXXXXXXXX escapes. */
function decodeRawUnicodeEscape(b: Buffer): string {
  let out = '';
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x5c && i + 1 < b.length && (b[i + 1] === 0x75 || b[i + 1] === 0x55)) {
      const digits = b[i + 1] === 0x75 ? 4 : 8;
      const hex = b.subarray(i + 2, i + 2 + digits).toString('latin1');
      if (hex.length === digits && /^[0-9a-fA-F]+$/.test(hex)) {
        out += String.fromCodePoint(parseInt(hex, 16));
        i += 1 + digits;
        continue;
      }
    }
    out += String.fromCharCode(b[i]);
  }
  return out;
}

/** The str a pickle holds. Throws PickleError for anything that is not exactly one pickled str. */
export function unpickleString(data: Buffer): string {
  const stack: string[] = [];
  let pos = 0;
  const need = (n: number, what: string) => {
    if (pos + n > data.length) throw new PickleError(`pickle ends inside ${what} at byte ${pos}`);
  };
  const line = (what: string): Buffer => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError(`pickle ends inside ${what} at byte ${pos}`);
    const b = data.subarray(pos, end);
    pos = end + 1;
    return b;
  };
  const utf8 = (n: number, what: string) => {
    need(n, what);
    stack.push(data.toString('utf8', pos, pos + n));
    pos += n;
  };
  while (pos < data.length) {
    const at = pos;
    const op = data[pos++];
    switch (op) {
      case OP.PROTO:
        need(1, 'PROTO');
        if (data[pos] > 5) throw new PickleError(`unsupported pickle protocol ${data[pos]}`);
        pos += 1;
        break;
      case OP.FRAME:
        need(8, 'FRAME');
        pos += 8; // frames only bound reads; the content follows inline
        break;
      case OP.SHORT_BINUNICODE:
        need(1, 'SHORT_BINUNICODE');
        pos += 1;
        utf8(data[pos - 1], 'SHORT_BINUNICODE');
        break;
      case OP.BINUNICODE:
        need(4, 'BINUNICODE');
        pos += 4;
        utf8(data.readUInt32LE(pos - 4), 'BINUNICODE');
        break;
      case OP.BINUNICODE8: {
        need(8, 'BINUNICODE8');
        const n = data.readBigUInt64LE(pos);
        pos += 8;
        if (n > BigInt(data.length)) throw new PickleError(`BINUNICODE8 length ${n} exceeds the data at byte ${at}`);
        utf8(Number(n), 'BINUNICODE8');
        break;
      }
      case OP.UNICODE:
        stack.push(decodeRawUnicodeEscape(line('UNICODE')));
        break;
      case OP.MEMOIZE:
        break;
      case OP.BINPUT:
        need(1, 'BINPUT');
        pos += 1;
        break;
      case OP.LONG_BINPUT:
        need(4, 'LONG_BINPUT');
        pos += 4;
        break;
      case OP.PUT:
        line('PUT');
        break;
      case OP.STOP:
        if (stack.length !== 1) throw new PickleError(`pickle holds ${stack.length} values, expected one str`);
        if (pos !== data.length) throw new PickleError(`${data.length - pos} bytes after the pickle's STOP`);
        return stack[0];
      default:
        throw new PickleError(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at} (only a pickled str is expected)`);
    }
  }
  throw new PickleError('pickle has no STOP opcode');
}

/**
 * Decodes a code_generation_lite `private_test_cases` value the way LCB does: plain JSON first, else
 * base64 → zlib → pickle → JSON. Inflation runs on the thread pool, so a large problem does not stall the
 * event loop.
 */
export async function decodeTestCases(value: string): Promise<unknown> {
  const trimmed = value.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{') || trimmed === '') {
    try {
      return JSON.parse(value);
    } catch {
      // not JSON after all; try the compressed form
    }
  }
  const compressed = Buffer.from(value, 'base64');
  if (compressed.length === 0) throw new PickleError('neither JSON nor base64 data');
  let raw: Buffer;
  try {
    raw = await inflateAsync(compressed);
  } catch (e) {
    throw new PickleError(`not JSON, and not base64 zlib data either (${(e as Error).message})`);
  }
  const text = unpickleString(raw);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PickleError(`the pickled string is not JSON (${(e as Error).message})`);
  }
}

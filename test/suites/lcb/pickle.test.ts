/** The code_generation_lite private-test decoder against pickles made by the real Python, every protocol. */
import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { decodeTestCases, PickleError, unpickleString } from '../../../suites/lcb/pickle.js';
import { encodePrivate, python } from './python-fixtures.js';

const SAMPLES = [
  '',
  'plain ascii',
  '[{"input": "3\\n1 2 3\\n", "output": "6\\n", "testtype": "stdin"}]',
  'unicode: é ü ✓ 漢字 and beyond the BMP: 😀 𝔘',
  'backslashes \\u0041 and \\U0001F600 stay text; newline\nand tab\t',
  'x'.repeat(300), // past SHORT_BINUNICODE
  'y'.repeat(70_000), // several frames
];

describe('pickle reader', () => {
  for (const protocol of [0, 1, 2, 3, 4, 5]) {
    it(`reads a str pickled with protocol ${protocol}`, () => {
      const pickles = python<string[]>(
        `import sys, json, pickle, base64
a = json.load(sys.stdin)
print(json.dumps([base64.b64encode(pickle.dumps(s, protocol=a["p"])).decode() for s in a["s"]]))`,
        { s: SAMPLES, p: protocol },
      );
      pickles.forEach((b64, i) => expect(unpickleString(Buffer.from(b64, 'base64'))).toBe(SAMPLES[i]));
    });
  }

  it('refuses a pickle that would run code, naming the opcode', () => {
    const [evil] = python<string[]>(
      `import sys, json, pickle, base64, os
class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))
json.load(sys.stdin)
print(json.dumps([base64.b64encode(pickle.dumps(Evil(), protocol=4)).decode()]))`,
      {},
    );
    expect(() => unpickleString(Buffer.from(evil, 'base64'))).toThrow(/unsupported pickle opcode 0x(93|63) at byte \d+/);
  });

  it('refuses truncated data and pickles of other types', () => {
    const [ok] = python<string[]>(`import sys, json, pickle, base64\njson.load(sys.stdin)\nprint(json.dumps([base64.b64encode(pickle.dumps("hello", protocol=4)).decode()]))`, {});
    const bytes = Buffer.from(ok, 'base64');
    expect(() => unpickleString(bytes.subarray(0, bytes.length - 3))).toThrow(PickleError);
    const [list] = python<string[]>(`import sys, json, pickle, base64\njson.load(sys.stdin)\nprint(json.dumps([base64.b64encode(pickle.dumps([1, 2], protocol=4)).decode()]))`, {});
    expect(() => unpickleString(Buffer.from(list, 'base64'))).toThrow(/unsupported pickle opcode/);
  });
});

describe('private test cases: base64 → zlib → pickle → JSON', () => {
  it("decodes LCB's encoding as Python writes it", async () => {
    const tests = [{ input: '1\n[2, 3]', output: '5', testtype: 'functional' }, { input: 'é\n', output: '✓\n', testtype: 'stdin' }];
    for (const protocol of [3, 4, 5]) {
      const [blob] = encodePrivate([JSON.stringify(tests)], protocol);
      expect(await decodeTestCases(blob)).toEqual(tests);
    }
  });

  it('takes plain JSON as LCB does (json.loads first)', async () => {
    expect(await decodeTestCases('[{"input": "1", "output": "2"}]')).toEqual([{ input: '1', output: '2' }]);
  });

  it('says which layer is wrong', async () => {
    await expect(decodeTestCases('definitely not base64 zlib!')).rejects.toThrow(/not JSON, and not base64 zlib data/);
    const notPickle = deflateSync(Buffer.from('just text')).toString('base64');
    await expect(decodeTestCases(notPickle)).rejects.toThrow(/unsupported pickle opcode/);
    const [notJson] = encodePrivate(['this is not json']);
    await expect(decodeTestCases(notJson)).rejects.toThrow(/the pickled string is not JSON/);
  });
});

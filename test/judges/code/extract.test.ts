/** LiveCodeBench's code extraction rule: the text between the last two lines containing ``` . */
import { describe, expect, it } from 'vitest';
import { extractCode } from '../../../judges/code/extract.js';

describe('extractCode', () => {
  it('takes the last fenced block, whatever the language tag', () => {
    expect(extractCode('first\n```python\na = 1\n```\nthen\n```py\nb = 2\nprint(b)\n```\nbye')).toBe('b = 2\nprint(b)');
    expect(extractCode('```\nx\n```')).toBe('x');
  });

  it('counts lines that merely contain ``` (as LCB does), so prose after the code can shift the block', () => {
    // The last two fence lines are the closing fence and the prose line mentioning ```; LCB takes what is between.
    expect(extractCode('```python\nprint(1)\n```\nUse ``` to quote code.')).toBe('');
    expect(extractCode('```python\nprint(1)\n``` done')).toBe('print(1)');
  });

  it('gives null without two fence lines, and an empty block as empty text', () => {
    expect(extractCode('print(1)')).toBeNull();
    expect(extractCode('```python\nprint(1)')).toBeNull();
    expect(extractCode('```\n```')).toBe('');
  });

  it('keeps the code byte for byte (indentation, blank lines, CR)', () => {
    const code = 'def f():\r\n    return 1\n\n\nprint(f())';
    expect(extractCode(`\`\`\`python\n${code}\n\`\`\``)).toBe(code);
  });
});

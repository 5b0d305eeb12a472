/** The parser's token cursor: lookahead, errors with positions, and the nesting guard. */
import type { Deadline } from '../deadline.js';
import type { MathNode } from '../mathjs.js';
import type { Ans } from '../answer.js';
import type { Tok } from './lexer.js';

export class ParseError extends Error {
  constructor(message: string, readonly pos: number) {
    super(`${message} (at character ${pos})`);
    this.name = 'ParseError';
  }
}

/** Deeper nesting than this is refused with a clear error (and never overflows the stack). */
const MAX_DEPTH = 120;

export abstract class TokenStream {
  protected i = 0;
  protected depth = 0;
  /** Inside |…|, a bar closes instead of opening. */
  protected absDepth = 0;
  constructor(protected readonly toks: Tok[], protected readonly deadline: Deadline) {}

  protected peek(k = 0): Tok { return this.toks[Math.min(this.i + k, this.toks.length - 1)]!; }
  protected next(): Tok { const t = this.peek(); if (t.t !== 'eof') this.i++; return t; }
  protected isOp(v: string, k = 0): boolean { const t = this.peek(k); return t.t === 'op' && t.v === v; }
  protected isCmd(v: string, k = 0): boolean { const t = this.peek(k); return t.t === 'cmd' && t.v === v; }
  protected fail(msg: string, t: Tok = this.peek()): never { throw new ParseError(msg, t.pos); }
  protected expectOp(v: string, what: string): void {
    if (!this.isOp(v)) this.fail(`expected ${what}, found ${describe(this.peek())}`);
    this.next();
  }
  protected enter(): void {
    this.deadline.check('parsing');
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
  }
  protected leave(): void { this.depth--; }
  protected node(a: Ans, t: Tok): MathNode {
    if (a.k === 'expr') return a.node;
    this.fail(`${/^[aeiou]/.test(a.k) ? 'an' : 'a'} ${a.k} cannot take part in arithmetic`, t);
  }

}

export function describe(t: Tok): string {
  switch (t.t) {
    case 'eof': return 'the end of the answer';
    case 'cmd': return `\\${t.v}`;
    case 'text': return `\\text{${t.v}}`;
    case 'begin': return `\\begin{${t.v}}`;
    case 'end': return `\\end{${t.v}}`;
    default: return `"${t.v}"`;
  }
}

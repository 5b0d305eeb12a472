/**
 * The mathjs pieces the checker uses: one full instance (symbolic simplification, complex fallback),
 * the node classes our parser builds, and a Decimal class for 50-digit evaluation. Loading mathjs costs
 * about a second, so only worker threads and tests import this module, never the harness main thread.
 */
import { all, create, type MathNode } from 'mathjs';
// Types only: decimal.js is mathjs's BigNumber implementation; at run time we use mathjs's own copy.
import type { Decimal } from 'decimal.js';

export type { MathNode } from 'mathjs';

/** Plain-number instance: simplify, and complex arithmetic where Decimal cannot go. */
export const math = create(all, {});

/** Digits carried by the numeric path; the comparison tolerance (1e-10) is far above the noise. */
export const NUMERIC_DIGITS = 50;

/** decimal.js class (mathjs's BigNumber), configured for the numeric path. */
export const Dec: Decimal.Constructor = (math as unknown as { BigNumber: Decimal.Constructor }).BigNumber.clone({
  precision: NUMERIC_DIGITS, toExpNeg: -30, toExpPos: 60, maxE: 9e15, minE: -9e15,
});
export type Dec = Decimal;

// Node constructors, typed loosely: mathjs's generics map every operator to one function name, which
// does not fit the few extra operators (±, ∓) our grammar needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const N = math as any;

export function constant(value: number | Dec): MathNode {
  return new N.ConstantNode(value);
}
export function symbol(name: string): MathNode {
  return new N.SymbolNode(name);
}
export function operator(op: string, fn: string, args: MathNode[], implicit = false): MathNode {
  return new N.OperatorNode(op, fn, args, implicit);
}
export function call(name: string, args: MathNode[]): MathNode {
  return new N.FunctionNode(new N.SymbolNode(name), args);
}
export function array(items: MathNode[]): MathNode {
  return new N.ArrayNode(items);
}

export interface OpNode { type: 'OperatorNode'; op: string; fn: string; args: MathNode[]; implicit: boolean }
export interface FnNode { type: 'FunctionNode'; fn: { name: string }; args: MathNode[] }
export interface ConstNode { type: 'ConstantNode'; value: unknown }
export interface SymNode { type: 'SymbolNode'; name: string }
export interface ArrNode { type: 'ArrayNode'; items: MathNode[] }

export const isOp = (n: MathNode): n is MathNode & OpNode => n.type === 'OperatorNode';
export const isFn = (n: MathNode): n is MathNode & FnNode => n.type === 'FunctionNode';
export const isConst = (n: MathNode): n is MathNode & ConstNode => n.type === 'ConstantNode';
export const isSym = (n: MathNode): n is MathNode & SymNode => n.type === 'SymbolNode';
export const isArr = (n: MathNode): n is MathNode & ArrNode => n.type === 'ArrayNode';

/** The exact decimal text of a literal (numbers are stored as JS numbers only when that is lossless). */
export function literalText(n: ConstNode): string {
  const v = n.value;
  if (typeof v === 'number') return String(v);
  return (v as Dec).toFixed();
}

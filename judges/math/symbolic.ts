/**
 * The symbolic path: mathjs simplification of gold − prediction, for expressions the numeric path
 * cannot evaluate (sums with symbolic bounds, unknown constructs). mathjs simplify is not interruptible,
 * so it only sees small trees; the pool's hard kill guards the rest.
 */
import { nodeSize, walk } from './answer.js';
import { isConst, isOp, math, type MathNode } from './mathjs.js';

/** Trees above this many nodes are not simplified (cost grows quickly with size). */
export const SYMBOLIC_MAX_NODES = 60;

export function toMathjsText(node: MathNode): string {
  return node.toString({ implicit: 'show', parenthesis: 'keep' });
}

/** Highest integer exponent in a tree (rationalize expands powers, so it only sees low degrees). */
function maxExponent(node: MathNode): number {
  let max = 1;
  walk(node, (n) => {
    if (isOp(n) && n.fn === 'pow' && isConst(n.args[1]!)) max = Math.max(max, Math.abs(Number(n.args[1].value)));
  });
  return max;
}

/** True when simplify(a − b) reaches 0; false when it does not (not a proof of inequality); null if too big. */
export function symbolicZero(a: MathNode, b: MathNode): boolean | null {
  if (nodeSize(a) + nodeSize(b) > SYMBOLIC_MAX_NODES) return null;
  let diff: MathNode;
  try {
    diff = math.parse(`(${toMathjsText(a)}) - (${toMathjsText(b)})`);
  } catch {
    return null;
  }
  try {
    const s = math.simplify(diff);
    if (isConst(s) && Number(s.value) === 0) return true;
  } catch {
    return false;
  }
  // Polynomial identities: rationalize expands, so only for low degrees (degree 12 never returned).
  if (maxExponent(diff) > 4) return false;
  try {
    const r = math.rationalize(diff);
    return isConst(r) && Number(r.value) === 0;
  } catch {
    return false;
  }
}

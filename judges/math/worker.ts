/**
 * Pool worker: grades a batch of attempts with the synchronous core. Loaded by piscina from dist/
 * (compiledPath); mathjs is imported once per worker, when the worker starts.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Grade } from '../../harness/types.js';
import { gradeMathAnswer, type MathGradeOptions } from './grade.js';

export interface GradeTask {
  /** Item id, named in error grades. */
  itemId: string;
  gold: string;
  response: string;
  options: MathGradeOptions;
}

// Warm the checker once per worker (JIT, mathjs's typed-function caches) so that the first real grade
// does not pay a second of compilation inside its time budget.
for (const [gold, response] of [['33', '\\boxed{33}'], ['\\frac{9\\sqrt{23}}{23}', '\\boxed{9/\\sqrt{23}}'], ['1-\\frac{2}{\\pi}', '\\boxed{\\frac{\\pi-2}{\\pi}}'],
  ['1, 2', '\\boxed{2}, \\boxed{1}'], ['x^2-1', '\\boxed{(x-1)(x+1)}'], ['[0,1)', '$x \\in [0, 1)$']]) {
  gradeMathAnswer(gold!, response!, { strict: false, answerType: 'expression', budgetMs: 5_000 });
}

export interface BatchMessage {
  tasks: GradeTask[];
  /** The pool starts its hard timer when this port says the batch started. */
  port?: MessagePort;
}

export default function gradeBatch({ tasks, port }: BatchMessage): Grade[] {
  port?.postMessage('started');
  try {
    return tasks.map((t) => {
      const g = gradeMathAnswer(t.gold, t.response, t.options);
      if (g.outcome === 'error') g.details = { ...g.details, itemId: t.itemId };
      return g;
    });
  } finally {
    port?.close();
  }
}

/**
 * RULER's QA tasks (qa.py): a question over numbered documents — its gold paragraph(s) among as many
 * distractors as fit (same-article paragraphs first for SQuAD), shuffled. Sample i asks the same question
 * at every length (the i-th of a seeded order of the questions), as RULER does.
 */
import type { BuiltContext, ContextModel, Mark } from './fit.js';
import { itemRng, type GenContext, type Instance } from './instance.js';
import type { QaData } from './qa-data.js';
import { LazyPermutation, Rng } from './random.js';
import type { QaTask } from './tasks.js';
import { BUDGETS } from './tasks.js';
import { answerPrefix, templateAround } from './templates.js';
import type { TokenLengths } from './tokens.js';

const header = (i: number) => `Document ${i}:\n`;

/** Tokens of "Document 1:\n" … "Document k:\n" summed, per tokenizer. */
const headerSums = new WeakMap<TokenLengths, number[]>();
function headerTokens(lengths: TokenLengths, k: number): number {
  let cum = headerSums.get(lengths);
  if (!cum) headerSums.set(lengths, (cum = [0]));
  for (let i = cum.length; i <= k; i++) cum.push(cum[i - 1] + lengths.text(header(i)));
  return cum[k];
}

/** Tokens of each document followed by its blank line, per (dataset, tokenizer). */
const docSums = new WeakMap<TokenLengths, Map<QaData, Map<number, number>>>();
function docTokens(lengths: TokenLengths, data: QaData, doc: number): number {
  let byData = docSums.get(lengths);
  if (!byData) docSums.set(lengths, (byData = new Map()));
  let m = byData.get(data);
  if (!m) byData.set(data, (m = new Map()));
  let t = m.get(doc);
  if (t === undefined) m.set(doc, (t = lengths.text(`${data.docs[doc]}\n\n`)));
  return t;
}

export function qaInstance(spec: QaTask, g: GenContext): Instance {
  const data = g.qa[spec.dataset];
  if (!data) throw new Error(`${g.task} needs the ${spec.dataset} file`);
  if (g.sample >= data.questions.length) throw new Error(`${data.path} has ${data.questions.length} usable questions; asked for sample ${g.sample}`);
  const q = data.questions[new LazyPermutation(data.questions.length, Rng.derive(g.seed, g.task, 'questions')).at(g.sample)];

  // Documents in the order they join the haystack: gold, same-article, then any other.
  const taken = new Set([...q.gold, ...q.more]);
  const more = new LazyPermutation(q.more.length, itemRng(g, 'more'));
  const others = new LazyPermutation(data.docs.length, itemRng(g, 'others'));
  const order: number[] = [...q.gold];
  let otherCursor = 0;
  const docAt = (i: number): number => {
    while (order.length <= i) {
      const k = order.length - q.gold.length;
      if (k < q.more.length) order.push(q.more[more.at(k)]);
      else {
        let d = others.at(otherCursor++);
        while (taken.has(d)) d = others.at(otherCursor++);
        order.push(d);
      }
    }
    return order[i];
  };
  const cum: number[] = [0];
  const docsTokens = (n: number) => {
    for (let i = cum.length - 1; i < n; i++) cum.push(cum[i] + docTokens(g.lengths, data, docAt(i)));
    return cum[n];
  };

  const vars = { query: q.query };
  const around = templateAround('qa', vars);
  const shape = { head: around.head, tail: around.tail, answerPrefix: answerPrefix('qa', vars), prefixInUser: g.prefixInUser };
  const model: ContextModel = {
    minUnits: q.gold.length,
    maxUnits: data.docs.length,
    count(n, trailing) {
      if (trailing !== '\n\n') throw new Error('internal: the qa template must close the documents with a blank line');
      return headerTokens(g.lengths, n) + docsTokens(n);
    },
    build(n): BuiltContext {
      const chosen = itemRng(g, 'shuffle', n).shuffle(Array.from({ length: n }, (_, i) => docAt(i)));
      const gold = new Set(q.gold);
      const marks: Mark[] = [];
      let text = '';
      chosen.forEach((d, i) => {
        if (i > 0) text += '\n\n';
        if (gold.has(d)) marks.push({ kind: 'gold', text: data.docs[d], offset: text.length + header(i + 1).length });
        text += header(i + 1) + data.docs[d];
      });
      return { text, marks };
    },
  };
  return {
    shape,
    model,
    budget: BUDGETS.qa,
    match: 'part',
    describe: (n) => ({ references: q.answers, metadata: { query: q.query, documents: n, haystack_exhausted: n >= data.docs.length } }),
  };
}

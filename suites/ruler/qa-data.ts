/**
 * RULER's QA sources (qa.py): SQuAD v2.0 dev (answerable questions only; the other paragraphs of the same
 * article are the first distractors) and HotpotQA dev-distractor (each question's ten paragraphs, gold
 * and distractors, rendered "title\nsentences"). Files are validated once, with errors naming the field.
 */
import { z } from 'zod';
import { DatasetError } from '../common/dataset.js';
import { readJsonFile } from './data.js';

export interface QaQuestion {
  query: string;
  answers: string[];
  /** Indices into docs of the question's own paragraphs. */
  gold: number[];
  /** Same-article paragraphs (SQuAD), tried before random distractors. */
  more: number[];
}

export interface QaData {
  dataset: 'squad' | 'hotpotqa';
  path: string;
  docs: string[];
  questions: QaQuestion[];
}

const Squad = z.object({
  data: z.array(
    z.object({
      paragraphs: z.array(
        z.object({
          context: z.string(),
          qas: z.array(
            z.object({
              question: z.string(),
              answers: z.array(z.object({ text: z.string() })),
              is_impossible: z.boolean().optional(),
            }),
          ),
        }),
      ),
    }),
  ),
});

const Hotpot = z.array(
  z.object({
    question: z.string(),
    answer: z.string(),
    context: z.array(z.tuple([z.string(), z.array(z.string())])),
  }),
);

function parse<T extends z.ZodTypeAny>(schema: T, value: unknown, path: string, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new DatasetError(`${path}: not a ${what} file: at ${i.path.join('.') || '(top level)'}: ${i.message}`);
  }
  return r.data;
}

const cache = new Map<string, QaData>();

/** Distinct documents in sorted order, and a lookup from text to index. */
function indexDocs(texts: string[]): { docs: string[]; indexOf: Map<string, number> } {
  const docs = [...new Set(texts)].sort();
  return { docs, indexOf: new Map(docs.map((d, i) => [d, i])) };
}

export function readSquad(path: string): QaData {
  const hit = cache.get(path);
  if (hit) return hit;
  const data = parse(Squad, readJsonFile(path, 'SQuAD file'), path, 'SQuAD v2.0 (dev-v2.0.json)');
  const { docs, indexOf } = indexDocs(data.data.flatMap((a) => a.paragraphs.map((p) => p.context.trim())));
  const questions: QaQuestion[] = [];
  for (const article of data.data) {
    const articleDocs = article.paragraphs.map((p) => indexOf.get(p.context.trim())!);
    for (const p of article.paragraphs) {
      const own = indexOf.get(p.context.trim())!;
      for (const qa of p.qas) {
        if (qa.is_impossible) continue;
        const answers = [...new Set(qa.answers.map((a) => a.text.trim()).filter((a) => a.length > 0))];
        if (answers.length === 0) continue;
        questions.push({ query: qa.question.trim(), answers, gold: [own], more: [...new Set(articleDocs.filter((d) => d !== own))] });
      }
    }
  }
  if (questions.length === 0) throw new DatasetError(`${path}: no answerable questions`);
  const out: QaData = { dataset: 'squad', path, docs, questions };
  cache.set(path, out);
  return out;
}

export function readHotpot(path: string): QaData {
  const hit = cache.get(path);
  if (hit) return hit;
  const data = parse(Hotpot, readJsonFile(path, 'HotpotQA file'), path, 'HotpotQA dev-distractor (hotpot_dev_distractor_v1.json)');
  const render = ([title, sentences]: [string, string[]]) => `${title}\n${sentences.join('')}`.trim();
  const { docs, indexOf } = indexDocs(data.flatMap((q) => q.context.map(render)));
  const questions = data
    .filter((q) => q.answer.trim().length > 0)
    .map((q) => ({ query: q.question.trim(), answers: [q.answer.trim()], gold: [...new Set(q.context.map((c) => indexOf.get(render(c))!))], more: [] }));
  if (questions.length === 0) throw new DatasetError(`${path}: no questions`);
  const out: QaData = { dataset: 'hotpotqa', path, docs, questions };
  cache.set(path, out);
  return out;
}

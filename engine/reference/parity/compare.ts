/**
 * Compares the TS reference with the JSON written by run_ref.py (DeepSeek's own reference code).
 * node dist/engine/reference/parity/compare.js <ref_out.json> <fp8-model-dir> <bf16-model-dir>
 */
import { readFileSync } from 'node:fs';
import { argmax, loadReferenceModel, type ForwardOptions } from '../model.js';

interface SeqOut {
  prompt: number[];
  prefill_last: number[];
  prefill_topk: number[][][];
  tokens: number[];
  logits: number[][];
  topk: number[][][];
}
interface ModelOut {
  A: SeqOut;
  B: SeqOut;
  prefix_last: number[][];
  hidden_B: number[][][];
}

const relL2 = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let n = 0;
  let d = 0;
  for (let i = 0; i < b.length; i++) {
    n += (a[i]! - b[i]!) ** 2;
    d += b[i]! ** 2;
  }
  return Math.sqrt(n / d);
};
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
/** Share of the reference's selected keys (restricted to the causal ones) that the TS reference also selected. */
const recall = (mine: number[], theirs: number[], t: number) => {
  const th = theirs.filter((s) => s <= t);
  const m = new Set(mine);
  return th.length ? th.filter((s) => m.has(s)).length / th.length : 1;
};
const fmt = (name: string, rels: number[], agree: number) =>
  `  ${name}: n=${rels.length} relL2 median ${median(rels).toExponential(2)} max ${Math.max(...rels).toExponential(2)}; argmax agrees ${agree}/${rels.length}`;

async function compareModel(tag: string, dir: string, R: ModelOut, opts: ForwardOptions): Promise<void> {
  const m = await loadReferenceModel(dir);
  console.log(`${tag} checkpoint, TS options ${JSON.stringify(opts)}`);
  const B = R.B.prompt;
  const full = m.forward(B, { ...opts, trace: true });
  const rels = R.prefix_last.map((theirs, j) => relL2(full.logits[j + 1]!, theirs));
  const agree = R.prefix_last.filter((theirs, j) => argmax(full.logits[j + 1]!) === argmax(theirs)).length;
  console.log(fmt(`prefill logits at positions 1..${B.length - 1} of B`, rels, agree));
  const hidden = R.hidden_B.map((layer, l) => median(layer.map((row, t) => relL2(full.hidden![l]![t]!, row))).toExponential(2));
  console.log(`  residual stream after each layer (median relL2): ${hidden.join(', ')}`);
  for (const name of ['A', 'B'] as const) {
    const S = R[name];
    const s = m.session(opts);
    const pre = s.feed(S.prompt);
    const r2 = [relL2(pre.logits.at(-1)!, S.prefill_last)];
    let ag = argmax(pre.logits.at(-1)!) === argmax(S.prefill_last) ? 1 : 0;
    const recPre: number[] = [];
    S.prefill_topk.forEach((rows, l) => rows.forEach((theirs, t) => recPre.push(recall(pre.selected[l]![t]!, theirs, t))));
    const recDec: number[] = [];
    S.tokens.forEach((tok, i) => {
      const r = s.feed([tok]);
      r2.push(relL2(r.logits[0]!, S.logits[i]!));
      if (argmax(r.logits[0]!) === argmax(S.logits[i]!)) ag++;
      S.topk[i]!.forEach((theirs, l) => recDec.push(recall(r.selected[l]![0]!, theirs, S.prompt.length + i)));
    });
    console.log(fmt(`sequence ${name} (prefill ${S.prompt.length}, ${S.tokens.length} teacher-forced decode steps)`, r2, ag));
    console.log(`    indexer top-k recall: prefill mean ${mean(recPre).toFixed(4)} min ${Math.min(...recPre).toFixed(3)}; decode mean ${mean(recDec).toFixed(4)} min ${Math.min(...recDec).toFixed(3)}`);
    const g = m.greedy(S.prompt, S.tokens.length, opts);
    let same = 0;
    while (same < g.length && g[same] === S.tokens[same]) same++;
    console.log(`    greedy continuation identical for ${same}/${g.length} tokens`);
  }
}

async function main(): Promise<void> {
  const [file, fp8Dir, bf16Dir] = process.argv.slice(2);
  if (!file || !fp8Dir || !bf16Dir) throw new Error('usage: compare.js <ref_out.json> <fp8-model-dir> <bf16-model-dir>');
  const ref = JSON.parse(readFileSync(file, 'utf8')) as { torch: string; device: string; fp8: ModelOut; bf16: ModelOut };
  console.log(`DeepSeek reference run: torch ${ref.torch} on ${ref.device}`);
  await compareModel('fp8', fp8Dir, ref.fp8, { fp8Activations: true });
  await compareModel('fp8', fp8Dir, ref.fp8, { fp8Activations: false });
  await compareModel('bf16', bf16Dir, ref.bf16, {});
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});

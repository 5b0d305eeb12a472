/**
 * The top-level reference forward pass (spec §3): embedding, the decoder layers (fused-residual RMSNorm → MLA/DSA →
 * RMSNorm → dense MLP or MoE), final norm and the fp32 LM head — for every position.
 *
 * A `RefSession` holds the caches of one sequence. Feeding tokens in one chunk or in many gives bit-identical
 * results, because every position is computed from the caches alone; `forward` is a fresh session fed once and
 * `greedy` feeds the prompt, then one token per step.
 */
import { Checkpoint } from './safetensors.js';
import { readConfig, type ModelConfig } from './config.js';
import { LayerCache, mlaAttention, type AttentionOptions } from './mla.js';
import { denseMlp, moe } from './moe.js';
import { linear, rmsNorm, rmsNormResidual } from './ops.js';
import { RopeTable } from './rope.js';
import { loadWeights, type ModelWeights } from './weights.js';

export interface ForwardOptions {
  /** Sparse attention via the indexer (V3.2 only). Default true. Off = dense causal MLA, and `selected` stays empty. */
  dsa?: boolean;
  /** act_quant before every FP8-weight linear, as DeepSeek's reference kernels do (spec §2.4). Default false. */
  fp8Activations?: boolean;
  /** FP8-simulated MLA latent (post-fix V3.2 reference, spec §4.2 step 4). Default true for V3.2, false for V3. */
  fp8Latent?: boolean;
  /** FP8 round trips of the indexer's q and k (spec §5.2). Default true; false gives a bf16 indexer (spec §12.3). */
  fp8Indexer?: boolean;
  /** Also return the residual stream after every layer. */
  trace?: boolean;
}

export interface ForwardResult {
  /** Logits at every fed position, fp64 (the reference computes them in fp32). */
  logits: Float64Array[];
  /** [layer][position] → indexer-selected key positions, ascending; empty when DSA is off or the model is V3. */
  selected: number[][][];
  /** [layer][position] → routed experts in selection order; empty for dense layers. */
  experts: number[][][];
  /** With `trace`: [layer][position] → fp32 residual stream (h + residual) after the layer. */
  hidden?: Float64Array[][];
}

export interface RefModel {
  readonly dir: string;
  readonly config: ModelConfig;
  readonly weights: ModelWeights;
  forward(tokens: number[], opts?: ForwardOptions): ForwardResult;
  greedy(prompt: number[], steps: number, opts?: ForwardOptions): number[];
  session(opts?: ForwardOptions): RefSession;
}

export class RefSession {
  private readonly caches: LayerCache[];
  private readonly attn: AttentionOptions;
  private readonly trace: boolean;
  private readonly rope: RopeTable;

  constructor(
    private readonly config: ModelConfig,
    private readonly weights: ModelWeights,
    opts: ForwardOptions = {},
  ) {
    this.caches = config.nLayers ? Array.from({ length: config.nLayers }, () => new LayerCache()) : [];
    this.attn = {
      dsa: (opts.dsa ?? true) && config.arch === 'v32',
      fp8Activations: opts.fp8Activations ?? false,
      fp8Latent: opts.fp8Latent ?? config.arch === 'v32',
      fp8Indexer: opts.fp8Indexer ?? true,
      scaleFmt: config.scaleFmt,
    };
    this.trace = opts.trace ?? false;
    this.rope = new RopeTable({ dim: config.qkRopeHeadDim, theta: config.ropeTheta, yarn: config.yarn });
  }

  /** Number of tokens fed so far (= the next position). */
  get position(): number {
    return this.caches[0]?.length ?? 0;
  }

  /** Run `tokens` at the next positions; results cover exactly these tokens. */
  feed(tokens: number[]): ForwardResult {
    const cfg = this.config;
    const W = this.weights;
    tokens.forEach((tok, i) => {
      if (!Number.isInteger(tok) || tok < 0 || tok >= cfg.vocabSize) throw new RangeError(`token ${i} is ${tok}; ids must be integers in [0, ${cfg.vocabSize})`);
    });
    if (this.position + tokens.length > cfg.maxSeqLen) {
      throw new RangeError(`positions up to ${this.position + tokens.length} exceed max_position_embeddings ${cfg.maxSeqLen}`);
    }
    const D = cfg.dim;
    let h: Float64Array[] = tokens.map((tok) => Float64Array.from(W.embed.w.subarray(tok * D, (tok + 1) * D)));
    let residual: Float64Array[] | null = null;
    const selected: number[][][] = [];
    const experts: number[][][] = [];
    const hidden: Float64Array[][] = [];

    for (let l = 0; l < cfg.nLayers; l++) {
      const L = W.layers[l]!;
      let x: Float64Array[];
      if (residual === null) {
        x = h.map((row) => rmsNorm(row, L.attnNorm, cfg.normEps));
        residual = h;
      } else {
        const r = h.map((row, t) => rmsNormResidual(row, residual![t]!, L.attnNorm, cfg.normEps));
        x = r.map((v) => v.x);
        residual = r.map((v) => v.residual);
      }
      const att = mlaAttention(x, L, this.caches[l]!, cfg, this.rope, this.attn);
      selected.push(att.selected);

      const r2 = att.out.map((row, t) => rmsNormResidual(row, residual![t]!, L.ffnNorm, cfg.normEps));
      x = r2.map((v) => v.x);
      residual = r2.map((v) => v.residual);
      if (L.moe) {
        const m = moe(x, L.moe, cfg, this.attn);
        h = m.out;
        experts.push(m.routing.map((r) => r.experts));
      } else {
        h = denseMlp(x, L.mlp!, this.attn);
        experts.push(x.map(() => []));
      }
      if (this.trace) hidden.push(h.map((row, t) => row.map((v, d) => Math.fround(v + residual![t]![d]!))));
    }

    const final = h.map((row, t) => (residual ? rmsNormResidual(row, residual[t]!, W.norm, cfg.normEps).x : rmsNorm(row, W.norm, cfg.normEps)));
    const logits = linear(final, W.head, this.attn, 'exact');
    return { logits, selected, experts, ...(this.trace ? { hidden } : {}) };
  }
}

/** Index of the largest logit (ties → lowest id). */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** Load config.json and the checkpoint of an HF-layout model directory into a reference model. */
export async function loadReferenceModel(dir: string): Promise<RefModel> {
  const config = readConfig(dir);
  const ck = Checkpoint.open(dir);
  let weights: ModelWeights;
  try {
    weights = loadWeights(ck, config);
  } finally {
    ck.close();
  }
  return {
    dir,
    config,
    weights,
    session: (opts) => new RefSession(config, weights, opts),
    forward: (tokens, opts) => new RefSession(config, weights, opts).feed(tokens),
    greedy: (prompt, steps, opts) => {
      if (prompt.length === 0) throw new RangeError('greedy: the prompt is empty');
      const s = new RefSession(config, weights, opts);
      const out: number[] = [];
      let logits = s.feed(prompt).logits;
      for (let i = 0; i < steps; i++) {
        const next = argmax(logits[logits.length - 1]!);
        out.push(next);
        if (i + 1 < steps) logits = s.feed([next]).logits;
      }
      return out;
    },
  };
}

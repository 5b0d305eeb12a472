# Runs DeepSeek's post-fix V3.2 reference model.py (with torch stand-ins for its TileLang kernels) on the tiny
# test models and dumps logits, greedy tokens, indexer top-k sets and per-layer residuals to JSON for comparison
# with the TS reference. Usage (see README.md):
#   python3 run_ref.py <fp8-model-dir> <bf16-model-dir> <out.json>      REF_MODEL=model_fp32attn for the fp32 variant
import json, os, struct, sys, time
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import torch
import torch.distributed as dist
dist.broadcast = lambda *a, **k: None  # gotcha (spec §12.5): Indexer.forward broadcasts unconditionally
import importlib
M = importlib.import_module(os.environ.get('REF_MODEL', 'model'))

DT = {"F32": torch.float32, "BF16": torch.bfloat16, "F8_E4M3": torch.float8_e4m3fn}
MAP = {"embed_tokens": "embed", "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm", "q_a_proj": "wq_a",
       "q_a_layernorm": "q_norm", "q_b_proj": "wq_b", "kv_a_proj_with_mqa": "wkv_a", "kv_a_layernorm": "kv_norm",
       "kv_b_proj": "wkv_b", "o_proj": "wo", "gate_proj": "w1", "down_proj": "w2", "up_proj": "w3", "lm_head": "head"}


def read_safetensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, en = e["data_offsets"]
        t = torch.frombuffer(bytearray(data[8 + n + b:8 + n + en]), dtype=torch.uint8).view(DT[e["dtype"]]).reshape(e["shape"])
        out[name] = t
    return out


def ref_name(hf):  # convert.py's renaming (spec §7.7)
    name = hf[len("model."):] if hf.startswith("model.") else hf
    name = name.replace("self_attn", "attn").replace("mlp", "ffn").replace("weight_scale_inv", "scale").replace("e_score_correction_bias", "bias")
    parts = name.split(".")
    parts[-2] = MAP.get(parts[-2], parts[-2])
    return ".".join(parts)


def prompt(n, salt=0):  # same formula as test/engine/reference-model.test.ts
    return [3 + ((i * 389 + salt * 17 + 11) % 1000) for i in range(n)]


def build(model_dir, dtype):
    c = json.load(open(os.path.join(model_dir, "config.json")))
    rs = c["rope_scaling"]
    args = M.ModelArgs(max_batch_size=2, max_seq_len=c["max_position_embeddings"], dtype=dtype, scale_fmt="ue8m0",
                       vocab_size=c["vocab_size"], dim=c["hidden_size"], inter_dim=c["intermediate_size"],
                       moe_inter_dim=c["moe_intermediate_size"], n_layers=c["num_hidden_layers"],
                       n_dense_layers=c["first_k_dense_replace"], n_heads=c["num_attention_heads"],
                       n_routed_experts=c["n_routed_experts"], n_shared_experts=c["n_shared_experts"],
                       n_activated_experts=c["num_experts_per_tok"], n_expert_groups=c["n_group"],
                       n_limited_groups=c["topk_group"], score_func=c["scoring_func"], route_scale=c["routed_scaling_factor"],
                       q_lora_rank=c["q_lora_rank"], kv_lora_rank=c["kv_lora_rank"], qk_nope_head_dim=c["qk_nope_head_dim"],
                       qk_rope_head_dim=c["qk_rope_head_dim"], v_head_dim=c["v_head_dim"],
                       original_seq_len=rs["original_max_position_embeddings"], rope_theta=c["rope_theta"],
                       rope_factor=rs["factor"], beta_fast=rs["beta_fast"], beta_slow=rs["beta_slow"], mscale=rs["mscale_all_dim"],
                       index_n_heads=c["index_n_heads"], index_head_dim=c["index_head_dim"], index_topk=c["index_topk"])
    with torch.device("cuda"):
        model = M.Transformer(args)
        for layer in model.layers:  # gotcha (spec §12.5): Gate creates its bias only when dim == 7168
            if isinstance(layer.ffn, M.MoE):
                layer.ffn.gate.bias = torch.nn.Parameter(torch.empty(args.n_routed_experts, dtype=torch.float32))
    sd = {ref_name(k): v for k, v in read_safetensors(os.path.join(model_dir, "model.safetensors")).items()}
    model.load_state_dict(sd, strict=True)
    return model


CAPTURED = []
_orig_indexer = M.Indexer.forward


def _indexer(self, x, qr, start_pos, freqs_cis, mask):
    idx = _orig_indexer(self, x, qr, start_pos, freqs_cis, mask)
    CAPTURED.append(idx[0].tolist())
    return idx


M.Indexer.forward = _indexer

HIDDEN = []
_orig_block = M.Block.forward


def _block(self, x, residual, start_pos, freqs_cis, mask):
    h, res = _orig_block(self, x, residual, start_pos, freqs_cis, mask)
    HIDDEN.append((h.float() + res.float())[0])
    return h, res


M.Block.forward = _block


def fl(t):
    return [float(v) for v in t.float().reshape(-1).tolist()]


def greedy(model, toks, steps):
    CAPTURED.clear()
    x = torch.tensor([toks], dtype=torch.long, device="cuda")
    logits = model(x, 0)
    out = {"prompt": toks, "prefill_last": fl(logits[0]), "prefill_topk": [CAPTURED[i] for i in range(len(CAPTURED))],
           "tokens": [], "logits": [], "topk": []}
    pos = len(toks)
    for _ in range(steps):
        nxt = int(logits[0].argmax())
        out["tokens"].append(nxt)
        CAPTURED.clear()
        logits = model(torch.tensor([[nxt]], dtype=torch.long, device="cuda"), pos)
        out["logits"].append(fl(logits[0]))
        out["topk"].append([c[0] for c in CAPTURED])
        pos += 1
    return out


@torch.inference_mode()
def main():
    torch.set_default_dtype(torch.bfloat16)
    torch.manual_seed(0)
    res = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0)}
    for tag, d, dtype in [("fp8", sys.argv[1], "fp8"), ("bf16", sys.argv[2], "bf16")]:
        t0 = time.time()
        model = build(d, dtype)
        r = {}
        r["A"] = greedy(model, prompt(24, 3), 16)     # spec §13 (a): prefill 24, decode to 40
        r["B"] = greedy(model, prompt(96, 11), 32)    # spec §13 (b): prefill 96, 32 decode steps
        # Prefill logits at every position: one fresh prefill per prefix length.
        pre = []
        toks = prompt(96, 11)
        for L in range(2, 97):
            pre.append(fl(model(torch.tensor([toks[:L]], dtype=torch.long, device="cuda"), 0)[0]))
        r["prefix_last"] = pre
        HIDDEN.clear()
        model(torch.tensor([toks], dtype=torch.long, device="cuda"), 0)
        r["hidden_B"] = [[fl(row) for row in layer] for layer in HIDDEN]
        r["seconds"] = time.time() - t0
        res[tag] = r
    json.dump(res, open(sys.argv[3], "w"))
    print("done", res["torch"], res["device"], {k: res[k]["seconds"] for k in ("fp8", "bf16")})


main()

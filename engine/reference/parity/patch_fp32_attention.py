# Writes model_fp32attn.py: DeepSeek's model.py with the MLA attention einsums and softmax in fp32 (the TS
# reference computes attention in float64; the unmodified reference rounds scores, probabilities and the absorbed
# query to bf16). Nothing else changes. Usage: python3 patch_fp32_attention.py  (next to model.py)
import os

here = os.path.dirname(os.path.abspath(__file__))
src = open(os.path.join(here, "model.py")).read()
REPLACEMENTS = [
    ('torch.einsum("bshd,bthd->bsht", q, k)', 'torch.einsum("bshd,bthd->bsht", q.float(), k.float())'),
    ('x = torch.einsum("bsht,bthd->bshd", scores, v)', 'x = torch.einsum("bsht,bthd->bshd", scores, v.float()).to(v.dtype)'),
    ('torch.einsum("bshd,hdc->bshc", q_nope, wkv_b[:, :self.qk_nope_head_dim])',
     'torch.einsum("bshd,hdc->bshc", q_nope.float(), wkv_b[:, :self.qk_nope_head_dim].float())'),
    ('torch.einsum("bshc,btc->bsht", q_nope, self.kv_cache[:bsz, :end_pos])',
     'torch.einsum("bshc,btc->bsht", q_nope, self.kv_cache[:bsz, :end_pos].float())'),
    ('torch.einsum("bshr,btr->bsht", q_pe, self.pe_cache[:bsz, :end_pos])',
     'torch.einsum("bshr,btr->bsht", q_pe.float(), self.pe_cache[:bsz, :end_pos].float())'),
    ('x = torch.einsum("bsht,btc->bshc", scores, self.kv_cache[:bsz, :end_pos])',
     'x = torch.einsum("bsht,btc->bshc", scores, self.kv_cache[:bsz, :end_pos].float())'),
    ('x = torch.einsum("bshc,hdc->bshd", x, wkv_b[:, -self.v_head_dim:])',
     'x = torch.einsum("bshc,hdc->bshd", x, wkv_b[:, -self.v_head_dim:].float()).to(torch.bfloat16)'),
]
for old, new in REPLACEMENTS:
    if src.count(old) != 1:
        raise SystemExit(f"patch_fp32_attention: expected exactly one occurrence of {old!r} in model.py")
    src = src.replace(old, new)
open(os.path.join(here, "model_fp32attn.py"), "w").write(src)
print("wrote model_fp32attn.py")

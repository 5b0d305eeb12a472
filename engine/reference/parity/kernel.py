# Pure-PyTorch stand-ins for DeepSeek's TileLang kernels (act_quant, fp8_gemm, fp8_index), written from the
# kernel semantics (spec §2.3, §2.4, §5.2) so the post-fix reference model.py runs without TileLang.
import torch

FP8_MAX = 448.0


def _ue8m0_ceil(s: torch.Tensor) -> torch.Tensor:
    bits = s.contiguous().view(torch.int32)
    exp = (bits >> 23) & 0xFF
    man = bits & 0x7FFFFF
    e = exp - 127 + (man != 0).to(torch.int32)
    return ((e + 127) << 23).to(torch.int32).view(torch.float32)


def act_quant(x: torch.Tensor, block_size: int = 128, scale_fmt=None):
    assert x.size(-1) % block_size == 0
    shape = x.shape
    n = shape[-1]
    xf = x.float().reshape(-1, n // block_size, block_size)
    amax = xf.abs().amax(-1).clamp(min=torch.tensor(1e-4, dtype=torch.float32).item())
    inv = torch.tensor(1.0 / FP8_MAX, dtype=torch.float32, device=x.device)
    s = amax * inv
    if scale_fmt is not None:
        s = _ue8m0_ceil(s)
    y = (xf / s.unsqueeze(-1)).clamp(-FP8_MAX, FP8_MAX).to(torch.float8_e4m3fn)
    return y.reshape(shape), s.reshape(*shape[:-1], n // block_size)


def fp8_gemm(a: torch.Tensor, a_s: torch.Tensor, b: torch.Tensor, b_s: torch.Tensor) -> torch.Tensor:
    # C[m,n] = sum_kb a_s[m,kb] * b_s[n//128,kb] * sum_{k in kb} a[m,k] b[n,k]; fp32 accumulation, default-dtype out.
    K = a.size(-1)
    M = a.numel() // K
    N = b.size(0)
    kb = K // 128
    af = a.reshape(M, kb, 128).float()
    bf = b.reshape(N, kb, 128).float()
    partial = torch.einsum("mkc,nkc->mnk", af, bf)
    sa = a_s.reshape(M, kb).float()
    sb = b_s.float().repeat_interleave(128, dim=0)[:N]  # [N, kb]
    c = (partial * sa[:, None, :] * sb[None, :, :]).sum(-1)
    return c.to(torch.get_default_dtype()).reshape(*a.shape[:-1], N)


def fp8_index(q: torch.Tensor, q_s: torch.Tensor, k: torch.Tensor, k_s: torch.Tensor) -> torch.Tensor:
    # o[b,m,n] = k_s[b,n] * sum_h relu(q[b,m,h]·k[b,n]) * q_s[b,m,h]
    if q_s.dim() == 4:
        q_s = q_s.squeeze(-1)
    if k_s.dim() == 3:
        k_s = k_s.squeeze(-1)
    logits = torch.einsum("bmhd,bnd->bmnh", q.float(), k.float())
    logits = logits.clamp(min=0) * q_s.float()[:, :, None, :]
    return logits.sum(-1) * k_s.float()[:, None, :]

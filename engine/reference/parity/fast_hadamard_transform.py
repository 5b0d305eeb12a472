# Stand-in for the CUDA fast_hadamard_transform package: Sylvester Hadamard in fp32, scaled, cast back.
import torch

_cache = {}


def hadamard_transform(x: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
    n = x.size(-1)
    key = (n, x.device)
    if key not in _cache:
        i = torch.arange(n, device=x.device)
        bits = (i[:, None] & i[None, :])
        pc = torch.zeros_like(bits)
        b = bits.clone()
        while bool((b > 0).any()):
            pc += b & 1
            b = b >> 1
        _cache[key] = (1 - 2 * (pc % 2)).to(torch.float32)
    H = _cache[key]
    return (x.float() @ H * scale).to(x.dtype)

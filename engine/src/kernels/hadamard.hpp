// Walsh–Hadamard rotation of the indexer (spec §2.8): y = H_n·x / √n with the Sylvester-ordered ±1
// matrix H[i][j] = (−1)^popcount(i&j), by the fast butterfly (log2 n stages of (a+b, a−b)) in fp32.
#pragma once

namespace dse {

// In place; n must be a power of two. The caller rounds to bf16 where the model stores bf16.
void hadamard_inplace(float* x, int n);

}  // namespace dse

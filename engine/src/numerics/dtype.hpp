// Element types a checkpoint may store (safetensors names). The engine computes with F32, BF16 and
// F8_E4M3 weights; the others are recognised so that a wrong dtype gets a precise message.
#pragma once
#include <cstddef>
#include <string_view>

namespace dse {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, F8_E4M3, F8_E5M2 };

const char* dtype_name(DType t);
size_t dtype_size(DType t);
// Parses a safetensors dtype name; false when unknown.
bool dtype_from_name(std::string_view name, DType* out);

}  // namespace dse

// A small, strict JSON reader (RFC 8259) and writer helpers. No third-party code: the engine parses
// config.json, safetensors headers and protocol lines with it, so it must never crash or hang on
// hostile input. Limits: nesting depth 128; errors carry the byte offset and line of the defect.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dse {

class Json {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  Json() = default;
  static Json null() { return Json(); }
  static Json boolean(bool b);
  static Json number(double d);
  static Json string(std::string s);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_bool() const { return type_ == Type::Bool; }
  bool is_number() const { return type_ == Type::Number; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }

  bool as_bool() const { return b_; }
  double as_double() const { return d_; }
  // True when the literal was an integer (no fraction/exponent) that fits in int64.
  bool is_integer() const { return type_ == Type::Number && int_ok_; }
  int64_t as_int() const { return i_; }
  const std::string& as_string() const { return s_; }
  const std::vector<Json>& items() const { return arr_; }
  const std::vector<std::pair<std::string, Json>>& members() const { return obj_; }

  // Object lookup; nullptr when absent or when this is not an object.
  const Json* find(std::string_view key) const;

  static const char* type_name(Type t);

  // Parses a whole document. Throws EngineError("<what>: JSON error at byte N (line L): ...").
  // Duplicate object keys are an error (a header with two entries for one tensor is a defect).
  static Json parse(std::string_view text, const std::string& what);

 private:
  friend class JsonParser;
  Type type_ = Type::Null;
  bool b_ = false;
  bool int_ok_ = false;
  double d_ = 0;
  int64_t i_ = 0;
  std::string s_;
  std::vector<Json> arr_;
  std::vector<std::pair<std::string, Json>> obj_;
};

// Appends s as a JSON string literal (with quotes) to out.
void json_append_string(std::string& out, std::string_view s);
// Appends a float so that it reads back bit-exactly ("%.9g"); non-finite values become null.
void json_append_float(std::string& out, float v);
void json_append_double(std::string& out, double v);

// A name from untrusted input made safe for a one-line message: control bytes escaped, long names cut.
std::string printable(std::string_view s, size_t max_len = 160);

}  // namespace dse

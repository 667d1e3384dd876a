// A small dynamic value: what the table-driven codec decodes netlink attributes into and encodes
// them from. The binding layer converts it to and from JS objects; nothing here knows about N-API.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nln {

class Value {
 public:
  enum class Type : uint8_t { Null, Bool, Int, Big, String, Bytes, Map, List };

  Value() = default;
  static Value boolean(bool b) { Value v(Type::Bool); v.int_ = b ? 1 : 0; return v; }
  static Value integer(int64_t i) { Value v(Type::Int); v.int_ = i; return v; }
  // 64-bit counters: surfaced to JS as BigInt so no precision is lost.
  static Value big(uint64_t u) { Value v(Type::Big); v.big_ = u; return v; }
  static Value string(std::string s) { Value v(Type::String); v.str_ = std::move(s); return v; }
  static Value bytes(std::string b) { Value v(Type::Bytes); v.str_ = std::move(b); return v; }
  static Value map() { return Value(Type::Map); }
  static Value list() { return Value(Type::List); }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool as_bool() const { return int_ != 0; }
  int64_t as_int() const { return type_ == Type::Big ? static_cast<int64_t>(big_) : int_; }
  uint64_t as_u64() const { return type_ == Type::Big ? big_ : static_cast<uint64_t>(int_); }
  const std::string& as_string() const { return str_; }

  using Entries = std::vector<std::pair<std::string, Value>>;
  const Entries& entries() const { return map_; }
  const std::vector<Value>& items() const { return list_; }

  // Map: later set() of the same key replaces the earlier value.
  Value& set(const std::string& key, Value v);
  const Value* get(const std::string& key) const;
  Value* find(const std::string& key) { return const_cast<Value*>(get(key)); }
  void push(Value v) { list_.push_back(std::move(v)); }
  void reserve(size_t n) { type_ == Type::Map ? map_.reserve(n) : list_.reserve(n); }
  // Map: adds without looking for an earlier entry (the caller knows the key is new).
  void append(std::string key, Value v) { map_.emplace_back(std::move(key), std::move(v)); }

 private:
  explicit Value(Type t) : type_(t) {}
  Type type_ = Type::Null;
  int64_t int_ = 0;
  uint64_t big_ = 0;
  std::string str_;
  Entries map_;
  std::vector<Value> list_;
};

}  // namespace nln

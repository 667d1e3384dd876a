#include "value.h"

namespace nln {

Value& Value::set(const std::string& key, Value v) {
  for (auto& e : map_) {
    if (e.first == key) {
      e.second = std::move(v);
      return e.second;
    }
  }
  map_.emplace_back(key, std::move(v));
  return map_.back().second;
}

const Value* Value::get(const std::string& key) const {
  for (const auto& e : map_) {
    if (e.first == key) return &e.second;
  }
  return nullptr;
}

}  // namespace nln

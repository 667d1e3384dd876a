#include "spec.h"

namespace nln {

const AttrSet* SubMessageSpec::find(const std::string& key) const {
  for (const auto& c : choices) {
    if (key == c.first) return c.second;
  }
  return nullptr;
}

const AttrSpec* AttrSet::by_type(uint16_t type) const {
  for (const auto& a : attrs) {
    if (a.type == type) return &a;
  }
  return nullptr;
}

const AttrSpec* AttrSet::by_name(const std::string& name) const {
  for (const auto& a : attrs) {
    if (name == a.name) return &a;
  }
  return nullptr;
}

}  // namespace nln

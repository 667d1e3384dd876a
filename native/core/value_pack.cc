#include "value_pack.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>

#include "codec.h"

namespace nln {

namespace {

class Reader {
 public:
  Reader(const uint8_t* p, size_t len) : p_(p), end_(p + len) {}
  bool done() const { return p_ == end_; }

  Value value(int depth) {
    if (depth > 64) fail("nested too deeply");
    switch (static_cast<PackTag>(u8())) {
      case PackTag::Null: return Value();
      case PackTag::False: return Value::boolean(false);
      case PackTag::True: return Value::boolean(true);
      case PackTag::Number: {
        double d;
        read(&d, sizeof d);
        if (!std::isfinite(d) || std::floor(d) != d) fail("a number that is not an integer");
        // Outside int64's range the conversion is undefined: such numbers cross as bigints.
        if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) fail("a number outside the 64-bit range");
        return Value::integer(static_cast<int64_t>(d));
      }
      case PackTag::Big: {
        uint64_t u;
        read(&u, sizeof u);
        return Value::big(u);
      }
      case PackTag::String: return Value::string(text(u32()));
      case PackTag::Bytes: return Value::bytes(text(u32()));
      case PackTag::Map: {
        Value m = Value::map();
        uint32_t n = u32();
        m.reserve(std::min<size_t>(n, static_cast<size_t>(end_ - p_)));  // a count no larger than the bytes left
        for (; n > 0; --n) {
          std::string key = text(u8());
          m.append(std::move(key), value(depth + 1));
        }
        return m;
      }
      case PackTag::KeyTable:
      case PackTag::IndexedMap: fail("a tag only the addon writes");
      case PackTag::List: {
        Value l = Value::list();
        uint32_t n = u32();
        l.reserve(std::min<size_t>(n, static_cast<size_t>(end_ - p_)));
        for (; n > 0; --n) l.push(value(depth + 1));
        return l;
      }
    }
    fail("an unknown tag");
  }

 private:
  [[noreturn]] static void fail(const char* what) { throw CodecError(std::string("packed value: ") + what); }
  void read(void* out, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) fail("truncated");
    std::memcpy(out, p_, n);
    p_ += n;
  }
  uint8_t u8() {
    uint8_t v;
    read(&v, 1);
    return v;
  }
  uint32_t u32() {
    uint32_t v;
    read(&v, 4);
    return v;
  }
  std::string text(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) fail("truncated");
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  const uint8_t* p_;
  const uint8_t* end_;
};

void put(std::string* out, const void* p, size_t n) { out->append(static_cast<const char*>(p), n); }
void put_tag(std::string* out, PackTag t) { out->push_back(static_cast<char>(t)); }
void put_u32(std::string* out, size_t n) {
  uint32_t v = static_cast<uint32_t>(n);
  put(out, &v, 4);
}

class Packer {
 public:
  void value(const Value& v) {
    using T = Value::Type;
    switch (v.type()) {
      case T::Null: put_tag(&body_, PackTag::Null); return;
      case T::Bool: put_tag(&body_, v.as_bool() ? PackTag::True : PackTag::False); return;
      case T::Int: {
        put_tag(&body_, PackTag::Number);
        double d = static_cast<double>(v.as_int());
        put(&body_, &d, sizeof d);
        return;
      }
      case T::Big: {
        put_tag(&body_, PackTag::Big);
        uint64_t u = v.as_u64();
        put(&body_, &u, sizeof u);
        return;
      }
      case T::String:
      case T::Bytes:
        put_tag(&body_, v.type() == T::String ? PackTag::String : PackTag::Bytes);
        put_u32(&body_, v.as_string().size());
        body_.append(v.as_string());
        return;
      case T::Map:
        put_tag(&body_, PackTag::IndexedMap);
        put_u32(&body_, v.entries().size());
        for (const auto& e : v.entries()) {
          uint16_t k = key(e.first);
          put(&body_, &k, sizeof k);
          value(e.second);
        }
        return;
      case T::List:
        put_tag(&body_, PackTag::List);
        put_u32(&body_, v.items().size());
        for (const Value& item : v.items()) value(item);
        return;
    }
  }

  std::string take() {
    std::string out;
    put_tag(&out, PackTag::KeyTable);
    put_u32(&out, keys_.size());
    for (const std::string* k : keys_) {
      out.push_back(static_cast<char>(k->size()));
      out.append(*k);
    }
    out.append(body_);
    return out;
  }

 private:
  uint16_t key(const std::string& k) {
    // Attribute names come from the codec's tables: short, and a few hundred at most.
    if (k.size() > 255) throw CodecError("packed value: a key longer than 255 bytes");
    auto it = index_.find(k);
    if (it != index_.end()) return it->second;
    if (keys_.size() > 0xffff) throw CodecError("packed value: more than 65536 distinct keys");
    uint16_t i = static_cast<uint16_t>(keys_.size());
    keys_.push_back(&index_.emplace(k, i).first->first);
    return i;
  }
  std::string body_;
  std::unordered_map<std::string, uint16_t> index_;
  std::vector<const std::string*> keys_;
};

}  // namespace

std::string pack_values(const std::vector<Value>& values) {
  Packer p;
  for (const Value& v : values) p.value(v);
  return p.take();
}

std::vector<Value> unpack_values(const uint8_t* data, size_t len) {
  Reader r(data, len);
  std::vector<Value> out;
  while (!r.done()) out.push_back(r.value(0));
  return out;
}

}  // namespace nln

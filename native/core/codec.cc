#include "codec.h"

#include <arpa/inet.h>

#include <cstring>

namespace nln {

namespace {

uint64_t load(const uint8_t* p, uint8_t size, bool big_endian) {
  uint64_t v = 0;
  if (big_endian) {
    for (uint8_t i = 0; i < size; ++i) v = (v << 8) | p[i];
  } else {
    for (uint8_t i = size; i > 0; --i) v = (v << 8) | p[i - 1];
  }
  return v;
}

void store(uint8_t* p, uint8_t size, bool big_endian, uint64_t v) {
  for (uint8_t i = 0; i < size; ++i) {
    uint8_t byte = static_cast<uint8_t>(v >> (8 * i));
    p[big_endian ? size - 1 - i : i] = byte;
  }
}

constexpr int kMaxNesting = 32;

Value scalar(uint64_t raw, uint8_t size, bool is_signed) {
  if (size == 8) return Value::big(raw);
  if (is_signed) {
    int64_t s = static_cast<int64_t>(raw << (64 - 8 * size)) >> (64 - 8 * size);
    return Value::integer(s);
  }
  return Value::integer(static_cast<int64_t>(raw));
}

struct IntShape {
  uint8_t size;
  bool is_signed;
  bool big_endian;
};

bool int_shape(Kind k, IntShape* s) {
  switch (k) {
    case Kind::U8: *s = {1, false, false}; return true;
    case Kind::U16: *s = {2, false, false}; return true;
    case Kind::U32: *s = {4, false, false}; return true;
    case Kind::U64: *s = {8, false, false}; return true;
    case Kind::S32: *s = {4, true, false}; return true;
    case Kind::U16BE: *s = {2, false, true}; return true;
    case Kind::U32BE: *s = {4, false, true}; return true;
    case Kind::U64BE: *s = {8, false, true}; return true;
    default: return false;
  }
}

Value decode_one(const AttrSpec& spec, const uint8_t* p, size_t len, const Value& siblings) {
  IntShape is;
  if (int_shape(spec.kind, &is)) {
    if (len < is.size) return Value::bytes(std::string(reinterpret_cast<const char*>(p), len));
    return scalar(load(p, is.size, is.big_endian), is.size, is.is_signed);
  }
  switch (spec.kind) {
    case Kind::String:
    case Kind::Chars: {
      size_t n = strnlen(reinterpret_cast<const char*>(p), len);
      return Value::string(std::string(reinterpret_cast<const char*>(p), n));
    }
    case Kind::Binary: return Value::bytes(std::string(reinterpret_cast<const char*>(p), len));
    case Kind::Mac: return Value::string(format_mac(p, len));
    case Kind::IPAddr: return Value::string(format_ip(p, len));
    // Present = on; some kernels send such switches as a u8 instead, so a payload is read too.
    case Kind::Flag: return Value::boolean(len == 0 || p[0] != 0);
    case Kind::Nested: return decode_attrs(*spec.nested, p, len);
    case Kind::Struct: return decode_struct(*spec.st, p, len);
    case Kind::HeaderNested: {
      Value v = Value::map();
      size_t hlen = NLMSG_ALIGN(spec.st->size);
      v.set("header", decode_struct(*spec.st, p, len));
      v.set("attrs", len > hlen ? decode_attrs(*spec.nested, p + hlen, len - hlen) : Value::map());
      return v;
    }
    case Kind::SubMessage: {
      const Value* key = siblings.get(spec.sub->selector);
      const AttrSet* set = key && key->type() == Value::Type::String ? spec.sub->find(key->as_string())
                                                                     : nullptr;
      if (!set) return Value::bytes(std::string(reinterpret_cast<const char*>(p), len));
      return decode_attrs(*set, p, len);
    }
    case Kind::Nexthops: {
      // Each entry: rtnexthop (rtnh_len covers the header and its attributes), 4-byte aligned.
      Value list = Value::list();
      size_t off = 0;
      while (off + spec.st->size <= len) {
        uint16_t rtnh_len = static_cast<uint16_t>(load(p + off, 2, false));
        if (rtnh_len < spec.st->size || off + rtnh_len > len) break;
        Value hop = Value::map();
        hop.set("header", decode_struct(*spec.st, p + off, rtnh_len));
        hop.set("attrs", decode_attrs(*spec.nested, p + off + spec.st->size, rtnh_len - spec.st->size));
        list.push(std::move(hop));
        off += (rtnh_len + 3u) & ~3u;
      }
      return list;
    }
    default: return Value();
  }
}

[[noreturn]] void fail(const std::string& path, const char* what) {
  throw CodecError(path + ": " + what);
}

uint64_t want_int(const Value& v, const std::string& path) {
  switch (v.type()) {
    case Value::Type::Int:
    case Value::Type::Bool:
    case Value::Type::Big: return v.as_u64();
    default: fail(path, "expected an integer");
  }
}

// An integer that fits the field's width, read either way: -2^(bits-1) … 2^bits-1 (a signed
// field's negative values and an unsigned field's large ones both occur; what is wider is refused).
uint64_t want_int_of(const Value& v, const IntShape& is, const std::string& path) {
  uint64_t u = want_int(v, path);
  int bits = 8 * is.size;
  bool negative = v.type() == Value::Type::Int && v.as_int() < 0;
  bool fits = bits == 64 || (negative ? v.as_int() >= -(int64_t{1} << (bits - 1)) : u < (uint64_t{1} << bits));
  if (!fits) throw OutOfRange(path + ": " + (negative ? std::to_string(v.as_int()) : std::to_string(u)) + " does not fit in " + std::to_string(bits) + " bits");
  return u;
}

const std::string& want_string(const Value& v, const std::string& path) {
  if (v.type() != Value::Type::String && v.type() != Value::Type::Bytes) fail(path, "expected a string");
  return v.as_string();
}

void encode_one(MessageWriter& w, const AttrSpec& spec, const Value& v, const Value& siblings,
                bool nested_flag, const std::string& path) {
  IntShape is;
  if (int_shape(spec.kind, &is)) {
    uint8_t buf[8];
    store(buf, is.size, is.big_endian, want_int_of(v, is, path));
    w.attr(spec.type, buf, is.size);
    return;
  }
  switch (spec.kind) {
    case Kind::String:
    case Kind::Chars: {
      const std::string& s = want_string(v, path);
      w.attr(spec.type, s.c_str(), s.size() + (spec.kind == Kind::String ? 1 : 0));
      return;
    }
    case Kind::Binary: {
      const std::string& s = want_string(v, path);
      w.attr(spec.type, s.data(), s.size());
      return;
    }
    case Kind::Mac: {
      std::string raw;
      if (!parse_mac(want_string(v, path), &raw)) fail(path, "not a link-layer address");
      w.attr(spec.type, raw.data(), raw.size());
      return;
    }
    case Kind::IPAddr: {
      std::string raw;
      if (!parse_ip(want_string(v, path), &raw)) fail(path, "not an IP address");
      w.attr(spec.type, raw.data(), raw.size());
      return;
    }
    case Kind::Flag:
      if (v.type() == Value::Type::Bool && !v.as_bool()) return;  // false: leave it out
      w.attr(spec.type, nullptr, 0);
      return;
    case Kind::Nested: {
      size_t n = w.nest_begin(spec.type, nested_flag);
      encode_attrs(w, *spec.nested, v, nested_flag, path);
      if (w.bytes().size() - n > 0xffff) fail(path, "is larger than a netlink attribute can be (64 KiB)");
      w.nest_end(n);
      return;
    }
    case Kind::Struct: {
      size_t n = w.nest_begin(spec.type, false);  // a struct payload is not a nest: no flag
      encode_struct(w, *spec.st, v);
      w.nest_end(n);
      return;
    }
    case Kind::HeaderNested: {
      size_t n = w.nest_begin(spec.type, false);
      const Value* h = v.get("header");
      encode_struct(w, *spec.st, h ? *h : Value::map());
      if (const Value* a = v.get("attrs")) encode_attrs(w, *spec.nested, *a, nested_flag, path + ".attrs");
      w.nest_end(n);
      return;
    }
    case Kind::SubMessage: {
      const Value* key = siblings.get(spec.sub->selector);
      const AttrSet* set = key && key->type() == Value::Type::String ? spec.sub->find(key->as_string())
                                                                     : nullptr;
      if (!set) fail(path, "no attribute table for this kind");
      size_t n = w.nest_begin(spec.type, nested_flag);
      encode_attrs(w, *set, v, nested_flag, path);
      w.nest_end(n);
      return;
    }
    case Kind::Nexthops: {
      if (v.type() != Value::Type::List) fail(path, "expected a list of next hops");
      size_t n = w.nest_begin(spec.type, false);
      for (const auto& hop : v.items()) {
        size_t start = w.bytes().size();
        const Value* h = hop.get("header");
        encode_struct(w, *spec.st, h ? *h : Value::map());
        if (const Value* a = hop.get("attrs")) encode_attrs(w, *spec.nested, *a, nested_flag, path);
        w.patch_length(start);  // rtnh_len
      }
      w.nest_end(n);
      return;
    }
    default: fail(path, "cannot encode this attribute");
  }
}

}  // namespace

Value decode_struct(const StructSpec& spec, const uint8_t* data, size_t len) {
  Value v = Value::map();
  for (const auto& f : spec.fields) {
    if (f.offset + f.size > len) break;  // an older kernel's shorter struct: fields it lacks stay absent
    v.append(f.name, scalar(load(data + f.offset, f.size, f.big_endian), f.size, f.is_signed));
  }
  return v;
}

void encode_struct(MessageWriter& w, const StructSpec& spec, const Value& v) {
  std::string buf(spec.size, '\0');
  for (const auto& f : spec.fields) {
    const Value* fv = v.get(f.name);
    if (!fv) continue;
    store(reinterpret_cast<uint8_t*>(&buf[f.offset]), f.size, f.big_endian,
          want_int_of(*fv, IntShape{f.size, f.is_signed, f.big_endian}, std::string(spec.name) + "." + f.name));
  }
  w.put(buf.data(), buf.size());
}

Value decode_attrs(const AttrSet& set, const uint8_t* data, size_t len) {
  Value out = Value::map();
  // Nests can recurse (a veth's peer carries link attributes, linkinfo among them): a reply nested
  // deeper than any the kernel sends is left undecoded there, never followed down the stack.
  static thread_local int depth = 0;
  if (depth >= kMaxNesting) return out;
  struct Deeper {
    Deeper() { ++depth; }
    ~Deeper() { --depth; }
  } deeper;
  AttrIterator it(data, len);
  uint16_t type;
  const uint8_t* p;
  size_t n;
  bool has_sub = false;
  while (it.next(&type, &p, &n)) {
    const AttrSpec* spec = set.by_type(type);
    if (!spec) continue;  // newer kernels add attributes: skip what we do not know
    if (spec->kind == Kind::SubMessage) {
      has_sub = true;  // decoded below, once its selector sibling is known
      continue;
    }
    Value v = decode_one(*spec, p, n, out);
    if (spec->multi) {
      // Appended in place: a reply repeating one attribute many times decodes in linear time.
      Value* list = out.find(spec->name);
      if (!list) list = &out.set(spec->name, Value::list());
      list->push(std::move(v));
    } else if (out.get(spec->name)) {
      out.set(spec->name, std::move(v));  // a repeated single attribute: the last one counts
    } else {
      out.append(spec->name, std::move(v));
    }
  }
  if (has_sub) {
    AttrIterator again(data, len);
    while (again.next(&type, &p, &n)) {
      const AttrSpec* spec = set.by_type(type);
      if (spec && spec->kind == Kind::SubMessage) out.set(spec->name, decode_one(*spec, p, n, out));
    }
  }
  return out;
}

void encode_attrs(MessageWriter& w, const AttrSet& set, const Value& attrs, bool nested_flag,
                  const std::string& path) {
  if (attrs.type() != Value::Type::Map) fail(path, "expected an object of attributes");
  for (const auto& e : attrs.entries()) {
    std::string sub = path.empty() ? e.first : path + "." + e.first;
    if (e.second.is_null()) continue;  // undefined/null in JS: attribute left out
    const AttrSpec* spec = set.by_name(e.first);
    if (!spec) fail(sub, (std::string("not an attribute of ") + set.name).c_str());
    if (spec->multi && e.second.type() == Value::Type::List) {
      for (const auto& item : e.second.items()) encode_one(w, *spec, item, attrs, nested_flag, sub);
    } else {
      encode_one(w, *spec, e.second, attrs, nested_flag, sub);
    }
  }
}

void encode_message(MessageWriter& w, int protocol, const Value& msg) {
  const Value* type = msg.get("type");
  if (!type) fail("message", "missing type");
  const MessageSpec* spec = find_message_spec(protocol, static_cast<uint16_t>(want_int(*type, "type")));
  if (!spec) fail("message", "no table for this message type");
  const Value* flags = msg.get("flags");
  size_t off = w.begin(static_cast<uint16_t>(want_int(*type, "type")),
                       static_cast<uint16_t>(flags ? want_int(*flags, "flags") : 0));
  const Value* header = msg.get("header");
  if (spec->header) encode_struct(w, *spec->header, header ? *header : Value::map());
  if (const Value* attrs = msg.get("attrs")) encode_attrs(w, *spec->attrs, *attrs, spec->nested_flag, "");
  w.end(off);
}

Value decode_message(int protocol, const nlmsghdr* h) {
  Value v = Value::map();
  v.set("type", Value::integer(h->nlmsg_type));
  v.set("flags", Value::integer(h->nlmsg_flags));
  v.set("seq", Value::integer(h->nlmsg_seq));
  const uint8_t* p = static_cast<const uint8_t*>(NLMSG_DATA(h));
  size_t len = h->nlmsg_len > NLMSG_HDRLEN ? h->nlmsg_len - NLMSG_HDRLEN : 0;
  const MessageSpec* spec = find_message_spec(protocol, h->nlmsg_type);
  if (!spec) {
    v.set("payload", Value::bytes(std::string(reinterpret_cast<const char*>(p), len)));
    return v;
  }
  size_t hlen = spec->header ? NLMSG_ALIGN(spec->header->size) : 0;
  if (spec->header) v.set("header", decode_struct(*spec->header, p, len));
  v.set("attrs", len > hlen ? decode_attrs(*spec->attrs, p + hlen, len - hlen) : Value::map());
  return v;
}

std::string format_mac(const uint8_t* p, size_t len) {
  static const char hex[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < len; ++i) {
    if (i) s += ':';
    s += hex[p[i] >> 4];
    s += hex[p[i] & 15];
  }
  return s;
}

bool parse_mac(const std::string& s, std::string* out) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out->clear();
  size_t i = 0;
  for (;;) {
    if (i + 2 > s.size()) return false;
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
    if (i == s.size()) return true;
    if (s[i] != ':') return false;
    ++i;
  }
}

std::string format_ip(const uint8_t* p, size_t len) {
  char buf[INET6_ADDRSTRLEN];
  if (len == 4 && inet_ntop(AF_INET, p, buf, sizeof buf)) return buf;
  if (len == 16 && inet_ntop(AF_INET6, p, buf, sizeof buf)) return buf;
  return format_mac(p, len);
}

bool parse_ip(const std::string& s, std::string* out) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    out->assign(reinterpret_cast<char*>(buf), 4);
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    out->assign(reinterpret_cast<char*>(buf), 16);
    return true;
  }
  return false;
}

}  // namespace nln

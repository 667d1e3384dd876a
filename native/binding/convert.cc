#include "convert.h"

#include <cmath>
#include <vector>

namespace nln_binding {

// Raw N-API calls, one napi_typeof per value and property keys reused as napi_values: building a
// rule's message visits ~100 values, and the C++ wrappers' extra checks dominated its cost.
namespace {

// Where a value sits in the message, for error messages only: spelled out when one is thrown.
struct Where {
  const Where* parent;
  std::string key;  // a property name, or "[i]"
  std::string str() const {
    std::string up = parent ? parent->str() : "";
    if (key.empty()) return up;
    if (key[0] == '[' || up.empty()) return up + key;
    return up + "." + key;
  }
};

nln::Value convert(napi_env env, napi_value v, const Where& where);

}  // namespace

nln::Value from_js(const Napi::Value& value, const std::string& path) {
  return convert(value.Env(), value, Where{nullptr, path});
}

namespace {

nln::Value convert(napi_env env, napi_value v, const Where& where) {
  napi_valuetype type;
  napi_typeof(env, v, &type);
  switch (type) {
    case napi_undefined:
    case napi_null: return nln::Value();
    case napi_boolean: {
      bool b;
      napi_get_value_bool(env, v, &b);
      return nln::Value::boolean(b);
    }
    case napi_number: {
      double d;
      napi_get_value_double(env, v, &d);
      if (!std::isfinite(d) || std::floor(d) != d)
        throw Napi::TypeError::New(env, where.str() + ": expected an integer, got " + std::to_string(d));
      return nln::Value::integer(static_cast<int64_t>(d));
    }
    case napi_bigint: {
      uint64_t u;
      bool lossless;
      napi_get_value_bigint_uint64(env, v, &u, &lossless);
      return nln::Value::big(u);
    }
    case napi_string: {
      size_t len;
      napi_get_value_string_utf8(env, v, nullptr, 0, &len);
      std::string s(len, '\0');
      napi_get_value_string_utf8(env, v, &s[0], len + 1, &len);
      return nln::Value::string(std::move(s));
    }
    case napi_object: {
      bool is;
      napi_is_buffer(env, v, &is);
      if (is) {
        void* data;
        size_t len;
        napi_get_buffer_info(env, v, &data, &len);
        return nln::Value::bytes(std::string(static_cast<const char*>(data), len));
      }
      napi_is_array(env, v, &is);
      if (is) {
        uint32_t n;
        napi_get_array_length(env, v, &n);
        nln::Value out = nln::Value::list();
        for (uint32_t i = 0; i < n; ++i) {
          napi_value item;
          napi_get_element(env, v, i, &item);
          out.push(convert(env, item, Where{&where, "[" + std::to_string(i) + "]"}));
        }
        return out;
      }
      napi_value keys;
      napi_get_property_names(env, v, &keys);
      uint32_t n;
      napi_get_array_length(env, keys, &n);
      nln::Value out = nln::Value::map();
      char name[128];
      for (uint32_t i = 0; i < n; ++i) {
        // A scope per property: a large batch would otherwise pile up handles until it returns.
        Napi::HandleScope scope(env);
        napi_value key, item;
        napi_get_element(env, keys, i, &key);
        napi_get_property(env, v, key, &item);
        napi_valuetype t;
        napi_typeof(env, item, &t);
        if (t == napi_undefined) continue;  // an option left out
        size_t len;
        napi_get_value_string_utf8(env, key, name, sizeof name, &len);
        std::string k(name, len);
        out.append(k, convert(env, item, Where{&where, k}));
      }
      return out;
    }
    default: throw Napi::TypeError::New(env, where.str() + ": unsupported value type");
  }
}

}  // namespace

Napi::Value to_js(Napi::Env env, const nln::Value& v) {
  using T = nln::Value::Type;
  switch (v.type()) {
    case T::Null: return env.Null();
    case T::Bool: return Napi::Boolean::New(env, v.as_bool());
    case T::Int: return Napi::Number::New(env, static_cast<double>(v.as_int()));
    case T::Big: return Napi::BigInt::New(env, v.as_u64());
    case T::String: return Napi::String::New(env, v.as_string());
    case T::Bytes: return Napi::Buffer<char>::Copy(env, v.as_string().data(), v.as_string().size());
    case T::List: {
      Napi::Array a = Napi::Array::New(env, v.items().size());
      for (size_t i = 0; i < v.items().size(); ++i) a.Set(static_cast<uint32_t>(i), to_js(env, v.items()[i]));
      return a;
    }
    case T::Map: {
      // One napi_define_properties per object: far cheaper than a Set per key for the
      // hundreds of attributes a link dump carries.
      std::vector<napi_property_descriptor> props;
      props.reserve(v.entries().size());
      for (const auto& e : v.entries()) {
        napi_property_descriptor d{};
        d.utf8name = e.first.c_str();
        d.value = to_js(env, e.second);
        d.attributes = static_cast<napi_property_attributes>(napi_writable | napi_enumerable | napi_configurable);
        props.push_back(d);
      }
      Napi::Object o = Napi::Object::New(env);
      napi_status st = napi_define_properties(env, o, props.size(), props.data());
      NAPI_THROW_IF_FAILED(env, st, Napi::Value());
      return o;
    }
  }
  return env.Undefined();
}

}  // namespace nln_binding

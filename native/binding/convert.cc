#include "convert.h"

#include <cmath>
#include <vector>

namespace nln_binding {

nln::Value from_js(const Napi::Value& v, const std::string& path) {
  Napi::Env env = v.Env();
  if (v.IsNull() || v.IsUndefined()) return nln::Value();
  if (v.IsBoolean()) return nln::Value::boolean(v.As<Napi::Boolean>().Value());
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || std::floor(d) != d)
      throw Napi::TypeError::New(env, path + ": expected an integer, got " + std::to_string(d));
    return nln::Value::integer(static_cast<int64_t>(d));
  }
  if (v.IsBigInt()) {
    bool lossless;
    return nln::Value::big(v.As<Napi::BigInt>().Uint64Value(&lossless));
  }
  if (v.IsString()) return nln::Value::string(v.As<Napi::String>().Utf8Value());
  if (v.IsBuffer()) {
    auto b = v.As<Napi::Buffer<char>>();
    return nln::Value::bytes(std::string(b.Data(), b.Length()));
  }
  if (v.IsArray()) {
    auto a = v.As<Napi::Array>();
    nln::Value out = nln::Value::list();
    for (uint32_t i = 0; i < a.Length(); ++i) out.push(from_js(a.Get(i), path + "[" + std::to_string(i) + "]"));
    return out;
  }
  if (v.IsObject()) {
    auto o = v.As<Napi::Object>();
    Napi::Array keys = o.GetPropertyNames();
    nln::Value out = nln::Value::map();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
      std::string k = keys.Get(i).As<Napi::String>().Utf8Value();
      out.set(k, from_js(o.Get(k), path.empty() ? k : path + "." + k));
    }
    return out;
  }
  throw Napi::TypeError::New(env, path + ": unsupported value type");
}

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

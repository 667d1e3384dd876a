// netnsCreate/netnsOpen/netnsOpenFd/netnsDelete, tunCreate, sysctls and TCP sockets: namespace and device-file
// work, run on the pool threads and answered through the completer.
#include "netns_functions.h"

#include "../core/netns_io.h"
#include "../core/tun.h"
#include "../core/pool.h"
#include "namespace_wrap.h"

#include <thread>

namespace nln_binding {

namespace {

std::shared_ptr<AddonState> state_of(Napi::Env env) { return *env.GetInstanceData<std::shared_ptr<AddonState>>(); }

// Runs work on a pool thread; then, on the JS thread, resolves with settle(env) or rejects.
template <typename Result>
Napi::Value run(Napi::Env env, std::function<nln::Status(Result*)> work,
                std::function<Napi::Value(Napi::Env, Result&, const std::shared_ptr<AddonState>&)> settle) {
  auto state = state_of(env);
  auto deferred = Napi::Promise::Deferred::New(env);
  state->completer.expect(env);
  nln::pool_post([state, deferred, work, settle] {
    auto result = std::make_shared<Result>();
    nln::Status s = work(result.get());
    state->completer.post([state, deferred, s, result, settle](Napi::Env env) {
      if (s.ok()) {
        deferred.Resolve(settle(env, *result, state));
      } else {
        deferred.Reject(make_error(env, s).Value());
      }
    });
  });
  return deferred.Promise();
}

Napi::Value Undefined(Napi::Env env, int&, const std::shared_ptr<AddonState>&) { return env.Undefined(); }

Napi::Value wrap_handle(Napi::Env env, nln::NetnsHandle& h, const std::shared_ptr<AddonState>& state) {
  return NamespaceWrap::Wrap(env, state, std::make_shared<nln::Namespace>(h));
}

Napi::Value Create(const Napi::CallbackInfo& info) {
  std::string name = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  Napi::Env env = info.Env();
  auto state = state_of(env);
  auto deferred = Napi::Promise::Deferred::New(env);
  state->completer.expect(env);
  nln::Namespace::create(name, nullptr, [state, deferred](const nln::Status& s, std::shared_ptr<nln::Namespace> ns) {
    state->completer.post([state, deferred, s, ns = std::move(ns)](Napi::Env env) {
      if (s.ok()) deferred.Resolve(NamespaceWrap::Wrap(env, state, ns));
      else deferred.Reject(make_error(env, s).Value());
    });
  });
  return deferred.Promise();
}

Napi::Value Open(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>().Utf8Value();
  return run<nln::NetnsHandle>(
      info.Env(), [path](nln::NetnsHandle* h) { return nln::netns_open(path, h); }, wrap_handle);
}

Napi::Value OpenFd(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  return run<nln::NetnsHandle>(
      info.Env(), [fd](nln::NetnsHandle* h) { return nln::netns_open_fd(fd, h); }, wrap_handle);
}

Napi::Value Delete(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return run<int>(info.Env(), [name](int*) { return nln::netns_delete(name); }, Undefined);
}

// The namespace a call works in, held until the call is done: its fd stays that namespace's even
// if the handle is closed meanwhile (the call is then refused, never sent somewhere else).
// Null when the handle is closed: the call is then answered by closed_handle().
std::shared_ptr<nln::Namespace> held(const Napi::Value& v) {
  return v.IsObject() ? NamespaceWrap::Unwrap(v.As<Napi::Object>())->shared() : nullptr;
}

Napi::Value closed_handle(Napi::Env env) {
  auto deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(make_error(env, nln::Status::fail(EBADF, "the namespace handle is closed")).Value());
  return deferred.Promise();
}

// Runs work(fd) on a pool thread with the namespace's fd, unless the handle was closed first.
template <typename Result>
std::function<nln::Status(Result*)> in(std::shared_ptr<nln::Namespace> ns, std::function<nln::Status(int, Result*)> work) {
  return [ns, work](Result* r) {
    if (ns->closed()) return nln::Status::fail(EBADF, "the namespace handle was closed before the call ran");
    return work(ns->fd(), r);
  };
}

// tunCreate(ns, name, { tap, multiQueue, vnetHdr, pi, owner, group })
Napi::Value TunCreate(const Napi::CallbackInfo& info) {
  auto ns = held(info[0]);
  if (!ns) return closed_handle(info.Env());
  std::string name = info[1].As<Napi::String>().Utf8Value();
  Napi::Object o = info[2].As<Napi::Object>();
  nln::TunOptions opts;
  opts.tap = o.Get("tap").ToBoolean();
  opts.multi_queue = o.Get("multiQueue").ToBoolean();
  opts.vnet_hdr = o.Get("vnetHdr").ToBoolean();
  opts.pi = o.Get("pi").ToBoolean();
  if (o.Get("owner").IsNumber()) opts.owner = o.Get("owner").As<Napi::Number>().Int64Value();
  if (o.Get("group").IsNumber()) opts.group = o.Get("group").As<Napi::Number>().Int64Value();
  return run<int>(info.Env(), in<int>(ns, [name, opts](int nsfd, int*) { return nln::tun_create(nsfd, name, opts); }), Undefined);
}

// sysctlGet(ns, path) -> string; sysctlSet(ns, path, value)
Napi::Value SysctlGet(const Napi::CallbackInfo& info) {
  auto ns = held(info[0]);
  if (!ns) return closed_handle(info.Env());
  std::string path = info[1].As<Napi::String>().Utf8Value();
  return run<std::string>(
      info.Env(), in<std::string>(ns, [path](int nsfd, std::string* v) { return nln::sysctl_read(nsfd, path, v); }),
      [](Napi::Env env, std::string& v, const std::shared_ptr<AddonState>&) -> Napi::Value { return Napi::String::New(env, v); });
}

Napi::Value SysctlSet(const Napi::CallbackInfo& info) {
  auto ns = held(info[0]);
  if (!ns) return closed_handle(info.Env());
  std::string path = info[1].As<Napi::String>().Utf8Value();
  std::string value = info[2].As<Napi::String>().Utf8Value();
  return run<int>(info.Env(), in<int>(ns, [path, value](int nsfd, int*) { return nln::sysctl_write(nsfd, path, value); }), Undefined);
}

Napi::Value FdNumber(Napi::Env env, int& fd, const std::shared_ptr<AddonState>&) { return Napi::Number::New(env, fd); }

// tcpListen(ns, host, port, backlog) -> fd
Napi::Value TcpListen(const Napi::CallbackInfo& info) {
  auto ns = held(info[0]);
  if (!ns) return closed_handle(info.Env());
  std::string host = info[1].As<Napi::String>().Utf8Value();
  int port = info[2].As<Napi::Number>().Int32Value();
  int backlog = info[3].As<Napi::Number>().Int32Value();
  return run<int>(info.Env(), in<int>(ns, [=](int nsfd, int* fd) { return nln::tcp_listen(nsfd, host, port, backlog, fd); }), FdNumber);
}

// tcpConnect(ns, host, port, timeoutMs) -> fd. The socket is made on a pool thread; the wait for
// the connection runs on a thread of its own, so a slow peer holds up no other call.
Napi::Value TcpConnect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ns = held(info[0]);
  if (!ns) return closed_handle(info.Env());
  std::string host = info[1].As<Napi::String>().Utf8Value();
  int port = info[2].As<Napi::Number>().Int32Value();
  int timeout = info[3].As<Napi::Number>().Int32Value();
  auto state = state_of(env);
  auto deferred = Napi::Promise::Deferred::New(env);
  state->completer.expect(env);
  auto settle = [state, deferred](nln::Status s, int fd) {
    state->completer.post([deferred, s, fd](Napi::Env env) {
      if (s.ok()) deferred.Resolve(Napi::Number::New(env, fd));
      else deferred.Reject(make_error(env, s).Value());
    });
  };
  nln::pool_post([=] {
    int fd = -1;
    nln::Status s = in<int>(ns, [&](int nsfd, int* out) { return nln::tcp_connect_start(nsfd, host, port, out); })(&fd);
    if (!s.ok()) return settle(s, -1);
    std::thread([=] { settle(nln::tcp_connect_wait(fd, host, port, timeout), fd); }).detach();
  });
  return deferred.Promise();
}

}  // namespace

void define_netns_functions(Napi::Env env, Napi::Object exports) {
  exports.Set("netnsCreate", Napi::Function::New<Create>(env));
  exports.Set("netnsOpen", Napi::Function::New<Open>(env));
  exports.Set("netnsOpenFd", Napi::Function::New<OpenFd>(env));
  exports.Set("netnsDelete", Napi::Function::New<Delete>(env));
  exports.Set("tunCreate", Napi::Function::New<TunCreate>(env));
  exports.Set("sysctlGet", Napi::Function::New<SysctlGet>(env));
  exports.Set("sysctlSet", Napi::Function::New<SysctlSet>(env));
  exports.Set("tcpListen", Napi::Function::New<TcpListen>(env));
  exports.Set("tcpConnect", Napi::Function::New<TcpConnect>(env));
}

}  // namespace nln_binding

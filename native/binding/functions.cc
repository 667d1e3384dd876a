// The module's functions: namespaces made, opened and deleted; tun devices, sysctl files, TCP and
// multicast netlink sockets made inside a namespace; chains; a unix socket's peer; flock. Each
// async one runs on the pool threads and answers through a Pending.
#include <errno.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>

#include "../core/chain.h"
#include "../core/inside.h"
#include "../core/pool.h"
#include "addon.h"

namespace nln_binding {

namespace {

// Runs work on a pool thread; resolves with make(env, result) (null without make), or rejects.
// Given a namespace handle v (not an empty Value), work gets its fd, the namespace held until it
// is done (its fd stays that namespace's even if the handle is closed meanwhile: the call is then
// refused, never sent somewhere else).
template <typename R>
Napi::Value on_pool(Napi::Env env, Napi::Value v, std::function<nln::Status(int, R*)> work, std::function<Napi::Value(Napi::Env, const R&)> make = nullptr) {
  Pending p(env);
  bool in_ns = !v.IsEmpty();
  auto ns = in_ns ? namespace_of(v) : nullptr;
  nln::pool_post([p, in_ns, ns, work = std::move(work), make = std::move(make)] {
    auto r = std::make_shared<R>();
    nln::Status s = in_ns && (!ns || ns->closed()) ? nln::Status::fail(EBADF, "the namespace handle is closed") : work(ns ? ns->fd() : -1, r.get());
    p.settle(s, make ? Pending::Make([r, make](Napi::Env env) { return make(env, *r); }) : nullptr);
  });
  return p.promise();
}

Napi::Value wrap(Napi::Env env, const std::shared_ptr<nln::NetnsFd>& fd) { return wrap_namespace(env, std::make_shared<nln::Namespace>(fd)); }
// An fd made on a pool thread for JS: closed here unless it reached JS (its Worker may end first,
// and the answer is then dropped with the fd in it).
struct FdForJs {
  mutable int fd = -1;
  ~FdForJs() {
    if (fd >= 0) ::close(fd);
  }
};
Napi::Value hand_over(Napi::Env env, const FdForJs& r) { return Napi::Number::New(env, std::exchange(r.fd, -1)); }
std::string string_at(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::String>().Utf8Value(); }
int int_at(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }

// netnsCreate(name?) -> NativeNamespace (anonymous without a name)
Napi::Value Create(const Napi::CallbackInfo& info) {
  Pending p(info.Env());
  nln::Namespace::create(info[0].IsString() ? string_at(info, 0) : "", nullptr, [p](const nln::Status& s, std::shared_ptr<nln::Namespace> ns) {
    p.settle(s, [ns](Napi::Env env) { return wrap_namespace(env, ns); });
  });
  return p.promise();
}

Napi::Value Open(const Napi::CallbackInfo& info) {
  std::string path = string_at(info, 0);
  return on_pool<std::shared_ptr<nln::NetnsFd>>(info.Env(), Napi::Value(), [path](int, std::shared_ptr<nln::NetnsFd>* fd) { return nln::netns_open(path, fd); }, wrap);
}

Napi::Value Delete(const Napi::CallbackInfo& info) {
  std::string name = string_at(info, 0);
  return on_pool<int>(info.Env(), Napi::Value(), [name](int, int*) { return nln::netns_delete(name); });
}

// tunCreate(ns, name, flags, owner, group)
Napi::Value TunCreate(const Napi::CallbackInfo& info) {
  std::string name = string_at(info, 1);
  int flags = int_at(info, 2);
  int64_t owner = info[3].As<Napi::Number>().Int64Value(), group = info[4].As<Napi::Number>().Int64Value();
  return on_pool<int>(info.Env(), info[0], [=](int nsfd, int*) { return nln::tun_create(nsfd, name, flags, owner, group); });
}

// openIn(ns, path, write) -> fd: a /proc/sys file opened inside the namespace, for Node to read or write.
Napi::Value OpenIn(const Napi::CallbackInfo& info) {
  std::string path = string_at(info, 1);
  bool write = info[2].ToBoolean();
  return on_pool<FdForJs>(info.Env(), info[0], [path, write](int nsfd, FdForJs* r) { return nln::open_in(nsfd, path, write, &r->fd); }, hand_over);
}

// tcpSocket(ns, sockaddr (a Buffer), backlog) -> fd: listening when backlog > 0; else for Node to connect.
Napi::Value TcpSocket(const Napi::CallbackInfo& info) {
  auto b = info[1].As<Napi::Buffer<char>>();
  std::string address(b.Data(), b.Length());
  int backlog = int_at(info, 2);
  return on_pool<FdForJs>(info.Env(), info[0], [=](int nsfd, FdForJs* r) { return nln::tcp_socket_in(nsfd, address, backlog, &r->fd); }, hand_over);
}

// subscribe(ns, protocol, groups) -> a NativeSubscription: a socket there joined to multicast groups.
Napi::Value Subscribe(const Napi::CallbackInfo& info) {
  int protocol = int_at(info, 1);
  std::vector<uint32_t> groups;
  Napi::Array list = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); ++i) groups.push_back(list.Get(i).As<Napi::Number>().Uint32Value());
  using Socket = std::shared_ptr<nln::NetlinkSocket>;
  return on_pool<Socket>(info.Env(), info[0], [=](int nsfd, Socket* s) {
    *s = std::make_shared<nln::NetlinkSocket>();
    return nln::subscribe_in(nsfd, protocol, groups, s->get());
  }, wrap_subscription);
}

// chain([{ create: NAME, sysctls: [[PATH, VALUE]] } (step 0 only) | { ns (null: the namespace step 0 made), protocol,
//          messages (netlink messages back to back, a Buffer), patches, fds }])
//   patches: a Uint32Array of records [message, offset, from, fromMessage, attr, headerSize]; from
//   is an earlier step, or PATCH_FROM_FD: the fd of fds[fromMessage] (null: of the namespace step 0
//   made). A record naming a message its step lacks is a TypeError; the rest is checked as it is
//   applied (chain.cc), and is then its message's refusal.
//   -> per step, per message, its replies (netlink bytes), its refusal, or null when an earlier
//      refusal kept it from being sent. A namespace step 0 made stays, by its name.
constexpr uint32_t kPatchFromFd = 0xfffffffe, kPatchWords = 6;
Napi::Value Chain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array js_steps = info[0].As<Napi::Array>();
  std::vector<nln::ChainStep> steps(js_steps.Length());
  auto held = [env](const Napi::Value& v) {
    auto ns = namespace_of(v);
    if (!ns) throw make_error(env, nln::Status::fail(EBADF, "a namespace handle the chain needs is closed"));
    return ns;
  };
  for (uint32_t k = 0; k < js_steps.Length(); ++k) {
    Napi::Object s = js_steps.Get(k).As<Napi::Object>();
    nln::ChainStep& step = steps[k];
    if (s.Get("create").IsString()) {
      if (k != 0) throw Napi::RangeError::New(env, "only the first step of a chain may create a namespace");
      step.create = s.Get("create").As<Napi::String>().Utf8Value();
      Napi::Array pairs = s.Get("sysctls").As<Napi::Array>();
      for (uint32_t i = 0; i < pairs.Length(); ++i) {
        Napi::Array pair = pairs.Get(i).As<Napi::Array>();
        step.sysctls.emplace_back(pair.Get(0u).As<Napi::String>().Utf8Value(), pair.Get(1u).As<Napi::String>().Utf8Value());
      }
      continue;
    }
    if (s.Get("ns").IsObject()) step.ns = held(s.Get("ns"));
    else if (steps[0].create.empty()) throw Napi::TypeError::New(env, "a chain step names the created namespace, but none is created");
    step.protocol = s.Get("protocol").As<Napi::Number>().Int32Value();
    std::vector<size_t> at;
    std::string all = messages_of(s.Get("messages"), 0, &at);
    for (size_t i = 0; i < at.size(); ++i) step.messages.push_back(all.substr(at[i], (i + 1 < at.size() ? at[i + 1] : all.size()) - at[i]));
    Napi::Uint32Array r = s.Get("patches").As<Napi::Uint32Array>();
    for (size_t j = 0; j + kPatchWords <= r.ElementLength(); j += kPatchWords) {
      nln::ChainPatch patch{r[j], r[j + 1], r[j + 2], r[j + 3], static_cast<uint16_t>(r[j + 4]), r[j + 5]};
      if (patch.message >= step.messages.size()) throw Napi::TypeError::New(env, "a chain patch names a message its step lacks");
      if ((patch.fd = patch.from_step == kPatchFromFd)) {
        Napi::Value ns = s.Get("fds").As<Napi::Array>().Get(patch.from_message);
        if (!ns.IsNull()) patch.fd_of = held(ns);
      }
      step.patches.push_back(std::move(patch));
    }
  }
  Pending p(env);
  nln::run_chain(std::move(steps), [p](std::vector<std::vector<nln::ChainAnswer>>&& answers, std::shared_ptr<nln::Namespace> created) {
    // A namespace step 0 made is left to its name (/run/netns): the chain's handle on it goes.
    if (created) created->shutdown();
    auto out = std::make_shared<std::vector<std::vector<nln::ChainAnswer>>>(std::move(answers));
    p.settle({}, [out](Napi::Env env) {
      Napi::Array steps = Napi::Array::New(env, out->size());
      for (uint32_t k = 0; k < out->size(); ++k) {
        Napi::Array a = Napi::Array::New(env, (*out)[k].size());
        for (uint32_t i = 0; i < (*out)[k].size(); ++i) {
          nln::ChainAnswer& x = (*out)[k][i];
          a.Set(i, !x.sent ? env.Null() : !x.status.ok() ? make_error(env, x.status, x.replies).Value() : to_buffer(env, std::move(x.replies)));
        }
        steps.Set(k, a);
      }
      return steps;
    });
  });
  return p.promise();
}

// peerCredentials(fd): who is at the other end of a connected unix socket, as the kernel recorded
// at connect() (SO_PEERCRED) with the peer's supplementary groups (SO_PEERGROUPS). Node cannot
// read either; the CNI daemon decides from them whom it serves. Synchronous: two getsockopt calls.
Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = int_at(info, 0);  // a non-number throws (node-addon-api checks each conversion)
  struct ucred cred {};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) throw make_error(env, nln::Status::fail(errno, "getsockopt(SO_PEERCRED)"));
  // SO_PEERGROUPS answers ERANGE with the size it needs (the groups, recorded at connect, do not
  // change). Anything else: not a unix socket with a peer, no groups to report.
  socklen_t glen = 0;
  std::vector<gid_t> groups;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, nullptr, &glen) < 0 && errno == ERANGE) {
    groups.resize(glen / sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &glen) < 0) glen = 0;
    groups.resize(glen / sizeof(gid_t));
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, cred.pid));
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  Napi::Array list = Napi::Array::New(env, groups.size());
  for (uint32_t i = 0; i < groups.size(); i++) list.Set(i, Napi::Number::New(env, groups[i]));
  out.Set("groups", list);
  return out;
}

// flock(fd, exclusive): one non-blocking flock(2) on an fd the caller opened, true when it is had,
// false when another open file description holds a conflicting lock (EWOULDBLOCK). Node has no
// flock; host-local locks its store with it, and our plugin must exclude it. LOCK_NB keeps it
// fit for the JS thread: the caller retries on timers rather than block the event loop.
// The lock belongs to the open file description: closing the fd releases it.
Napi::Value Flock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int op = (info[1].As<Napi::Boolean>().Value() ? LOCK_EX : LOCK_SH) | LOCK_NB;
  int rc;
  do rc = flock(int_at(info, 0), op);
  while (rc < 0 && errno == EINTR);
  if (rc < 0 && errno != EWOULDBLOCK) throw make_error(env, nln::Status::fail(errno, "flock"));
  return Napi::Boolean::New(env, rc == 0);
}

}  // namespace

void define_functions(Napi::Env env, Napi::Object exports) {
  exports.Set("netnsCreate", Napi::Function::New<Create>(env));
  exports.Set("netnsOpen", Napi::Function::New<Open>(env));
  exports.Set("netnsDelete", Napi::Function::New<Delete>(env));
  exports.Set("tunCreate", Napi::Function::New<TunCreate>(env));
  exports.Set("openIn", Napi::Function::New<OpenIn>(env));
  exports.Set("tcpSocket", Napi::Function::New<TcpSocket>(env));
  exports.Set("subscribe", Napi::Function::New<Subscribe>(env));
  exports.Set("chain", Napi::Function::New<Chain>(env));
  exports.Set("peerCredentials", Napi::Function::New<PeerCredentials>(env));
  exports.Set("flock", Napi::Function::New<Flock>(env));
}

}  // namespace nln_binding

// peerCredentials(fd): who is at the other end of a connected unix socket, as the kernel recorded
// at connect() (SO_PEERCRED) with the peer's supplementary groups (SO_PEERGROUPS). Node cannot
// read either; the CNI daemon decides from them whom it serves. Synchronous: two getsockopt calls.
#include "peer_credentials.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <vector>

namespace nln_binding {

namespace {

Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) {
    Napi::TypeError::New(env, "peerCredentials: fd must be a number").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct ucred cred {};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
    Napi::Error e = Napi::Error::New(env, std::string("getsockopt(SO_PEERCRED): ") + strerror(errno));
    e.Set("errno", Napi::Number::New(env, errno));
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  // SO_PEERGROUPS answers ERANGE with the size it needs when the buffer is too small.
  std::vector<gid_t> groups(16);
  for (;;) {
    socklen_t glen = groups.size() * sizeof(gid_t);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &glen) == 0) {
      groups.resize(glen / sizeof(gid_t));
      break;
    }
    if (errno != ERANGE || glen / sizeof(gid_t) <= groups.size()) {
      groups.clear();  // not a unix socket with a peer: no groups to report
      break;
    }
    groups.resize(glen / sizeof(gid_t));
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, cred.pid));
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  Napi::Array list = Napi::Array::New(env, groups.size());
  for (size_t i = 0; i < groups.size(); i++) list.Set(static_cast<uint32_t>(i), Napi::Number::New(env, groups[i]));
  out.Set("groups", list);
  return out;
}

}  // namespace

void define_peer_credentials(Napi::Env env, Napi::Object exports) {
  exports.Set("peerCredentials", Napi::Function::New(env, PeerCredentials, "peerCredentials"));
}

}  // namespace nln_binding

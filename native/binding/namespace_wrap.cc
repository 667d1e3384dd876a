#include "namespace_wrap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>

#include "messages.h"
#include "subscription_wrap.h"

namespace nln_binding {

namespace {
struct WrapArgs {
  std::shared_ptr<AddonState> state;
  std::shared_ptr<nln::Namespace> ns;
};
}  // namespace

Napi::Function NamespaceWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeNamespace", {
      InstanceMethod<&NamespaceWrap::Request>("request"),
      InstanceMethod<&NamespaceWrap::Batch>("batch"),
      InstanceMethod<&NamespaceWrap::Subscribe>("subscribe"),
      InstanceMethod<&NamespaceWrap::Close>("close"),
      InstanceMethod<&NamespaceWrap::LendFd>("lendFd"),
      InstanceAccessor<&NamespaceWrap::Inode>("inode"),
  });
}

Napi::Object NamespaceWrap::Wrap(Napi::Env env, const std::shared_ptr<AddonState>& state,
                                 std::shared_ptr<nln::Namespace> ns) {
  state->track(ns);
  WrapArgs args{state, std::move(ns)};
  return state->namespace_class.New({Napi::External<WrapArgs>::New(env, &args)});
}

NamespaceWrap::NamespaceWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NamespaceWrap>(info) {
  if (info.Length() != 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(info.Env(), "NativeNamespace is made by netns functions only");
  WrapArgs* args = info[0].As<Napi::External<WrapArgs>>().Data();
  state_ = args->state;
  ns_ = args->ns;
}

NamespaceWrap::~NamespaceWrap() {
  // Collected without close(): what it queued is still answered (to no one).
  if (!ns_) return;
  state_->untrack(ns_.get());
  ns_->shutdown();
}

// request(protocol, one netlink message) -> Promise<its replies (netlink bytes), or null for a bare ACK>
Napi::Value NamespaceWrap::Request(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int protocol = info[0].As<Napi::Number>().Int32Value();
  std::vector<std::string> messages = messages_of(info[1]);
  if (messages.size() != 1) throw Napi::TypeError::New(env, "request: expected one netlink message");
  auto req = std::make_unique<nln::Request>();
  req->message = std::move(messages[0]);
  // What the message's own flags say: a dump runs alone on its socket (channel.cc).
  req->dump = (reinterpret_cast<const nlmsghdr*>(req->message.data())->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
  return Submit(env, protocol, std::move(req));
}

// batch(protocol, netlink messages, sentinel message) -> Promise<replies>; a refusal carries the
// message's index.
Napi::Value NamespaceWrap::Batch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int protocol = info[0].As<Napi::Number>().Int32Value();
  auto req = std::make_unique<nln::Request>();
  req->batch = messages_of(info[1]);
  std::vector<std::string> sentinel = messages_of(info[2]);
  if (sentinel.size() != 1) throw Napi::TypeError::New(env, "batch: expected one sentinel message");
  req->message = std::move(sentinel[0]);
  return Submit(env, protocol, std::move(req));
}

Napi::Value NamespaceWrap::Submit(Napi::Env env, int protocol, std::unique_ptr<nln::Request> req) {
  auto deferred = Napi::Promise::Deferred::New(env);
  if (!ns_) {
    deferred.Reject(make_error(env, nln::Status::fail(EBADF, "the namespace handle is closed")).Value());
    return deferred.Promise();
  }
  state_->completer.expect(env);
  // The state, not a pointer into it: the answer may come after the environment is gone.
  req->done = [state = state_, deferred](nln::Outcome&& out) {
    Completer* completer = &state->completer;
    if (out.status.ok() && out.replies.empty()) {
      // Acknowledged, nothing more (most changes): nothing to decode, pack or copy.
      completer->post([deferred](Napi::Env env) { deferred.Resolve(env.Null()); });
      return;
    }
    auto replies = std::make_shared<std::string>(std::move(out.replies));
    nln::Status status = out.status;
    int failed = out.failed_index;
    completer->post([deferred, status, replies, failed](Napi::Env env) {
      if (!status.ok()) {
        Napi::Error e = make_error(env, status, *replies);
        if (failed >= 0) e.Set("index", Napi::Number::New(env, failed));
        deferred.Reject(e.Value());
        return;
      }
      deferred.Resolve(to_buffer(env, std::move(*replies)));
    });
  };
  std::vector<std::unique_ptr<nln::Request>> one;
  one.push_back(std::move(req));
  ns_->submit(protocol, std::move(one));
  return deferred.Promise();
}

// subscribe(protocol, groups) -> Promise<NativeSubscription>: a socket in this namespace joined to
// the kernel's multicast groups.
Napi::Value NamespaceWrap::Subscribe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int protocol = info[0].As<Napi::Number>().Int32Value();
  Napi::Array list = info[1].As<Napi::Array>();
  std::vector<uint32_t> groups;
  for (uint32_t i = 0; i < list.Length(); ++i) groups.push_back(list.Get(i).As<Napi::Number>().Uint32Value());
  auto deferred = Napi::Promise::Deferred::New(env);
  if (!ns_ || ns_->closed()) {
    deferred.Reject(make_error(env, nln::Status::fail(EBADF, "the namespace handle is closed")).Value());
    return deferred.Promise();
  }
  state_->completer.expect(env);
  nln::Subscription::open(ns_->fd_holder(), protocol, std::move(groups), [state = state_, deferred](nln::Status s, std::shared_ptr<nln::Subscription> sub) {
    state->completer.post([state, deferred, s, sub](Napi::Env env) {
      if (s.ok()) deferred.Resolve(SubscriptionWrap::Wrap(env, state, sub));
      else deferred.Reject(make_error(env, s).Value());
    });
  });
  return deferred.Promise();
}

Napi::Value NamespaceWrap::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto deferred = Napi::Promise::Deferred::New(env);
  if (!ns_) {
    deferred.Resolve(env.Undefined());
    return deferred.Promise();
  }
  state_->untrack(ns_.get());
  auto ns = std::move(ns_);
  state_->completer.expect(env);
  ns->shutdown([state = state_, deferred] {
    state->completer.post([deferred](Napi::Env env) { deferred.Resolve(env.Undefined()); });
  });
  return deferred.Promise();
}

// lendFd() -> a new fd on the namespace (close-on-exec), the caller's to close: for a child
// process to inherit, never the handle's own (which close() may give back to the system).
Napi::Value NamespaceWrap::LendFd(const Napi::CallbackInfo& info) {
  int fd = ns_ && !ns_->closed() ? fcntl(ns_->fd(), F_DUPFD_CLOEXEC, 0) : -1;
  if (fd < 0) throw make_error(info.Env(), ns_ ? nln::Status::fail(errno, "dup the namespace fd") : nln::Status::fail(EBADF, "the namespace handle is closed"));
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value NamespaceWrap::Inode(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ns_ ? static_cast<double>(ns_->inode()) : 0);
}

}  // namespace nln_binding

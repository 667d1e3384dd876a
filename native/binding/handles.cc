// NativeNamespace and NativeSubscription: the handles the addon gives out. Both are made only by
// the addon, tracked so environment teardown closes them, and closed when collected unclosed.
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>

#include "addon.h"

namespace nln_binding {

namespace {

const nln::Status kClosed = nln::Status::fail(EBADF, "the namespace handle is closed");

// What both handles share: the core object they hold (null once closed), and its tracking.
// Core::end closes it without waiting.
template <typename Self, typename Core>
class Handle : public Napi::ObjectWrap<Self> {
 public:
  explicit Handle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Self>(info) {
    if (info.Length() != 1 || !info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "made by the addon only");
    state_ = state_of(info.Env());
    core_ = *info[0].As<Napi::External<std::shared_ptr<Core>>>().Data();
    state_->track(core_.get(), [weak = std::weak_ptr<Core>(core_)] {
      if (auto c = weak.lock()) Self::end(*c);
    });
  }
  ~Handle() override {
    if (auto c = take()) Self::end(*c);
  }
  static Napi::Value make(Napi::FunctionReference& cls, Napi::Env env, std::shared_ptr<Core> core) {
    return cls.New({Napi::External<std::shared_ptr<Core>>::New(env, &core)});
  }
  std::shared_ptr<Core> core() const { return core_; }

 protected:
  // The core object, untracked: this handle is closed from now on.
  std::shared_ptr<Core> take() {
    if (core_) state_->untrack(core_.get());
    return std::move(core_);
  }
  std::shared_ptr<AddonState> state_;
  std::shared_ptr<Core> core_;
};

class SubscriptionWrap : public Handle<SubscriptionWrap, nln::Subscription> {
 public:
  using Handle::Handle;
  static void end(nln::Subscription& s) { s.close(); }

  // read(wait = true) -> the announcements queued (netlink bytes; without wait, maybe none).
  Napi::Value Read(const Napi::CallbackInfo& info) {
    Pending p(info.Env());
    if (!core_) p.settle(nln::Status::fail(EBADF, "the subscription is closed"));
    else core_->read([p](nln::Status s, std::string bytes) {
      auto data = std::make_shared<std::string>(std::move(bytes));
      p.settle(s, [data](Napi::Env env) { return to_buffer(env, std::move(*data)); });
    }, info.Length() < 1 || info[0].ToBoolean());
    return p.promise();
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (auto s = take()) s->close();  // a read waiting is answered EBADF
    return info.Env().Undefined();
  }
};

class NamespaceWrap : public Handle<NamespaceWrap, nln::Namespace> {
 public:
  using Handle::Handle;
  static void end(nln::Namespace& ns) { ns.shutdown(); }  // what it queued is still answered, to no one

  // request(protocol, one netlink message) -> its replies (netlink bytes), or null for a bare ACK
  Napi::Value Request(const Napi::CallbackInfo& info) {
    auto req = std::make_unique<nln::Request>();
    req->message = messages_of(info[1], 1);
    return Submit(info, std::move(req));
  }
  // batch(protocol, netlink messages, sentinel) -> replies; a refusal carries the message's index.
  Napi::Value Batch(const Napi::CallbackInfo& info) {
    auto req = std::make_unique<nln::Request>();
    req->batch = messages_of(info[1]);
    req->message = messages_of(info[2], 1);
    return Submit(info, std::move(req));
  }
  Napi::Value Submit(const Napi::CallbackInfo& info, std::unique_ptr<nln::Request> req) {
    int protocol = info[0].As<Napi::Number>().Int32Value();
    Pending p(info.Env());
    if (!core_) {
      p.settle(kClosed);
      return p.promise();
    }
    req->done = [p](nln::Outcome&& out) {
      if (!out.status.ok()) return p.settle(out.status, nullptr, std::move(out.replies), out.failed_index);
      // Acknowledged, nothing more (most changes): nothing to copy.
      if (out.replies.empty()) return p.settle({}, [](Napi::Env env) { return env.Null(); });
      auto replies = std::make_shared<std::string>(std::move(out.replies));
      p.settle({}, [replies](Napi::Env env) { return to_buffer(env, std::move(*replies)); });
    };
    std::vector<std::unique_ptr<nln::Request>> one;
    one.push_back(std::move(req));
    core_->submit(protocol, std::move(one));
    return p.promise();
  }
  // subscribe(protocol, groups) -> a NativeSubscription: a socket here joined to multicast groups.
  Napi::Value Subscribe(const Napi::CallbackInfo& info) {
    int protocol = info[0].As<Napi::Number>().Int32Value();
    Napi::Array list = info[1].As<Napi::Array>();
    std::vector<uint32_t> groups;
    for (uint32_t i = 0; i < list.Length(); ++i) groups.push_back(list.Get(i).As<Napi::Number>().Uint32Value());
    Pending p(info.Env());
    if (!core_ || core_->closed()) {
      p.settle(kClosed);
      return p.promise();
    }
    nln::Subscription::open(core_->fd_holder(), protocol, std::move(groups), [p](nln::Status s, std::shared_ptr<nln::Subscription> sub) {
      p.settle(s, [sub](Napi::Env env) { return SubscriptionWrap::make(state_of(env)->subscription_class, env, sub); });
    });
    return p.promise();
  }
  // close(): what was queued is still answered, then it resolves.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    Pending p(info.Env());
    auto ns = take();
    if (!ns) p.settle({});
    else ns->shutdown([p] { p.settle({}); });
    return p.promise();
  }
  // lendFd() -> a new close-on-exec fd on the namespace, the caller's to close: for a child
  // process to inherit, never the handle's own (which close() may give back to the system).
  Napi::Value LendFd(const Napi::CallbackInfo& info) {
    int fd = core_ && !core_->closed() ? fcntl(core_->fd(), F_DUPFD_CLOEXEC, 0) : -1;
    if (fd < 0) throw make_error(info.Env(), core_ ? nln::Status::fail(errno, "dup the namespace fd") : kClosed);
    return Napi::Number::New(info.Env(), fd);
  }
  Napi::Value Inode(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), core_ ? static_cast<double>(core_->inode()) : 0);
  }
};

}  // namespace

Napi::Function define_namespace_class(Napi::Env env) {
  return NamespaceWrap::DefineClass(env, "NativeNamespace", {
      NamespaceWrap::InstanceMethod<&NamespaceWrap::Request>("request"),
      NamespaceWrap::InstanceMethod<&NamespaceWrap::Batch>("batch"),
      NamespaceWrap::InstanceMethod<&NamespaceWrap::Subscribe>("subscribe"),
      NamespaceWrap::InstanceMethod<&NamespaceWrap::Close>("close"),
      NamespaceWrap::InstanceMethod<&NamespaceWrap::LendFd>("lendFd"),
      NamespaceWrap::InstanceAccessor<&NamespaceWrap::Inode>("inode"),
  });
}

Napi::Function define_subscription_class(Napi::Env env) {
  return SubscriptionWrap::DefineClass(env, "NativeSubscription", {
      SubscriptionWrap::InstanceMethod<&SubscriptionWrap::Read>("read"),
      SubscriptionWrap::InstanceMethod<&SubscriptionWrap::Close>("close"),
  });
}

Napi::Value wrap_namespace(Napi::Env env, std::shared_ptr<nln::Namespace> ns) {
  return NamespaceWrap::make(state_of(env)->namespace_class, env, std::move(ns));
}

std::shared_ptr<nln::Namespace> namespace_of(const Napi::Value& handle) {
  return handle.IsObject() ? NamespaceWrap::Unwrap(handle.As<Napi::Object>())->core() : nullptr;
}

}  // namespace nln_binding

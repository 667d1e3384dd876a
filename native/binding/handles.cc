// NativeNamespace and NativeSubscription: the handles the addon gives out. Both are made only by
// the addon, tracked so environment teardown closes them, and closed when collected unclosed.
#include <errno.h>
#include <fcntl.h>
#include <uv.h>

#include <mutex>
#include <optional>

#include "../core/exchange.h"
#include "../core/pool.h"
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
    state_->open[core_.get()] = [weak = std::weak_ptr<Core>(core_)] {
      if (auto c = weak.lock()) Self::end(*c);
    };
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
    if (core_) state_->open.erase(core_.get());
    return std::move(core_);
  }
  std::shared_ptr<AddonState> state_;
  std::shared_ptr<Core> core_;
};

// A subscription's socket. The JS thread's event loop tells when it is readable (uv_poll: its
// epoll, waiting on nothing else); every receive runs on a pool thread (pool_post), answered
// through Pending. A read in progress holds the Feed: a handle closed mid-read leaves it the
// socket, closed by its last holder (NetlinkSocket::close: on a pool thread either way).
struct Feed {
  std::shared_ptr<nln::NetlinkSocket> sock;
  nln::RxBuffer rx;
  std::mutex mu;  // one read at a time: answers settle in the order they were read
};

// Resolves with what has queued (null: nothing), read_announcements on a pool thread.
void read_on_pool(const std::shared_ptr<Feed>& feed, const Pending& p) {
  nln::pool_post([feed, p] {
    std::lock_guard<std::mutex> lock(feed->mu);
    std::string out;
    nln::Status s = nln::read_announcements(*feed->sock, feed->rx, &out);  // before out is moved
    p.settle(s, nullptr, std::move(out));
  });
}

// JS thread only.
struct Listener {
  std::shared_ptr<Feed> feed;
  uv_poll_t* poll = nullptr;
  std::optional<Pending> waiting;  // a read(wait) the socket's readiness answers

  // status: libuv says EBADF for POLLERR, the socket's own error (ENOBUFS after an overrun): the
  // read reports it.
  static void readable(uv_poll_t* h, int, int) {
    auto* l = static_cast<Listener*>(h->data);
    uv_poll_stop(h);
    read_on_pool(l->feed, *l->waiting);
    l->waiting.reset();
  }
  void close() {  // a read waiting is answered EBADF
    if (waiting) waiting->settle(nln::Status::fail(EBADF, "the subscription is closed"));
    waiting.reset();
    if (poll) uv_close(reinterpret_cast<uv_handle_t*>(poll), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    poll = nullptr;
    feed.reset();
  }
};

class SubscriptionWrap : public Handle<SubscriptionWrap, Listener> {
 public:
  using Handle::Handle;
  static void end(Listener& l) { l.close(); }

  // read(wait = true) -> the announcements queued (netlink bytes), or null: none yet (without
  // wait), or a wake for nothing kept (a forged datagram; the caller reads again).
  Napi::Value Read(const Napi::CallbackInfo& info) {
    Pending p(info.Env());
    bool wait = info.Length() < 1 || info[0].ToBoolean();
    int polled = 0;
    if (!core_) p.settle(nln::Status::fail(EBADF, "the subscription is closed"));
    else if (core_->waiting) p.settle(nln::Status::fail(EBUSY, "a read is already waiting on this subscription"));
    else if (!wait) read_on_pool(core_->feed, p);
    else if ((polled = uv_poll_start(core_->poll, UV_READABLE, Listener::readable)) < 0) p.settle(nln::Status::fail(-polled, "poll"));
    else core_->waiting = p;
    return p.promise();
  }
  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (auto l = take()) l->close();
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
    req->done = [p](nln::Outcome&& out) { p.settle(out.status, nullptr, std::move(out.replies), out.failed_index); };
    std::vector<std::unique_ptr<nln::Request>> one;
    one.push_back(std::move(req));
    if (core_) core_->submit(protocol, std::move(one));
    else one[0]->done(nln::Outcome{kClosed, {}});
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

Napi::Value wrap_subscription(Napi::Env env, const std::shared_ptr<nln::NetlinkSocket>& sock) {
  auto l = std::make_shared<Listener>();
  l->feed = std::make_shared<Feed>();
  l->feed->sock = sock;
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  l->poll = new uv_poll_t;
  l->poll->data = l.get();
  int err = uv_poll_init(loop, l->poll, sock->fd());
  if (err < 0) {
    delete l->poll;
    throw make_error(env, nln::Status::fail(-err, "uv_poll_init"));
  }
  return SubscriptionWrap::make(state_of(env)->subscription_class, env, std::move(l));
}

std::shared_ptr<nln::Namespace> namespace_of(const Napi::Value& handle) {
  return handle.IsObject() ? NamespaceWrap::Unwrap(handle.As<Napi::Object>())->core() : nullptr;
}

}  // namespace nln_binding

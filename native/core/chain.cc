#include "chain.h"

#include <errno.h>
#include <sched.h>

#include <atomic>
#include <map>
#include <utility>

#include "chain_patch.h"
#include "codec.h"
#include "exchange.h"
#include "message.h"
#include "netns_io.h"

namespace nln {

namespace {

struct Chain : std::enable_shared_from_this<Chain> {
  std::vector<ChainStep> steps;
  std::vector<std::vector<ChainAnswer>> answers;
  ChainDone done;
  std::atomic<size_t> pending{0};
  std::shared_ptr<Namespace> created;
  // A chain that created its namespace: sockets of its own thread in the other namespaces it
  // touches, by (namespace, protocol), opened before the thread unshared.
  std::map<std::pair<const Namespace*, int>, std::unique_ptr<Exchanger>> own;
  // While one of `own` exchanges, its receive loop is walking its buffer: a step answered then is
  // carried on only once the exchange has returned, since carrying on may end the chain and free
  // that exchanger (a refused creation did, and the loop read freed memory).
  bool exchanging = false;
  bool answered_while_exchanging = false;

  void start(size_t k);
  void answered(size_t k);
  Status open_own_sockets();
  void finish() {
    own.clear();
    ChainDone tell = std::move(done);
    tell(std::move(answers), std::move(created));
  }
};

}  // namespace

// The integer `name` of an answer: from its first reply that carries it as an attribute.
bool attribute_of(const ChainAnswer& a, const std::string& name, int64_t* out) {
  for (const Value& reply : a.replies) {
    const Value* attrs = reply.get("attrs");
    const Value* v = attrs ? attrs->get(name) : nullptr;
    if (v && v->type() == Value::Type::Int) {
      *out = v->as_int();
      return true;
    }
  }
  return false;
}

Status Chain::open_own_sockets() {
  for (const ChainStep& step : steps) {
    if (!step.ns || own.count({step.ns.get(), step.protocol})) continue;
    if (setns(step.ns->fd(), CLONE_NEWNET) < 0) return Status::fail(errno, "setns into a namespace the chain uses");
    auto ex = std::make_unique<Exchanger>();
    Status s = ex->open(step.protocol);
    if (!s.ok()) return s;
    own[{step.ns.get(), step.protocol}] = std::move(ex);
  }
  return {};
}

Status apply(const ChainPatch& p, Value* message, const std::vector<std::vector<ChainAnswer>>& answers,
             const Namespace* created) {
  int64_t v = 0;
  bool found = false;
  if (p.fd_of) {
    v = p.fd_of->fd();
    found = v >= 0;
  } else if (p.from_step == 0 && p.from_attr == "fd" && created) {
    v = created->fd();
    found = true;
  } else if (p.from_step < answers.size() && p.from_message < answers[p.from_step].size()) {
    found = attribute_of(answers[p.from_step][p.from_message], p.from_attr, &v);
  }
  if (p.to.empty() || !found) {
    return Status::fail(EPROTO, "the kernel's answer lacked \"" + p.from_attr + "\", which a later request needs");
  }
  Value* at = message;
  for (size_t i = 0; i + 1 < p.to.size(); ++i) {
    Value* next = at->find(p.to[i]);
    at = next ? next : &at->set(p.to[i], Value::map());
  }
  at->set(p.to.back(), Value::integer(v));
  return {};
}

void Chain::start(size_t k) {
  if (k == steps.size()) return finish();
  ChainStep& step = steps[k];
  std::vector<ChainAnswer>& out = answers[k];
  // Patched and encoded only now: the values come from the answers just received.
  Status bad;
  size_t bad_message = 0;
  for (const ChainPatch& p : step.patches) {
    bad = p.message < step.messages.size() ? apply(p, &step.messages[p.message], answers, created.get())
                                           : Status::fail(EINVAL, "a patch names a message the step lacks");
    if (!bad.ok()) {
      bad_message = p.message < out.size() ? p.message : 0;
      break;
    }
  }
  // Where the step goes: the made namespace's channel (this very thread, for rtnetlink), a socket
  // of this thread's own, or the step's namespace's channel.
  Namespace* target = step.ns ? step.ns.get() : created.get();
  Exchanger* mine = nullptr;
  if (created && step.ns) {
    auto it = own.find({step.ns.get(), step.protocol});
    mine = it == own.end() ? nullptr : it->second.get();
  }
  if (bad.ok() && !mine && !target) bad = Status::fail(EBADF, "the namespace handle is closed");
  std::vector<std::unique_ptr<Request>> requests;
  for (size_t i = 0; bad.ok() && i < step.messages.size(); ++i) {
    auto req = std::make_unique<Request>();
    try {
      MessageWriter w;
      encode_message(w, step.protocol, step.messages[i]);
      req->message = w.take();
    } catch (const CodecError& e) {
      bad = Status::fail(EINVAL, e.what());
      bad_message = i;
      break;
    }
    reinterpret_cast<nlmsghdr*>(&req->message[0])->nlmsg_flags |= NLM_F_ACK;
    auto self = shared_from_this();
    int protocol = step.protocol;
    req->done = [self, k, i, protocol](Outcome&& o) {
      ChainAnswer& a = self->answers[k][i];
      a.sent = true;
      a.status = o.status;
      for (const auto& r : o.replies) a.replies.push_back(decode_message(protocol, reinterpret_cast<const nlmsghdr*>(r.data())));
      if (--self->pending != 0) return;
      if (self->exchanging) {
        self->answered_while_exchanging = true;
      } else {
        self->answered(k);
      }
    };
    requests.push_back(std::move(req));
  }
  if (!bad.ok() || out.empty()) {
    if (!out.empty()) {
      out[bad_message].sent = true;  // it is the one reported; nothing of this step went out
      out[bad_message].status = bad;
    }
    return bad.ok() ? start(k + 1) : finish();
  }
  pending = requests.size();
  if (mine) {
    exchanging = true;
    answered_while_exchanging = false;
    mine->exchange(requests);  // here and now
    exchanging = false;
    if (answered_while_exchanging) answered(k);
  } else {
    target->submit(step.protocol, std::move(requests));  // together: one sendmsg for the step
  }
}

void Chain::answered(size_t k) {
  for (const ChainAnswer& a : answers[k]) {
    if (!a.status.ok()) return finish();  // later steps are not sent
  }
  start(k + 1);
}

void run_chain(std::vector<ChainStep> steps, ChainDone done) {
  auto chain = std::make_shared<Chain>();
  chain->answers.resize(steps.size());
  for (size_t k = 0; k < steps.size(); ++k) {
    chain->answers[k].resize(steps[k].create.empty() ? steps[k].messages.size() : 1 + steps[k].sysctls.size());
  }
  chain->steps = std::move(steps);
  chain->done = std::move(done);
  if (chain->steps.empty() || chain->steps[0].create.empty()) return chain->start(0);
  Namespace::create(
      chain->steps[0].create,
      [chain](const Status& s, std::shared_ptr<Namespace> ns) {
        // On the new namespace's rtnetlink channel thread, inside it, before it serves anything.
        chain->created = std::move(ns);
        ChainAnswer& a = chain->answers[0][0];
        a.sent = true;
        a.status = s;
        if (!s.ok()) return chain->finish();
        const auto& sysctls = chain->steps[0].sysctls;
        for (size_t i = 0; i < sysctls.size(); ++i) {
          ChainAnswer& w = chain->answers[0][1 + i];
          w.sent = true;
          w.status = sysctl_write_here(sysctls[i].first, sysctls[i].second);
          if (!w.status.ok()) return chain->finish();
        }
        chain->start(1);
      },
      [chain] { return chain->open_own_sockets(); });
}

}  // namespace nln

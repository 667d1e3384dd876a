#include "chain.h"

#include <errno.h>

#include <atomic>

#include "codec.h"
#include "message.h"

namespace nln {

namespace {

struct Chain : std::enable_shared_from_this<Chain> {
  std::vector<ChainStep> steps;
  std::vector<std::vector<ChainAnswer>> answers;
  ChainDone done;
  std::atomic<size_t> pending{0};

  void start(size_t k);
  void answered(size_t k);
  void finish() {
    ChainDone tell = std::move(done);
    tell(std::move(answers));
  }
};

// The integer attribute `name` of an answer: from its first reply that carries it.
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

Status apply(const ChainPatch& p, Value* message, const std::vector<std::vector<ChainAnswer>>& answers) {
  int64_t v = 0;
  if (p.to.empty() || p.from_step >= answers.size() || p.from_message >= answers[p.from_step].size() ||
      !attribute_of(answers[p.from_step][p.from_message], p.from_attr, &v)) {
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
    bad = p.message < step.messages.size() ? apply(p, &step.messages[p.message], answers)
                                           : Status::fail(EINVAL, "a patch names a message the step lacks");
    if (!bad.ok()) {
      bad_message = p.message < out.size() ? p.message : 0;
      break;
    }
  }
  Channel* ch = step.ns ? step.ns->channel(step.protocol) : nullptr;
  if (bad.ok() && !ch) bad = Status::fail(EBADF, "the namespace handle is closed");
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
    auto self = shared_from_this();
    int protocol = step.protocol;
    req->done = [self, k, i, protocol](Outcome&& o) {
      ChainAnswer& a = self->answers[k][i];
      a.sent = true;
      a.status = o.status;
      for (const auto& r : o.replies) a.replies.push_back(decode_message(protocol, reinterpret_cast<const nlmsghdr*>(r.data())));
      if (--self->pending == 0) self->answered(k);
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
  ch->submit_all(std::move(requests));  // together: one sendmsg for the step
}

void Chain::answered(size_t k) {
  for (const ChainAnswer& a : answers[k]) {
    if (!a.status.ok()) return finish();  // later steps are not sent
  }
  start(k + 1);
}

}  // namespace

void run_chain(std::vector<ChainStep> steps, ChainDone done) {
  auto chain = std::make_shared<Chain>();
  chain->answers.resize(steps.size());
  for (size_t k = 0; k < steps.size(); ++k) chain->answers[k].resize(steps[k].messages.size());
  chain->steps = std::move(steps);
  chain->done = std::move(done);
  chain->start(0);
}

}  // namespace nln

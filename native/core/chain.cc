#include "chain.h"

#include <errno.h>

#include <atomic>
#include <cstring>
#include <utility>

#include "netlink.h"
#include "inside.h"

namespace nln {

namespace {

struct Chain : std::enable_shared_from_this<Chain> {
  std::vector<ChainStep> steps;
  std::vector<std::vector<ChainAnswer>> answers;
  ChainDone done;
  std::atomic<size_t> pending{0};
  std::shared_ptr<Namespace> created;
  // The current step's own channel in an existing namespace (Namespace::take_lane), given back
  // once the step is answered.
  std::shared_ptr<Channel> lane;

  void start(size_t k);
  void answered(size_t k);
  void finish() {
    ChainDone tell = std::move(done);
    tell(std::move(answers), std::move(created));
  }
};

}  // namespace

bool attribute_of(const std::string& replies, size_t header_size, uint16_t attr, uint32_t* out) {
  bool found = false;
  for_each_message(reinterpret_cast<const uint8_t*>(replies.data()), replies.size(), [&](const nlmsghdr* h) {
    const uint8_t* base = reinterpret_cast<const uint8_t*>(h);
    for (size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(header_size); !found && off + NLA_HDRLEN <= h->nlmsg_len;) {
      nlattr a;
      std::memcpy(&a, base + off, sizeof a);
      if (a.nla_len < NLA_HDRLEN || a.nla_len > h->nlmsg_len - off) return;  // malformed: not read on
      if ((a.nla_type & NLA_TYPE_MASK) == attr && a.nla_len >= NLA_HDRLEN + sizeof *out) {
        std::memcpy(out, base + off + NLA_HDRLEN, sizeof *out);
        found = true;
      }
      off += NLA_ALIGN(a.nla_len);
    }
  });
  return found;
}

Status apply(const ChainPatch& p, std::string* message, const std::vector<std::vector<ChainAnswer>>& answers,
             const Namespace* created) {
  uint32_t v = 0;
  bool found = false;
  if (p.fd) {
    const Namespace* ns = p.fd_of ? p.fd_of.get() : created;
    if ((found = ns != nullptr)) v = static_cast<uint32_t>(ns->fd());
  } else if (p.from_step < answers.size() && p.from_message < answers[p.from_step].size()) {
    found = attribute_of(answers[p.from_step][p.from_message].replies, p.header_size, p.attr, &v);
  }
  if (!found) return Status::fail(EPROTO, "the kernel's answer lacked attribute " + std::to_string(p.attr) + ", which a later request needs");
  if (p.offset > message->size() || message->size() - p.offset < sizeof v) return Status::fail(EINVAL, "a patch lies outside its message");
  std::memcpy(&(*message)[p.offset], &v, sizeof v);
  return {};
}

void Chain::start(size_t k) {
  if (k == steps.size()) return finish();
  ChainStep& step = steps[k];
  // Patched only now: the values come from the answers just received. A patch that cannot be
  // applied is its message's refusal; nothing of the step is sent.
  for (const ChainPatch& p : step.patches) {
    Status s = apply(p, &step.messages[p.message], answers, created.get());
    if (!s.ok()) {
      answers[k][p.message] = {true, s, {}};
      return finish();
    }
  }
  if (step.messages.empty()) return start(k + 1);
  std::vector<std::unique_ptr<Request>> requests;
  for (size_t i = 0; i < step.messages.size(); ++i) {
    auto req = std::make_unique<Request>();
    req->message = std::move(step.messages[i]);
    req->done = [self = shared_from_this(), k, i](Outcome&& o) {
      self->answers[k][i] = {true, std::move(o.status), std::move(o.replies)};
      if (--self->pending == 0) self->answered(k);
    };
    requests.push_back(std::move(req));
  }
  pending = requests.size();
  // Together: one sendmsg for the step. The namespace this chain made is the chain's alone; in
  // another, the step takes a channel of its own (none after a close: then each is refused EBADF).
  if (!lane && step.ns) lane = step.ns->take_lane(step.protocol);
  if (!lane) return (step.ns ? step.ns : created)->submit(step.protocol, std::move(requests));
  auto held = lane;  // alive while it drains here: answering may give `lane` back and take another
  held->submit_all(std::move(requests));
}

void Chain::answered(size_t k) {
  bool refused = false;  // then later steps are not sent
  for (const ChainAnswer& a : answers[k]) refused = refused || !a.status.ok();
  // A next step in the same namespace keeps this one's lane: no socket taken in between.
  const ChainStep* next = k + 1 < steps.size() ? &steps[k + 1] : nullptr;
  bool keep = !refused && next && next->ns && next->ns == steps[k].ns && next->protocol == steps[k].protocol && !next->messages.empty();
  if (lane && !keep) steps[k].ns->give_back(steps[k].protocol, std::move(lane));
  if (refused) return finish();
  start(k + 1);
}

void run_chain(std::vector<ChainStep> steps, ChainDone done) {
  auto chain = std::make_shared<Chain>();
  for (const ChainStep& s : steps) chain->answers.emplace_back(s.create.empty() ? s.messages.size() : 1);
  chain->steps = std::move(steps);
  chain->done = std::move(done);
  if (chain->steps.empty() || chain->steps[0].create.empty()) return chain->start(0);
  Namespace::create(
      chain->steps[0].create,
      [chain]() -> Status {
        for (const auto& [path, value] : chain->steps[0].sysctls) {
          Status s = sysctl_write_here(path, value);
          if (!s.ok()) return s;
        }
        return {};
      },
      [chain](const Status& s, std::shared_ptr<Namespace> ns) {
        chain->created = std::move(ns);
        chain->answers[0][0] = {true, s, {}};
        if (!s.ok()) return chain->finish();
        chain->start(1);
      });
}

}  // namespace nln

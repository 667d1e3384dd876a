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
  if (p.fd_of) {
    found = p.fd_of->fd() >= 0;
    v = static_cast<uint32_t>(p.fd_of->fd());
  } else if (p.created_fd) {
    found = created && created->fd() >= 0;
    if (found) v = static_cast<uint32_t>(created->fd());
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
  std::vector<ChainAnswer>& out = answers[k];
  // Patched only now: the values come from the answers just received.
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
  Namespace* target = step.ns ? step.ns.get() : created.get();
  if (bad.ok() && !target) bad = Status::fail(EBADF, "the namespace handle is closed");
  std::vector<std::unique_ptr<Request>> requests;
  for (size_t i = 0; bad.ok() && i < step.messages.size(); ++i) {
    auto req = std::make_unique<Request>();
    req->message = std::move(step.messages[i]);
    reinterpret_cast<nlmsghdr*>(&req->message[0])->nlmsg_flags |= NLM_F_ACK;
    auto self = shared_from_this();
    req->done = [self, k, i](Outcome&& o) {
      ChainAnswer& a = self->answers[k][i];
      a.sent = true;
      a.status = o.status;
      a.replies = std::move(o.replies);
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
  // Together: one sendmsg for the step. The namespace this chain made is the chain's alone; in
  // another, the step takes a channel of its own (none after a close: then each is refused EBADF).
  lane = step.ns ? step.ns->take_lane(step.protocol) : nullptr;
  if (!lane) return target->submit(step.protocol, std::move(requests));
  auto held = lane;  // alive while it drains here: answering may give `lane` back and take another
  held->submit_all(std::move(requests));
}

void Chain::answered(size_t k) {
  if (lane) steps[k].ns->give_back(steps[k].protocol, std::move(lane));
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
  // The sysctls are written inside the new namespace before any link exists there, so links
  // made in it inherit the `default` ones.
  Namespace::create(
      chain->steps[0].create,
      [chain] {
        const auto& sysctls = chain->steps[0].sysctls;
        for (size_t i = 0; i < sysctls.size(); ++i) {
          ChainAnswer& w = chain->answers[0][1 + i];
          w.sent = true;
          w.status = sysctl_write_here(sysctls[i].first, sysctls[i].second);
          if (!w.status.ok()) return;
        }
      },
      [chain](const Status& s, std::shared_ptr<Namespace> ns) {
        chain->created = std::move(ns);
        ChainAnswer& a = chain->answers[0][0];
        a.sent = true;
        a.status = s;
        if (!s.ok()) return chain->finish();
        for (const ChainAnswer& w : chain->answers[0]) {
          if (!w.status.ok()) return chain->finish();
        }
        chain->start(1);
      });
}

}  // namespace nln

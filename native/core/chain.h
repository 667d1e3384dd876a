// A chain runs exchanges in one or more namespaces one after the other on the addon's threads:
// a step's messages go out together (pipelined, one sendmsg) once the previous step has been
// answered, and what a step needs from earlier answers (a veth peer's ifindex, known only once
// the kernel made it) is copied in here. The JS thread is woken once, at the end, instead of
// between steps: on a loaded machine each such wake-up costs more than the kernel's work.
//
// A chain may start by creating a named namespace (like `ip netns add`), with sysctls written in
// it before anything else happens there. The namespace stays, by its name, once the chain is done.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "namespace.h"
#include "netlink.h"

namespace nln {

// Writes a 32-bit integer into a message at a byte offset before it is sent: a value from an
// earlier answer, or a namespace's fd. Where it goes JS knows (its codec laid the message out);
// what it is, only this side does once the kernel has answered.
struct ChainPatch {
  size_t message = 0;              // which message of this step
  size_t offset = 0;               // where in its bytes (a u32/s32 field or attribute payload)
  // From an answer: the first reply of an earlier step's message that carries top-level attribute
  // `attr` after its family header of `header_size` bytes (IFLA_LINK of a link read back).
  size_t from_step = 0;
  size_t from_message = 0;
  uint16_t attr = 0;
  size_t header_size = 0;
  // Instead of an answer (fd): the fd of fd_of (for IFLA_NET_NS_FD), or without it of the
  // namespace step 0 created; held by the chain so the fd stays that namespace's while it waits.
  bool fd = false;
  std::shared_ptr<Namespace> fd_of;
};

struct ChainStep {
  std::string create;              // step 0 only: make this named namespace; no messages
  // With create: sysctls written in it right away, by the thread inside it ({/proc/sys/… path,
  // value}): before any link exists there, so links made in it inherit the `default` ones. One
  // that fails undoes the namespace.
  std::vector<std::pair<std::string, std::string>> sysctls;
  std::shared_ptr<Namespace> ns;   // where the messages go; null: the namespace step 0 made
  int protocol = 0;
  std::vector<std::string> messages;  // netlink messages, patched just before they are sent
  std::vector<ChainPatch> patches;    // each naming one of messages (the caller checked)
};

struct ChainAnswer {
  bool sent = false;               // false: an earlier refusal stopped the chain before it
  Status status;
  std::string replies;             // as the exchange gave them (exchange.h)
};

// Per step, per message (a create step: one answer, for the namespace and its sysctls), and the
// namespace step 0 made, if any, for the caller to release. Called once, on the
// thread that answered last (or on the caller's thread when the first step cannot be sent).
using ChainDone = std::function<void(std::vector<std::vector<ChainAnswer>>&&, std::shared_ptr<Namespace> created)>;

void run_chain(std::vector<ChainStep> steps, ChainDone done);

// Patching, declared for the fuzz targets (test/fuzz/): the 32-bit top-level attribute `attr` of
// the first reply in `replies` carrying it, past a family header of header_size bytes, every
// length checked; and apply(), which writes the value p names (from an answer, or a namespace's
// fd) at p.offset: EPROTO when there is none, EINVAL when outside message.
bool attribute_of(const std::string& replies, size_t header_size, uint16_t attr, uint32_t* out);
Status apply(const ChainPatch& p, std::string* message, const std::vector<std::vector<ChainAnswer>>& answers,
             const Namespace* created);

}  // namespace nln

// A chain runs exchanges in one or more namespaces one after the other on the addon's threads:
// a step's messages go out together (pipelined, one sendmsg) once the previous step has been
// answered, and what a step needs from earlier answers (a veth peer's ifindex, known only once
// the kernel made it) is copied in here. The JS thread is woken once, at the end, instead of
// between steps: on a loaded machine each such wake-up costs more than the kernel's work.
//
// A chain may start by creating a named namespace (like `ip netns add`). Then it runs whole on
// the thread that creates it, as the C floor does: that thread opens its sockets in the other
// namespaces the chain touches before it unshares, and sends every step itself — no hand-off
// between threads at all. The namespace stays, by its name, once the chain is done.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "namespace.h"
#include "status.h"
#include "value.h"

namespace nln {

// Copies an integer from an earlier answer into a message before it is sent.
struct ChainPatch {
  size_t message = 0;              // which message of this step
  std::vector<std::string> to;     // where in it, e.g. {"header", "index"} or {"attrs", "oif"}
  size_t from_step = 0;            // whose answer: an earlier step's message
  size_t from_message = 0;
  // An attribute of that answer's first reply carrying it, e.g. "link"; from the step that
  // created the namespace: "fd", the namespace's fd (for IFLA_NET_NS_FD).
  std::string from_attr;
  // Instead of an answer: this namespace's fd (IFLA_NET_NS_FD of a link made or moved there). Held
  // by the chain, so the fd is that namespace's however long the chain waits.
  std::shared_ptr<Namespace> fd_of;
};

struct ChainStep {
  std::string create;              // step 0 only: make this named namespace; no messages
  // With create: sysctls written in it right away, by the thread inside it ({/proc/sys/… path,
  // value}): before any link exists there, so links made in it inherit the `default` ones.
  std::vector<std::pair<std::string, std::string>> sysctls;
  std::shared_ptr<Namespace> ns;   // where the messages go; null: the namespace step 0 made
  int protocol = 0;
  std::vector<Value> messages;     // { type, flags, header, attrs }, encoded once patched
  std::vector<ChainPatch> patches;
};

struct ChainAnswer {
  bool sent = false;               // false: an earlier refusal stopped the chain before it
  Status status;
  std::vector<Value> replies;      // decoded
};

// Per step, per message (a create step answers whether it made the namespace, then each sysctl
// write), and the
// namespace step 0 made, if any, which the caller must release off the thread `done` runs on
// (releasing it joins that thread). Called once, on the thread that answered last (or on the
// caller's thread when the first step cannot be sent).
using ChainDone = std::function<void(std::vector<std::vector<ChainAnswer>>&&, std::shared_ptr<Namespace> created)>;

void run_chain(std::vector<ChainStep> steps, ChainDone done);

}  // namespace nln

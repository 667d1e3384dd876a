// A chain runs exchanges in one or more namespaces one after the other on the addon's threads:
// a step's messages go out together (pipelined, one sendmsg) once the previous step has been
// answered, and what a step needs from earlier answers (a veth peer's ifindex, known only once
// the kernel made it) is copied in here. The JS thread is woken once, at the end, instead of
// between steps: on a loaded machine each such wake-up costs more than the kernel's work.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "namespace.h"
#include "status.h"
#include "value.h"

namespace nln {

// Copies an integer attribute of an earlier answer into a message before it is sent.
struct ChainPatch {
  size_t message = 0;              // which message of this step
  std::vector<std::string> to;     // where in it, e.g. {"header", "index"} or {"attrs", "oif"}
  size_t from_step = 0;            // whose answer: an earlier step's message
  size_t from_message = 0;
  std::string from_attr;           // an attribute of its first reply carrying it, e.g. "link"
};

struct ChainStep {
  std::shared_ptr<Namespace> ns;
  int protocol = 0;
  std::vector<Value> messages;     // { type, flags, header, attrs }, encoded once patched
  std::vector<ChainPatch> patches;
};

struct ChainAnswer {
  bool sent = false;               // false: an earlier refusal stopped the chain before it
  Status status;
  std::vector<Value> replies;      // decoded
};

// Per step, per message. Called once, on the thread of the channel that answered last (or on
// the caller's thread when the first step cannot be sent).
using ChainDone = std::function<void(std::vector<std::vector<ChainAnswer>>&&)>;

void run_chain(std::vector<ChainStep> steps, ChainDone done);

}  // namespace nln

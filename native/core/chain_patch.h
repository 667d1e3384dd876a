// How a chain copies a value from an earlier step's answer into a later step's message (a veth
// peer's ifindex, known only once the kernel made it). Defined in chain.cc, which uses them;
// declared here so the fuzz targets (test/fuzz/) can patch messages from decoded answers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "chain.h"

namespace nln {

// The integer `name` of an answer: from its first reply that carries it as an attribute.
bool attribute_of(const ChainAnswer& a, const std::string& name, int64_t* out);

// Sets the integer p names (from an answer; p.fd_of's fd; or the fd of `created` for {0, "fd"})
// at p.to in message, making the maps on the way; EPROTO when the answer lacks it.
Status apply(const ChainPatch& p, Value* message, const std::vector<std::vector<ChainAnswer>>& answers,
             const Namespace* created);

}  // namespace nln

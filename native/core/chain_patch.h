// How a chain copies a value from an earlier step's answer into a later step's message (a veth
// peer's ifindex, known only once the kernel made it). Defined in chain.cc, which uses them;
// declared here so the fuzz targets (test/fuzz/) can patch messages from forged answers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "chain.h"

namespace nln {

// The 32-bit top-level attribute `attr` of the first reply in `replies` carrying it, reading past
// a family header of header_size bytes. Every length is checked against what is there.
bool attribute_of(const std::string& replies, size_t header_size, uint16_t attr, uint32_t* out);

// Writes the value p names (from an answer; p.fd_of's fd; or the fd of `created`) at p.offset in
// message. EPROTO when the answer lacks it; EINVAL when the offset is outside the message.
Status apply(const ChainPatch& p, std::string* message, const std::vector<std::vector<ChainAnswer>>& answers,
             const Namespace* created);

}  // namespace nln

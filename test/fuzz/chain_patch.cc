// Chain patching (native/core/chain.h): an earlier step's answer (the kernel's replies, as
// the exchange hands them on) lends a 32-bit top-level attribute (nln::attribute_of) that
// nln::apply writes into a later message at a byte offset JS chose.
//
// Input: [u16 n][n bytes: the answer's replies]  (answers = {{that answer}})
//        [u16 n][n bytes: the message]
//        [u8 from_step][u8 from_message][u16 attr][u8 header_size][u16 offset]
#include <linux/netlink.h>

#include <cstring>

#include "../../native/core/chain.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nln_fuzz::Input in(data, size);
  std::string replies = in.bytes(in.u16());
  std::string message = in.bytes(in.u16());
  nln::ChainPatch patch;
  patch.from_step = in.u8();
  patch.from_message = in.u8();
  patch.attr = in.u16();
  patch.header_size = in.u8();
  patch.offset = in.u16();

  std::vector<std::vector<nln::ChainAnswer>> answers(1, std::vector<nln::ChainAnswer>(1));
  answers[0][0].sent = true;
  answers[0][0].replies = replies;

  uint32_t direct = 0;
  bool has = nln::attribute_of(replies, patch.header_size, patch.attr, &direct);
  std::string before = message;
  nln::Status s = nln::apply(patch, &message, answers, nullptr);
  // apply finds exactly what attribute_of finds (step 0 message 0 is the only answer) and writes
  // it at the offset, when the message has four bytes there; nothing else changes.
  bool in_range = patch.from_step == 0 && patch.from_message == 0;
  bool fits = patch.offset + 4 <= before.size();
  FUZZ_CHECK(s.ok() == (in_range && has && fits));
  FUZZ_CHECK(message.size() == before.size());
  if (s.ok()) {
    uint32_t written;
    std::memcpy(&written, &message[patch.offset], sizeof written);
    FUZZ_CHECK(written == direct);
    std::memcpy(&message[patch.offset], &before[patch.offset], sizeof written);
  }
  FUZZ_CHECK(message == before);
  return 0;
}

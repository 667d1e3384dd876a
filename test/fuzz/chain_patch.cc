// Chain patching (native/core/chain_patch.h): an earlier step's answer, decoded from the kernel's
// replies, lends an integer attribute (nln::attribute_of) that nln::apply writes into a later
// message from JS (made of maps on the way), which is then encoded and sent; here it is encoded
// and the bytes decoded again.
//
// Input: [u8 protocol: even = NETLINK_ROUTE, odd = NETLINK_NETFILTER]
//        [u16 n][n bytes: the answer's replies, a datagram]  (answers = {{that answer}})
//        [u16 n][n bytes: the message, packed by src/pack.ts]
//        [u8 from_step][u8 from_message][u8 n][n bytes: from_attr]
//        then the path `to`: [u8 n][n bytes] until the input ends.
#include <linux/netlink.h>

#include "../../native/core/chain_patch.h"
#include "decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nln_fuzz::Input in(data, size);
  int protocol = (in.u8() & 1) ? NETLINK_NETFILTER : NETLINK_ROUTE;
  std::string replies = in.bytes(in.u16());
  std::string packed = in.bytes(in.u16());
  nln::ChainPatch patch;
  patch.from_step = in.u8();
  patch.from_message = in.u8();
  patch.from_attr = in.bytes(in.u8());
  while (in.left() > 0) patch.to.push_back(in.bytes(in.u8()));

  std::vector<std::vector<nln::ChainAnswer>> answers(1, std::vector<nln::ChainAnswer>(1));
  answers[0][0].sent = true;
  answers[0][0].replies = nln_fuzz::decode_all(protocol, replies);

  nln_fuzz::Exact packed_copy(packed);
  std::vector<nln::Value> messages;
  try {
    messages = nln::unpack_values(packed_copy.data(), packed_copy.size());
  } catch (const nln::CodecError&) {
    return 0;
  }
  if (messages.empty()) return 0;
  nln::Value& message = messages[0];

  int64_t direct = 0;
  bool has = nln::attribute_of(answers[0][0], patch.from_attr, &direct);
  nln::Status s = nln::apply(patch, &message, answers, nullptr);
  // apply finds exactly what attribute_of finds (step 0 message 0 is the only answer; no namespace
  // was created, so "fd" is an attribute like any other) and writes it where `to` says.
  bool in_range = patch.from_step == 0 && patch.from_message == 0;
  FUZZ_CHECK(s.ok() == (in_range && has && !patch.to.empty()));
  if (s.ok()) {
    const nln::Value* at = &message;
    for (size_t i = 0; at && i < patch.to.size(); ++i) at = at->get(patch.to[i]);
    FUZZ_CHECK(at && at->type() == nln::Value::Type::Int && at->as_int() == direct);
  }
  std::string bytes = nln_fuzz::encode_or_empty(protocol, message);
  if (!bytes.empty()) nln::pack_values(nln_fuzz::decode_all(protocol, bytes));
  return 0;
}

// The reply framing: one received datagram walked message by message (nln::for_each_message), and
// each message read as an error/ACK/DONE status (read_error, read_ext_ack), as the exchange does.
// Input: the datagram's bytes.
#include <errno.h>

#include "../../native/core/message.h"
#include "../../native/core/reply.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nln_fuzz::Exact datagram(data, size);
  const uint8_t* begin = datagram.data();
  const uint8_t* end = begin + size;
  const uint8_t* last = nullptr;
  nln::for_each_message(begin, size, [&](const nlmsghdr* h) {
    const uint8_t* at = reinterpret_cast<const uint8_t*>(h);
    // What the walk promises its callback: a whole header and nlmsg_len bytes, in order, aligned.
    FUZZ_CHECK(at >= begin && (at - begin) % NLMSG_ALIGNTO == 0);
    FUZZ_CHECK(last == nullptr || at > last);
    FUZZ_CHECK(h->nlmsg_len >= sizeof(nlmsghdr) && h->nlmsg_len <= static_cast<size_t>(end - at));
    last = at;
    nln::Status s;
    if (nln::read_error(h, &s) && !s.ok()) FUZZ_CHECK(s.err > 0 && s.err <= 4095);
    // A DONE's trailing extended ACK starts after its errno; any offset must be safe.
    nln::Status t;
    nln::read_ext_ack(h, NLMSG_HDRLEN + sizeof(int), &t);
    nln::read_ext_ack(h, h->nlmsg_len, &t);
    nln::read_ext_ack(h, NLMSG_HDRLEN, &t);
  });
  return 0;
}

// The reply framing: one received datagram walked message by message (nln::for_each_message), and
// each message's status read (error_of), as the exchange does.
// Input: the datagram's bytes.
#include <errno.h>

#include "../../native/core/netlink.h"
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
    int err = nln::error_of(h);
    FUZZ_CHECK(err >= 0 && err <= 4095);
  });
  return 0;
}

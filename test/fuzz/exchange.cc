// The whole receive path of nln::Exchanger (native/core/exchange.cc) with the kernel played by the
// input: requests go out on a fake socket (fake_socket.h) and the input's datagrams come back as
// the answers: framing, matching by sequence number and port, ACKs, errors, batches, dumps and
// their NLM_F_DUMP_INTR refusals, all without a kernel.
//
// Input: one byte choosing the requests, then the datagrams (fake_socket.h):
//   bits 0-1: 1-4 requests; bit 2: the first is an nfnetlink batch of 1-4 messages (bits 3-4) and
//   its sentinel; bit 5: the requests ask for dumps; bit 6: sending fails (ENOBUFS);
//   bit 7: the datagrams end in ENOBUFS instead of EAGAIN.
// The exchange stamps sequence numbers 1, 2, … in order: a batch's messages, then each other
// request; a batch's sentinel comes last. Replies from the kernel carry port 0 or kFakePortId.
#include <errno.h>
#include <linux/netlink.h>

#include <memory>
#include <vector>

#include "../../native/core/exchange.h"
#include "../../native/core/netlink.h"
#include "fake_socket.h"
#include "fuzz_input.h"

namespace {

std::string bare_message(uint16_t type, uint16_t flags) {
  nlmsghdr h{};
  h.nlmsg_len = sizeof h;
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  return std::string(reinterpret_cast<const char*>(&h), sizeof h);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint8_t choice = data[0];
  size_t count = 1 + (choice & 3);
  bool batch = choice & 4;
  size_t batch_size = 1 + ((choice >> 3) & 3);
  bool dump = choice & 32;
  nln_fuzz::wire = {};
  nln_fuzz::wire.next = data + 1;
  nln_fuzz::wire.left = size - 1;
  nln_fuzz::wire.send_error = (choice & 64) ? ENOBUFS : 0;
  nln_fuzz::wire.end_error = (choice & 128) ? ENOBUFS : EAGAIN;

  std::vector<int> answered(count, 0);
  std::vector<std::unique_ptr<nln::Request>> requests;
  for (size_t i = 0; i < count; ++i) {
    auto r = std::make_unique<nln::Request>();
    uint16_t flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
    r->message = bare_message(18 /* RTM_GETLINK */, flags);
    if (i == 0 && batch) {
      for (size_t j = 0; j < batch_size; ++j) r->batch += bare_message(0x0a00 /* NFT_MSG_NEWTABLE */, NLM_F_REQUEST | NLM_F_ACK);
    }
    size_t messages = r->batch.size() / sizeof(nlmsghdr);
    r->done = [&answered, i, messages](nln::Outcome&& o) {
      ++answered[i];
      // A refusal carries an errno and, when the kernel refused, its message alone; a batch's
      // refusal names one of its messages.
      if (!o.status.ok()) FUZZ_CHECK(o.status.err > 0 && o.status.err <= 4095);
      FUZZ_CHECK(o.failed_index >= -1 && o.failed_index < static_cast<int>(messages));
      // The replies are whole messages back to back, each padded to 4 bytes, nothing else.
      nln_fuzz::Exact copy(o.replies);
      size_t walked = 0, messages = 0;
      nln::for_each_message(copy.data(), copy.size(), [&](const nlmsghdr* h) {
        ++messages;
        if (o.status.ok()) FUZZ_CHECK(h->nlmsg_type >= NLMSG_MIN_TYPE);
        else FUZZ_CHECK(h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE);
        walked += NLMSG_ALIGN(h->nlmsg_len);
      });
      FUZZ_CHECK(walked == o.replies.size());
      if (!o.status.ok()) FUZZ_CHECK(messages <= 1);
    };
    requests.push_back(std::move(r));
  }

  nln::Exchanger ex;
  ex.open(NETLINK_ROUTE);
  ex.exchange(requests);
  for (int n : answered) FUZZ_CHECK(n == 1);  // every request answered, once
  return 0;
}

// One netlink socket and the conversation on it: a set of requests goes out in one sendmsg (two
// for an nfnetlink batch: its messages, then a sentinel), and each reply is matched to its request
// by sequence number until every request is answered. Each Channel (namespace.h) runs one.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "netlink.h"
#include "socket.h"

namespace nln {

// A receive buffer, grown to the next datagram's size. Allocated without zero-filling: touching a
// large buffer per socket costs page faults.
struct RxBuffer {
  std::unique_ptr<uint8_t[]> data;
  size_t size = 0;
};

// The one receive loop (exchanges and subscriptions): the next datagram from the kernel into rx,
// sized first (MSG_PEEK|MSG_TRUNC), as iproute2 does, so that a larger one is taken whole into a
// bigger buffer instead of cut and lost. Waits for one unless !wait (EAGAIN then). Only the kernel
// answers or announces: a datagram another socket sent to our port (any process with CAP_NET_ADMIN
// in the namespace can) is forged and dropped whatever its headers say.
Status receive_from_kernel(NetlinkSocket& sock, RxBuffer& rx, bool wait, size_t* len);

// A subscription's read (a socket joined to multicast groups, as `ip monitor` listens): what the
// kernel has announced so far, whole messages back to back, up to about 1 MiB (the rest stays
// queued in the socket), without waiting. A consumer that lags makes the kernel's buffer
// overflow: ENOBUFS, what was read and what is still queued dropped, as it predates the gap
// (the consumer starts over from a snapshot). On failure *out is empty.
Status read_announcements(NetlinkSocket& sock, RxBuffer& rx, std::string* out);

struct Outcome {
  Status status;                       // errno (+ our words when the failure is ours)
  // The replies, whole netlink messages (headers included) back to back, each padded to 4 bytes:
  // handed to JS as they came, for the codec in src/codec/ to read. For a refusal by the kernel,
  // its error message alone (JS reads the extended-ACK text there).
  std::string replies;
  int failed_index = -1;               // batch: which message the kernel refused first
};

struct Request {
  std::string message;                 // one netlink message; the exchange sets its seq
  // An nfnetlink batch: these messages (BEGIN … END, back to back) go in one sendmsg, then
  // `message` alone as a sentinel whose answer marks the end of the batch's answers (the kernel
  // handles a batch within its sendmsg, so everything it says about it is queued before that).
  std::string batch;
  std::function<void(Outcome&&)> done; // called on the exchanging thread
};

class Exchanger {
 public:
  // Opens the socket in the calling thread's network namespace.
  Status open(int protocol) { return sock_.open(protocol); }
  // Sends the requests (at most one nfnetlink batch, first) and calls each one's done, in this
  // thread, once the kernel has answered it. Every request asks for an ACK (Channel::submit).
  void exchange(std::vector<std::unique_ptr<Request>>& batch);

 private:
  struct InFlight;
  NetlinkSocket sock_;
  uint32_t next_seq_ = 1;
  RxBuffer rx_;
};

}  // namespace nln

// One netlink socket and the conversation on it: a set of requests goes out in one sendmsg (two
// for an nfnetlink batch: its messages, then a sentinel), and each reply is matched to its request
// by sequence number until every request is answered. A Channel runs one on its own thread; a
// chain that creates a namespace runs one for each other namespace it touches (chain.h).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "socket.h"
#include "status.h"

namespace nln {

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
  bool dump = false;                   // NLM_F_DUMP: replies end with NLMSG_DONE
  // An nfnetlink batch: these messages (BEGIN … END) go in one sendmsg, then `message` alone as a
  // sentinel whose answer marks the end of the batch's answers (the kernel handles a batch
  // within its sendmsg, so everything it says about the batch is queued before the sentinel's).
  std::vector<std::string> batch;
  std::function<void(Outcome&&)> done; // called on the exchanging thread
};

class Exchanger {
 public:
  Exchanger();
  Exchanger(const Exchanger&) = delete;
  Exchanger& operator=(const Exchanger&) = delete;

  // Opens the socket in the calling thread's network namespace.
  Status open(int protocol) { return sock_.open(protocol); }
  void close() { sock_.close(); }
  // Sends the requests (at most one nfnetlink batch, first) and calls each one's done, in this
  // thread, once the kernel has answered it. Every request asks for an ACK (Channel::submit).
  void exchange(std::vector<std::unique_ptr<Request>>& batch);

 private:
  struct InFlight;
  Status receive(size_t* len);  // the next datagram from the kernel into rx_
  void grow_receive_buffer(size_t size);

  NetlinkSocket sock_;
  uint32_t next_seq_ = 1;
  std::unique_ptr<uint8_t[]> rx_;  // receive buffer, grown to the next datagram's size
  size_t rx_size_ = 0;
};

}  // namespace nln

#include "exchange.h"

#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <unordered_map>

#include "netlink.h"

namespace nln {

// The kernel sends dumps in datagrams of at most 32 KiB; single replies are smaller than 64 KiB.
constexpr size_t kInitialReceiveBuffer = 64 << 10;

struct Exchanger::InFlight {
  std::unique_ptr<Request> req;
  Outcome out;
  bool interrupted = false;  // a reply said NLM_F_DUMP_INTR: the dump raced with a change
};

Status receive_from_kernel(NetlinkSocket& sock, RxBuffer& rx, bool wait, size_t* len) {
  for (;;) {
    size_t size = 0;
    uint32_t sender = 0;
    Status s = sock.receive(nullptr, 0, MSG_PEEK | MSG_TRUNC | (wait ? 0 : MSG_DONTWAIT), &size, &sender);
    if (!s.ok()) return s;
    if (size > rx.size || !rx.data) {
      rx.size = std::max(size, kInitialReceiveBuffer);
      rx.data.reset(new uint8_t[rx.size]);  // default-initialized: no memset
    }
    s = sock.receive(rx.data.get(), rx.size, 0, len, &sender);
    if (!s.ok() || sender == 0) return s;
  }
}

Status read_announcements(NetlinkSocket& sock, RxBuffer& rx, std::string* out) {
  while (out->size() < (1 << 20)) {
    size_t len = 0;
    Status r = receive_from_kernel(sock, rx, false, &len);
    if (r.err == EAGAIN) break;
    if (!r.ok()) {
      out->clear();
      if (r.err != ENOBUFS) return r;
      // Said once, by the call that meets it: the stale datagrams are thrown away (at most a
      // receive buffer's worth), so nothing from before the gap is told after it.
      uint32_t sender;
      for (int n = 0; n < (1 << 16) && sock.receive(nullptr, 0, MSG_DONTWAIT | MSG_TRUNC, &len, &sender).ok(); ++n) {}
      return Status::fail(ENOBUFS, "the kernel dropped announcements (receive buffer overrun)");
    }
    for_each_message(rx.data.get(), len, [&](const nlmsghdr* h) {
      if (h->nlmsg_type >= NLMSG_MIN_TYPE) append_message(out, h);
    });
  }
  return {};
}

void Exchanger::exchange(std::vector<std::unique_ptr<Request>>& batch) {
  std::vector<InFlight> flights(batch.size());
  // seq -> (flight, index of the message within an nfnetlink batch, or -1 for the request's own)
  std::unordered_map<uint32_t, std::pair<size_t, int>> by_seq;
  std::vector<struct iovec> iov;
  // Numbers each message of m (the request's own bytes) for flight, with its place in a batch.
  auto stamp = [&](std::string& m, size_t flight, bool batch) {
    int j = 0;
    for_each_message(reinterpret_cast<const uint8_t*>(m.data()), m.size(), [&](const nlmsghdr* h) {
      const_cast<nlmsghdr*>(h)->nlmsg_seq = next_seq_;
      by_seq[next_seq_++] = {flight, batch ? j++ : -1};
    });
    return iovec{&m[0], m.size()};
  };
  for (size_t i = 0; i < batch.size(); ++i) {
    flights[i].req = std::move(batch[i]);
    Request& r = *flights[i].req;
    iov.push_back(r.batch.empty() ? stamp(r.message, i, false) : stamp(r.batch, i, true));
  }
  size_t open = flights.size();
  // A refusal's replies are the kernel's message saying so, nothing else: no partial answer.
  auto refuse = [](InFlight& f, int err, const nlmsghdr* h, int index) {
    f.out.status = Status{err, {}};
    f.out.failed_index = index;
    f.out.replies.clear();
    append_message(&f.out.replies, h);
  };
  auto finish = [&](size_t i) {
    InFlight& f = flights[i];
    f.req->done(std::move(f.out));
    f.req.reset();
    --open;
  };
  auto fail_all = [&](const Status& s) {
    for (size_t i = 0; i < flights.size(); ++i) {
      if (!flights[i].req) continue;
      flights[i].out.status = s;
      flights[i].out.replies.clear();
      finish(i);
    }
  };

  Status sent = sock_.send(iov.data(), iov.size());
  if (sent.ok() && !flights[0].req->batch.empty()) {
    struct iovec sentinel = stamp(flights[0].req->message, 0, false);  // in a sendmsg of its own
    sent = sock_.send(&sentinel, 1);
  }
  if (!sent.ok()) return fail_all(sent);

  while (open > 0) {
    size_t len = 0;
    Status r = receive_from_kernel(sock_, rx_, true, &len);
    // ENOBUFS: the kernel dropped replies for lack of buffer; what it did with these requests is
    // not known (a change may have been made), so they fail saying so instead of waiting forever.
    if (r.err == ENOBUFS) r.detail = "the kernel dropped netlink replies (receive buffer overrun): whether these requests were carried out is unknown";
    if (!r.ok()) return fail_all(r);
    for_each_message(rx_.data.get(), len, [&](const nlmsghdr* h) {
      if (h->nlmsg_pid != sock_.port_id() && h->nlmsg_pid != 0) return;
      auto it = by_seq.find(h->nlmsg_seq);
      if (it == by_seq.end() || !flights[it->second.first].req) return;  // stale: a failed request's
      size_t i = it->second.first;
      int in_batch = it->second.second;
      InFlight& f = flights[i];
      if (h->nlmsg_type == NLMSG_ERROR) {
        int err = error_of(h);
        if (in_batch >= 0) {
          // An answer about one message of a batch: keep the first refusal, wait for the sentinel.
          if (err && f.out.status.ok()) refuse(f, err, h, in_batch);
          return;
        }
        if (err && f.req->batch.empty()) refuse(f, err, h, -1);
        finish(i);  // the request's ACK, or the sentinel's: the batch's answers are all in
      } else if (h->nlmsg_type == NLMSG_DONE) {
        // Ends a dump, whether or not the caller said it was one (a request whose flags made it a
        // dump would otherwise wait for an ACK the kernel never sends). An interrupted dump is
        // refused, never returned partial: the caller asks again.
        int err = error_of(h);
        if (err) refuse(f, err, h, -1);
        else if (f.interrupted || (h->nlmsg_flags & NLM_F_DUMP_INTR))
          f.out = Outcome{Status::fail(EINTR, "the dump was interrupted by a concurrent change"), {}};
        finish(i);
      } else if (h->nlmsg_type >= NLMSG_MIN_TYPE) {
        if (h->nlmsg_flags & NLM_F_DUMP_INTR) f.interrupted = true;
        if (f.out.status.ok()) append_message(&f.out.replies, h);
      }
    });
  }
}

}  // namespace nln

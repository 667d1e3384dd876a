#include "exchange.h"

#include <errno.h>
#include <linux/netlink.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "message.h"
#include "reply.h"

namespace nln {

namespace {

// A dump the kernel marks NLM_F_DUMP_INTR raced with a change; it is redone up to this many
// times, then reported as EINTR rather than returned partial.
constexpr int kMaxDumpRetries = 8;
// The kernel sends dumps in datagrams of at most 32 KiB; single replies are smaller than 64 KiB.
// Allocated without zero-filling: touching a large buffer per namespace's thread costs page faults.
constexpr size_t kInitialReceiveBuffer = 64 << 10;

}  // namespace

// Reads NLMSG_ERROR / NLMSG_DONE extended-ACK attributes (NLMSGERR_ATTR_MSG) from tlv_offset on.
void read_ext_ack(const nlmsghdr* h, size_t tlv_offset, Status* s) {
  if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || h->nlmsg_len <= tlv_offset) return;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(h) + tlv_offset;
  const uint8_t* end = reinterpret_cast<const uint8_t*>(h) + h->nlmsg_len;
  while (end - p >= static_cast<ptrdiff_t>(NLA_HDRLEN)) {
    nlattr a;
    std::memcpy(&a, p, sizeof a);
    if (a.nla_len < NLA_HDRLEN || a.nla_len > end - p) break;
    if ((a.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
      const char* text = reinterpret_cast<const char*>(p + NLA_HDRLEN);
      s->detail.assign(text, strnlen(text, a.nla_len - NLA_HDRLEN));
      s->from_kernel = true;
    }
    p += std::min<size_t>(NLA_ALIGN(a.nla_len), static_cast<size_t>(end - p));
  }
}

// The status an NLMSG_ERROR (or a DONE's trailing error) carries; false when it is too short to
// carry one. Every field is length-checked before it is read.
bool read_error(const nlmsghdr* h, Status* s) {
  if (h->nlmsg_len < NLMSG_LENGTH(sizeof(int))) return false;
  int error = 0;
  std::memcpy(&error, NLMSG_DATA(h), sizeof error);
  if (error == 0) return true;
  // A real errno is -1 … -4095; anything else is not the kernel's answer.
  if (error > 0 || error < -4095) {
    *s = Status::fail(EPROTO, "a netlink error reply carried no valid errno");
    return true;
  }
  s->err = -error;
  size_t tlv = NLMSG_HDRLEN + sizeof(int);
  if (h->nlmsg_type == NLMSG_ERROR) {
    // The request's header is echoed after the errno; uncapped, its whole payload too.
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return true;
    nlmsghdr echoed;
    std::memcpy(&echoed, static_cast<const uint8_t*>(NLMSG_DATA(h)) + sizeof(int), sizeof echoed);
    tlv += (h->nlmsg_flags & NLM_F_CAPPED) ? sizeof(nlmsghdr) : NLMSG_ALIGN(echoed.nlmsg_len);
  }
  read_ext_ack(h, tlv, s);
  return true;
}

struct Exchanger::InFlight {
  std::unique_ptr<Request> req;
  Outcome out;
  int retries = 0;
  bool interrupted = false;
};

Exchanger::Exchanger() { grow_receive_buffer(kInitialReceiveBuffer); }

void Exchanger::grow_receive_buffer(size_t size) {
  rx_.reset(new uint8_t[size]);  // default-initialized: no memset
  rx_size_ = size;
}

Status Exchanger::receive(size_t* len) {
  for (;;) {
    // Sized first (MSG_PEEK|MSG_TRUNC), as iproute2 does: a datagram larger than the buffer is
    // received whole into a bigger one instead of being cut and lost.
    size_t size = 0;
    Status s = sock_.peek_size(&size);
    if (!s.ok()) return s;
    if (size > rx_size_) grow_receive_buffer(size);
    uint32_t sender = 0;
    s = sock_.receive(rx_.get(), rx_size_, len, &sender);
    if (!s.ok()) return s;
    // Only the kernel answers requests: a datagram another socket sent to our port (any process
    // with CAP_NET_ADMIN in the namespace can) is forged and dropped whatever its headers say.
    if (sender == 0) return {};
  }
}

bool Exchanger::resend(InFlight& f) {
  nlmsghdr* h = reinterpret_cast<nlmsghdr*>(&f.req->message[0]);
  h->nlmsg_seq = next_seq_++;
  struct iovec iov{&f.req->message[0], f.req->message.size()};
  Status s = sock_.send(&iov, 1);
  if (!s.ok()) f.out.status = s;
  return s.ok();
}

void Exchanger::exchange(std::vector<std::unique_ptr<Request>>& batch) {
  std::vector<InFlight> flights(batch.size());
  // seq -> (flight, index of the message within an nfnetlink batch, or -1 for the request's own)
  std::unordered_map<uint32_t, std::pair<size_t, int>> by_seq;
  std::vector<struct iovec> iov;
  auto stamp = [&](std::string& m, size_t flight, int index) {
    nlmsghdr* h = reinterpret_cast<nlmsghdr*>(&m[0]);
    h->nlmsg_seq = next_seq_++;
    by_seq[h->nlmsg_seq] = {flight, index};
    iov.push_back({&m[0], m.size()});
  };
  for (size_t i = 0; i < batch.size(); ++i) {
    flights[i].req = std::move(batch[i]);
    Request& r = *flights[i].req;
    for (size_t j = 0; j < r.batch.size(); ++j) stamp(r.batch[j], i, static_cast<int>(j));
    if (r.batch.empty()) stamp(r.message, i, -1);
  }
  size_t open = flights.size();
  auto finish = [&](size_t i) {
    InFlight& f = flights[i];
    // A refusal carries no partial answer (a batch's DONE before its sentinel kept the replies).
    if (!f.out.status.ok()) f.out.replies.clear();
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
    iov.clear();
    stamp(flights[0].req->message, 0, -1);  // the sentinel, in a sendmsg of its own
    sent = sock_.send(iov.data(), iov.size());
  }
  if (!sent.ok()) {
    fail_all(sent);
    return;
  }

  while (open > 0) {
    size_t len = 0;
    Status r = receive(&len);
    if (!r.ok()) {
      if (r.err == ENOBUFS) {
        // The kernel dropped replies for lack of buffer: what it did with these requests is not
        // known (a change may have been made), so they fail saying so instead of waiting forever.
        r.detail = "the kernel dropped netlink replies (receive buffer overrun): whether these requests "
                   "were carried out is unknown";
      }
      fail_all(r);
      return;
    }
    for_each_message(rx_.get(), len, [&](const nlmsghdr* h) {
      if (h->nlmsg_pid != sock_.port_id() && h->nlmsg_pid != 0) return;
      auto it = by_seq.find(h->nlmsg_seq);
      if (it == by_seq.end() || !flights[it->second.first].req) return;  // stale: a failed request's
      size_t i = it->second.first;
      int in_batch = it->second.second;
      InFlight& f = flights[i];
      if (h->nlmsg_type == NLMSG_ERROR) {
        Status answer;
        if (!read_error(h, &answer)) return;
        if (in_batch >= 0) {
          // An answer about one message of a batch: keep the first refusal, wait for the sentinel.
          if (!answer.ok() && f.out.status.ok()) {
            f.out.status = answer;
            f.out.failed_index = in_batch;
          }
          return;
        }
        if (!f.req->batch.empty()) {
          if (!f.out.status.ok()) f.out.replies.clear();
          finish(i);  // the sentinel's answer: the batch's answers are all in
          return;
        }
        f.out.status = answer;
        if (!answer.ok()) f.out.replies.clear();
        finish(i);
      } else if (h->nlmsg_type == NLMSG_DONE) {
        // Ends a dump, whether or not the caller said it was one (a request whose flags made it a
        // dump would otherwise wait for an ACK the kernel never sends).
        Status answer;
        read_error(h, &answer);  // an error the dump ended with, if any
        if (h->nlmsg_flags & NLM_F_DUMP_INTR) f.interrupted = true;
        if (!answer.ok()) {
          f.out.status = answer;
          f.out.replies.clear();
          finish(i);
        } else if (f.interrupted && f.retries < kMaxDumpRetries) {
          f.interrupted = false;
          ++f.retries;
          f.out.replies.clear();
          by_seq.erase(it);
          if (resend(f)) {
            by_seq[reinterpret_cast<nlmsghdr*>(&f.req->message[0])->nlmsg_seq] = {i, -1};
          } else {
            finish(i);
          }
        } else if (f.interrupted) {
          f.out.status = Status::fail(EINTR, "the dump kept changing under concurrent updates; "
                                             "refusing to return a partial result");
          f.out.replies.clear();
          finish(i);
        } else {
          finish(i);
        }
      } else if (h->nlmsg_type >= NLMSG_MIN_TYPE) {
        if (h->nlmsg_flags & NLM_F_DUMP_INTR) f.interrupted = true;
        f.out.replies.append(reinterpret_cast<const char*>(h), h->nlmsg_len);
        f.out.replies.resize(NLMSG_ALIGN(f.out.replies.size()));
      }
    });
  }
}

}  // namespace nln

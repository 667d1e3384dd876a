#include "netns_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>

#include "pool.h"

namespace nln {

namespace {

bool to_sockaddr(const std::string& host, int port, sockaddr_storage* ss, socklen_t* len) {
  std::memset(ss, 0, sizeof *ss);
  auto* v4 = reinterpret_cast<sockaddr_in*>(ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    *len = sizeof *v4;
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    *len = sizeof *v6;
    return true;
  }
  return false;
}

}  // namespace

Status sysctl_read(int nsfd, const std::string& path, std::string* value) {
  return in_netns(nsfd, [&]() -> Status {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::fail(errno, "open " + path);
    char buf[4096];
    value->clear();
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Status s = Status::fail(errno, "read " + path);
        close(fd);
        return s;
      }
      if (n == 0) break;
      value->append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return {};
  });
}

Status sysctl_write_here(const std::string& path, const std::string& value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::fail(errno, "open " + path);
  ssize_t n = write(fd, value.data(), value.size());
  Status s = n < 0 ? Status::fail(errno, "write " + path) : Status{};
  close(fd);
  return s;
}

Status sysctl_write(int nsfd, const std::string& path, const std::string& value) {
  return in_netns(nsfd, [&]() -> Status { return sysctl_write_here(path, value); });
}

// A new non-blocking, close-on-exec TCP socket for host:port, made inside the namespace; `use`
// binds or connects it. On failure the socket is closed; on success it is handed out in *out.
static Status with_tcp_socket(int nsfd, const std::string& host, int port, int* out,
                       const std::function<Status(int fd, const sockaddr* sa, socklen_t len)>& use) {
  sockaddr_storage ss;
  socklen_t len;
  if (!to_sockaddr(host, port, &ss, &len)) return Status::fail(EINVAL, "not an IP address: " + host);
  return in_netns(nsfd, [&]() -> Status {
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return Status::fail(errno, "socket");
    Status s = use(fd, reinterpret_cast<const sockaddr*>(&ss), len);
    if (!s.ok()) {
      close(fd);
      return s;
    }
    *out = fd;
    return {};
  });
}

Status tcp_listen(int nsfd, const std::string& host, int port, int backlog, int* out) {
  return with_tcp_socket(nsfd, host, port, out, [&](int fd, const sockaddr* sa, socklen_t len) -> Status {
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, sa, len) < 0 || listen(fd, backlog) < 0) return Status::fail(errno, "bind/listen " + host + ":" + std::to_string(port));
    return {};
  });
}

Status tcp_connect_start(int nsfd, const std::string& host, int port, int* out) {
  return with_tcp_socket(nsfd, host, port, out, [&](int fd, const sockaddr* sa, socklen_t len) -> Status {
    if (connect(fd, sa, len) < 0 && errno != EINPROGRESS) return Status::fail(errno, "connect " + host + ":" + std::to_string(port));
    return {};
  });
}

Status tcp_connect_wait(int fd, const std::string& host, int port, int timeout_ms) {
  pollfd p{fd, POLLOUT, 0};
  int r;
  do r = poll(&p, 1, timeout_ms); while (r < 0 && errno == EINTR);
  int err = 0;
  socklen_t elen = sizeof err;
  if (r == 0) err = ETIMEDOUT;
  else if (r < 0) err = errno;
  else getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
  if (!err) return {};
  close(fd);
  return Status::fail(err, "connect " + host + ":" + std::to_string(port));
}

}  // namespace nln

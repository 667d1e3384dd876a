#include "inside.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "pool.h"

namespace nln {

Status open_in(int nsfd, const std::string& path, bool write, int* out) {
  return run_in(nsfd, [&]() -> Status {
    *out = open(path.c_str(), (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
    return *out < 0 ? Status::fail(errno, "open " + path) : Status{};
  });
}

Status sysctl_write_here(const std::string& path, const std::string& value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::fail(errno, "open " + path);
  Status s = write(fd, value.data(), value.size()) < 0 ? Status::fail(errno, "write " + path) : Status{};
  close(fd);
  return s;
}

Status tcp_socket_in(int nsfd, const std::string& host, int port, int backlog, int* out) {
  sockaddr_storage ss{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  socklen_t len = sizeof *v4;
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof *v6;
  } else {
    return Status::fail(EINVAL, "not an IP address: " + host);
  }
  return run_in(nsfd, [&]() -> Status {
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return Status::fail(errno, "socket");
    int one = 1;
    if (backlog > 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (backlog > 0 && (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0 || listen(fd, backlog) < 0)) {
      Status s = Status::fail(errno, "bind/listen " + host + ":" + std::to_string(port));
      close(fd);
      return s;
    }
    *out = fd;
    return {};
  });
}

Status tun_create(int nsfd, const std::string& name, int flags, int64_t owner, int64_t group) {
  return run_in(nsfd, [&]() -> Status {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return Status::fail(errno, "open /dev/net/tun");
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    ifr.ifr_flags = static_cast<short>(flags);
    Status s;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) s = Status::fail(errno, "TUNSETIFF " + name);
    else if (owner >= 0 && ioctl(fd, TUNSETOWNER, static_cast<unsigned long>(owner)) < 0) s = Status::fail(errno, "TUNSETOWNER");
    else if (group >= 0 && ioctl(fd, TUNSETGROUP, static_cast<unsigned long>(group)) < 0) s = Status::fail(errno, "TUNSETGROUP");
    else if (ioctl(fd, TUNSETPERSIST, 1UL) < 0) s = Status::fail(errno, "TUNSETPERSIST");
    // Closing a device that is not persistent removes it: a failure above leaves nothing behind.
    close(fd);
    return s;
  });
}

}  // namespace nln

#include "inside.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
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

Status tcp_socket_in(int nsfd, const std::string& address, int backlog, int* out) {
  sockaddr_storage ss{};
  if (address.size() < sizeof ss.ss_family || address.size() > sizeof ss) return Status::fail(EINVAL, "not a socket address");
  std::memcpy(&ss, address.data(), address.size());
  socklen_t len = static_cast<socklen_t>(address.size());
  return run_in(nsfd, [&]() -> Status {
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return Status::fail(errno, "socket");
    int one = 1;
    if (backlog > 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (backlog > 0 && (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0 || listen(fd, backlog) < 0)) {
      Status s = Status::fail(errno, "bind/listen");
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

Status subscribe_in(int nsfd, int protocol, const std::vector<uint32_t>& groups, NetlinkSocket* sock) {
  return run_in(nsfd, [&]() -> Status {
    Status s = sock->open(protocol);
    for (size_t i = 0; s.ok() && i < groups.size(); ++i) {
      if (setsockopt(sock->fd(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i], sizeof groups[i]) < 0)
        s = Status::fail(errno, "join netlink group " + std::to_string(groups[i]));
    }
    return s;
  });
}

}  // namespace nln

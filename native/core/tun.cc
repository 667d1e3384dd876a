#include "tun.h"

#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>

namespace nln {

Status tun_create(int nsfd, const std::string& name, const TunOptions& o) {
  // /dev/net/tun makes its device in the namespace of the thread that opens it.
  return in_netns(nsfd, [&]() -> Status {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return Status::fail(errno, "open /dev/net/tun");
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    ifr.ifr_flags = static_cast<short>((o.tap ? IFF_TAP : IFF_TUN) | (o.pi ? 0 : IFF_NO_PI) |
                                       (o.multi_queue ? IFF_MULTI_QUEUE : 0) | (o.vnet_hdr ? IFF_VNET_HDR : 0));
    Status s;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
      s = Status::fail(errno, "TUNSETIFF " + name);
    } else if (o.owner >= 0 && ioctl(fd, TUNSETOWNER, static_cast<unsigned long>(o.owner)) < 0) {
      s = Status::fail(errno, "TUNSETOWNER");
    } else if (o.group >= 0 && ioctl(fd, TUNSETGROUP, static_cast<unsigned long>(o.group)) < 0) {
      s = Status::fail(errno, "TUNSETGROUP");
    } else if (ioctl(fd, TUNSETPERSIST, 1UL) < 0) {
      s = Status::fail(errno, "TUNSETPERSIST");
    }
    // Closing a device that is not persistent removes it: a failure above leaves nothing behind.
    close(fd);
    return s;
  });
}

}  // namespace nln

// What must be opened or made inside a namespace, by a pool thread that enters it for the moment
// (pool.h's run_in): sysctl files, TCP sockets, tun devices, multicast netlink sockets. The fds
// are handed to Node, which reads, writes, listens and connects on them from its own thread (or
// the binding watches them from it): they stay the namespace's.
#pragma once
#include <cstdint>
#include <string>

#include <vector>

#include "socket.h"

namespace nln {

// A /proc/sys/net file (the caller has validated the path), close-on-exec, for reading or writing.
Status open_in(int nsfd, const std::string& path, bool write, int* fd);
// The same write, done here: in the calling thread's namespace (/proc/sys/net resolves per thread).
Status sysctl_write_here(const std::string& path, const std::string& value);

// A non-blocking, close-on-exec TCP socket for the family of `address` (a sockaddr_in or
// sockaddr_in6 JS laid out): bound to it and listening when backlog > 0; else unbound, for Node
// to connect.
Status tcp_socket_in(int nsfd, const std::string& address, int backlog, int* fd);

// A persistent tun/tap device made as `ip tuntap add` makes it: through /dev/net/tun, which makes
// its device in the namespace of the thread that opens it. flags: IFF_* (JS chose them); owner,
// group: a uid and gid, or -1.
Status tun_create(int nsfd, const std::string& name, int flags, int64_t owner, int64_t group);

// A netlink socket joined to the kernel's multicast groups (exchange.h's read_announcements).
Status subscribe_in(int nsfd, int protocol, const std::vector<uint32_t>& groups, NetlinkSocket* sock);

}  // namespace nln

// Files and sockets that belong to the namespace they are opened in: sysctls under /proc/sys/net,
// and TCP sockets (listening or connected) handed to Node as fds.
#pragma once
#include <string>

#include "status.h"

namespace nln {

// path: a /proc/sys/net/... file (the caller has validated it).
Status sysctl_read(int nsfd, const std::string& path, std::string* value);
Status sysctl_write(int nsfd, const std::string& path, const std::string& value);
// The same, in the calling thread's own namespace (/proc/sys/net resolves per thread).
Status sysctl_write_here(const std::string& path, const std::string& value);

// A non-blocking, close-on-exec listening TCP socket bound inside the namespace.
Status tcp_listen(int nsfd, const std::string& host, int port, int backlog, int* fd);
// A non-blocking, close-on-exec TCP socket made inside the namespace, its connect started.
Status tcp_connect_start(int nsfd, const std::string& host, int port, int* fd);
// Waits (blocking, at most timeout_ms) for a started connect to finish; closes fd on failure.
Status tcp_connect_wait(int fd, const std::string& host, int port, int timeout_ms);

}  // namespace nln

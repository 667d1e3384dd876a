// Persistent tun/tap devices, made as `ip tuntap add` makes them: through /dev/net/tun.
#pragma once
#include <cstdint>
#include <string>

#include "status.h"

namespace nln {

struct TunOptions {
  bool tap = false;
  bool multi_queue = false;
  bool vnet_hdr = false;
  bool pi = false;        // keep the packet-information header (ip's default: off)
  int64_t owner = -1;     // uid, -1: unset
  int64_t group = -1;     // gid, -1: unset
};

// Creates the device inside the namespace nsfd refers to and makes it persistent.
Status tun_create(int nsfd, const std::string& name, const TunOptions& o);

}  // namespace nln

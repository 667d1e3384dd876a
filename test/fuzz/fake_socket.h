// The wire the exchange fuzz target plays the kernel on: nln::NetlinkSocket (native/core/socket.h)
// implemented over the fuzz input instead of a socket (fake_socket.cc, linked in place of
// socket.cc). Each datagram of the input is [u16 length][u8 sender port: 0 = the kernel][bytes];
// when they run out, receiving fails with end_error (the exchange then fails what is still open).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nln_fuzz {

struct FakeWire {
  const uint8_t* next = nullptr;  // the remaining datagrams
  size_t left = 0;
  int end_error = 0;              // what receive returns once they run out
  int send_error = 0;             // nonzero: every send fails with it
  std::vector<std::string> sent;  // each sendmsg's bytes, joined
};

extern FakeWire wire;
constexpr uint32_t kFakePortId = 0x4e4c4eu;  // the port id the fake socket says it is bound to

}  // namespace nln_fuzz

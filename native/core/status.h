// The outcome of a system call or kernel request: a positive errno (0 = success) and the detail
// that explains it (the kernel's extended-ACK text, or which step of ours failed).
#pragma once
#include <string>

namespace nln {

struct Status {
  int err = 0;
  std::string detail;
  bool from_kernel = false;  // detail is the kernel's extended-ACK text, not our own words
  bool ok() const { return err == 0; }
  static Status fail(int err, std::string detail) { return Status{err, std::move(detail)}; }
};

}  // namespace nln

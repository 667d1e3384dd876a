// The outcome of a system call or kernel request: a positive errno (0 = success) and the detail
// that explains it (which step of ours failed; the kernel's own text is read by JS from its answer).
#pragma once
#include <string>

namespace nln {

struct Status {
  int err = 0;
  std::string detail;
  bool ok() const { return err == 0; }
  static Status fail(int err, std::string detail) { return Status{err, std::move(detail)}; }
};

}  // namespace nln
